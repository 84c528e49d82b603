"""Opening a town's database: Dolt over the MySQL protocol, or the demo town's SQLite files."""

from __future__ import annotations

from gt_tui.settings import Settings
from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.model import Town
from gt_tui.town.pool import PoolLimits
from gt_tui.town.sqlite_db import SQLiteDatabase


def open_database(town: Town, settings: Settings, *, read_only: bool = False) -> Database:
    """A database handle for the town; nothing connects until the first query.

    Connections open on the town's hq database, as bd's do (Dolt's `active_branch()`
    needs a current database); the other databases are read by their qualified names.
    """
    if town.is_sqlite:
        return SQLiteDatabase(dict(town.sqlite_files), read_only=read_only)
    return MySQLDatabase(
        town.endpoint,
        PoolLimits.from_settings(settings),
        read_only=read_only,
        database=town.hq_database,
    )
