"""What the doctor's checks share: the town, its settings and its database, each opened once.

Everything is lazy and cached, so a check that needs the database opens it on first use
and later checks reuse it; an error while opening is cached too and raised again, so one
fault is found once. The database handles are read-only (the session refuses writes) and
short-timed: the doctor must answer even when the server does not.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from gt_tui.settings import Settings, load_settings
from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.endpoint import Endpoint, Timeouts
from gt_tui.town.layout import TownLocation, load_town, locate_town
from gt_tui.town.model import Town
from gt_tui.town.pool import PoolLimits
from gt_tui.town.schema import BeadsSchema, detect_schema
from gt_tui.town.server import ServerStatus, read_server_status
from gt_tui.town.sqlite_db import SQLiteDatabase

DB_TIMEOUTS = Timeouts(connect=3.0, read=10.0, write=10.0)
DB_LIMITS = PoolLimits(max_open=2, max_idle=2, acquire_timeout=10.0)
MASK = "****"
T = TypeVar("T")


def dsn(endpoint: Endpoint) -> str:
    """`user:****@host:port` when a password is set, `user@host:port` otherwise."""
    where = endpoint.socket or f"{endpoint.host}:{endpoint.port}"
    user = f"{endpoint.user}:{MASK}" if endpoint.password else endpoint.user
    return f"{user}@{where}"


@dataclass
class DoctorContext:
    """The inputs of one doctor run and the lazily opened things every check shares."""

    explicit: Path | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path | None = None  # None: the working directory as gt sees it ($PWD, symlinks kept)
    overrides: Mapping[str, str] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _opened: list[Database] = field(default_factory=list, repr=False)

    def _once(self, key: str, make: Callable[[], T]) -> T:
        """`make()` the first time; its value, or its error, every time after."""
        if key not in self._cache:
            try:
                self._cache[key] = (True, make())
            except Exception as exc:
                self._cache[key] = (False, exc)
        ok, value = self._cache[key]
        if not ok:
            raise value
        made: T = value
        return made

    def location(self) -> TownLocation:
        """Where the town is and how it was found."""
        return self._once("location", lambda: locate_town(self.explicit, self.env, self.cwd))

    def town(self) -> Town:
        return self._once("town", lambda: load_town(self.location().root, self.env))

    def settings(self) -> Settings:
        return self._once("settings", lambda: load_settings(self.town().root, self.overrides))

    def server(self) -> Database:
        """The town's database with no current database: the catalogue, the variables."""
        return self._once("server", lambda: self._open(None))

    def hq(self) -> Database:
        """The town's database opened on hq, as the console opens it (the probe needs it)."""
        return self._once("hq", lambda: self._open(self.town().hq_database))

    def _open(self, database: str | None) -> Database:
        town = self.town()
        if town.is_sqlite:
            # Read-only SQLite cannot attach a file that is not there: leave those out.
            files = {name: path for name, path in town.sqlite_files if Path(path).is_file()}
            db: Database = SQLiteDatabase(files, read_only=True)
        else:
            ep = town.endpoint
            db = MySQLDatabase(ep, DB_LIMITS, DB_TIMEOUTS, read_only=True, database=database)
        self._opened.append(db)
        return db

    def status(self) -> ServerStatus:
        """The server's kind, version and variables, read on hq as the console reads them
        (a session without a database falls back by itself when hq is missing)."""
        return self._once("status", lambda: read_server_status(self.hq()))

    def schema(self) -> BeadsSchema:
        """The beads tables and columns of every database of the town."""
        return self._once("schema", lambda: detect_schema(self.server(), self.town().databases))

    def present_databases(self) -> tuple[str, ...]:
        """The town's databases that exist on the server, in the town's order."""
        return self._once("present", self._present)

    def _present(self) -> tuple[str, ...]:
        town = self.town()
        if town.is_sqlite:
            return tuple(name for name, path in town.sqlite_files if Path(path).is_file())
        marks = ", ".join(["%s"] * len(town.databases))
        rows = self.server().query(
            f"SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ({marks})",
            list(town.databases),
        )
        found = {str(name) for (name,) in rows}
        return tuple(name for name in town.databases if name in found)

    def secrets(self) -> list[str]:
        """Strings that must never be printed: the configured password."""
        found = [self.env.get("GT_DOLT_PASSWORD", "")]
        town = self._cache.get("town")
        if town and town[0]:
            found.append(town[1].endpoint.password)
        return [s for s in found if s]

    def close(self) -> None:
        for db in self._opened:
            db.close()
        self._opened.clear()
