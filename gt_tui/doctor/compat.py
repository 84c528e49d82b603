"""TEMPORARY stand-ins for names other branches are adding (see CONTRACT.md).

Removed once `dolt-session` (server status, probe, `database=`) and `conventions`
(`locate_town`) are merged.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gt_tui.town.db import Database, Endpoint, MySQLDatabase, Timeouts
from gt_tui.town.layout import MARKER
from gt_tui.town.pool import PoolLimits
from gt_tui.errors import TownNotFound


@dataclass(frozen=True)
class TownLocation:
    root: Path
    how: str


def locate_town(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> TownLocation:
    if explicit is not None:
        if (explicit / MARKER).is_file():
            return TownLocation(explicit, "--town")
        raise TownNotFound(f"no {MARKER} in {explicit}")
    for root in reversed([cwd, *cwd.parents]):
        if (root / MARKER).is_file():
            return TownLocation(root, "current directory")
    for key in ("GT_TOWN_ROOT", "GT_ROOT"):
        if env.get(key) and (Path(env[key]) / MARKER).is_file():
            return TownLocation(Path(env[key]), key)
    home = Path(env.get("HOME", str(Path.home()))) / "gt"
    if (home / MARKER).is_file():
        return TownLocation(home, "~/gt")
    raise TownNotFound("no Gas Town found")


def open_mysql(
    endpoint: Endpoint, limits: PoolLimits, timeouts: Timeouts, database: str | None
) -> MySQLDatabase:
    return MySQLDatabase(endpoint, limits, timeouts, read_only=True)


@dataclass(frozen=True)
class ServerStatus:
    kind: str
    version: str
    wait_timeout: int | None
    max_connections: int | None
    time_zone: str | None
    system_time_zone: str | None


def read_server_status(db: Database) -> ServerStatus:
    if db.dialect == "sqlite":
        return ServerStatus("sqlite", "", None, None, None, None)
    (row,) = db.query(
        "SELECT @@version, @@wait_timeout, @@max_connections, @@time_zone, @@system_time_zone"
    )
    return ServerStatus("mysql", str(row[0]), int(row[1]), int(row[2]), row[3], row[4])


@dataclass(frozen=True)
class ProbeResult:
    sql: str
    ms: float
    fell_back: bool


def run_probe(db: Database, kind: str) -> ProbeResult:
    start = time.perf_counter()
    db.query("SELECT 1")
    return ProbeResult("SELECT 1", (time.perf_counter() - start) * 1000.0, False)
