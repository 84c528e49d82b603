"""A small beads town on either backend, for the engine's action tests.

`open_town(request, tmp_path)` is meant for a fixture parametrised with
`BACKENDS`: on "mysql" it creates fresh databases on the session's MariaDB (dropped
afterwards), on "sqlite" one attached file per database. Both get beads' own schema
(`builder.schema.create_database`, from beads' DDL) and a `builder.beads.Beads` writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from builder.beads import Beads
from builder.schema import create_database, drop_database

from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.sqlite_db import SQLiteDatabase

BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]
RIGS = (("gastown", "gt"), ("beads", "bd"))


@dataclass
class TownOnBackend:
    """The town, a read-write handle, a writer, and a way to open more handles."""

    dialect: str
    town: Town
    db: Database
    writer: Beads
    opener: Callable[[bool], Database]
    opened: list[Database] = field(default_factory=list)

    @property
    def hq(self) -> str:
        return self.town.hq_database

    def rig_db(self, name: str) -> str:
        return self.town.rig(name).database

    def open(self, read_only: bool = False) -> Database:
        db = self.opener(read_only)
        self.opened.append(db)
        return db


def open_town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TownOnBackend]:
    """Yield a town with hq and two rigs on the backend named by `request.param`."""
    root = tmp_path / "town"
    root.mkdir()
    if request.param == "mysql":
        server = request.getfixturevalue("mariadb")
        names = server.fresh_database_names(1 + len(RIGS))
        endpoint: Endpoint = server.endpoint

        def opener(read_only: bool) -> Database:
            return MySQLDatabase(endpoint, read_only=read_only)

        files: tuple[tuple[str, Path], ...] = ()
    else:
        names = ["hq", *(rig for rig, _ in RIGS)]
        files = tuple((name, tmp_path / f"{name}.db") for name in names)
        endpoint = Endpoint()

        def opener(read_only: bool) -> Database:
            return SQLiteDatabase(dict(files), read_only)

    rigs = tuple(Rig(rig, prefix, db) for (rig, prefix), db in zip(RIGS, names[1:], strict=True))
    town = Town(root, "testtown", rigs, names[0], endpoint, "gttui-unused", files)
    db = opener(False)
    for name, (_, prefix) in zip(names, [("hq", "hq"), *RIGS], strict=True):
        create_database(db, name, "v1.0.0", prefix)
    made = TownOnBackend(request.param, town, db, Beads(db, hq=names[0]), opener)
    try:
        yield made
    finally:
        for handle in made.opened:
            handle.close()
        if request.param == "mysql":
            for name in names:
                with suppress(Exception):
                    drop_database(db, name)
        db.close()
