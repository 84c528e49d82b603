"""The database layer on both backends: one SQL text, read-only sessions, errors, round trips.

Every test taking `backend` runs twice: on the private MariaDB server (marked `mariadb`)
and on SQLite with one attached file per database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pymysql
import pytest
from sqlserver import SQLServer, free_port

from gt_tui.errors import ReadOnlyRefused, SourceUnavailable
from gt_tui.town.db import Database, MySQLDatabase, quote_name, sql_time, utc
from gt_tui.town.endpoint import Endpoint, Timeouts
from gt_tui.town.pool import PoolLimits
from gt_tui.town.sqlite_db import SQLiteDatabase

# What each backend itself raises for a write in a read-only session.
SERVER_REFUSAL = {"mysql": pymysql.err.OperationalError, "sqlite": sqlite3.OperationalError}
READ_ONLY_MESSAGE = re.compile("READ ONLY|readonly")


@dataclass
class Backend:
    """Two fresh databases on one backend, and a way to open more handles on them."""

    dialect: str
    dbs: tuple[str, str]
    open: Callable[..., Database]  # open(read_only=False) -> Database, closed by the fixture

    def sql(self, text: str) -> str:
        """`text` with {a} and {b} replaced by the two quoted database names."""
        return text.format(a=quote_name(self.dbs[0]), b=quote_name(self.dbs[1]))


@pytest.fixture(params=[pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    opened: list[Database] = []

    def keep(db: Database) -> Database:
        opened.append(db)
        return db

    if request.param == "mysql":
        server: SQLServer = request.getfixturevalue("mariadb")
        a, b = fresh_databases(request, server, 2)
        yield Backend(
            "mysql",
            (a, b),
            lambda read_only=False: keep(MySQLDatabase(server.endpoint, read_only=read_only)),
        )
    else:
        files = {name: tmp_path / f"{name}.db" for name in ("hq", "gastown")}
        yield Backend(
            "sqlite",
            ("hq", "gastown"),
            lambda read_only=False: keep(SQLiteDatabase(files, read_only)),
        )
    for db in opened:
        db.close()


def fresh_databases(request: pytest.FixtureRequest, server: SQLServer, n: int) -> list[str]:
    """Create `n` new databases, dropped when the requesting fixture is torn down."""
    names = server.fresh_database_names(n)
    admin = server.admin()
    request.addfinalizer(admin.close)  # finalizers run last-in first-out: drop, then close
    for name in names:
        request.addfinalizer(lambda name=name: admin.execute(f"DROP DATABASE {quote_name(name)}"))
        admin.execute(f"CREATE DATABASE {quote_name(name)}")
    return names


def create_tables(backend: Backend, db: Database) -> None:
    """One table in each database, with the same DDL on both backends."""
    db.execute(
        backend.sql(
            "CREATE TABLE {a}.`issues` (id VARCHAR(40) PRIMARY KEY, title VARCHAR(200),"
            " created_at DATETIME)"
        )
    )
    db.execute(backend.sql("CREATE TABLE {b}.`labels` (issue_id VARCHAR(40), label VARCHAR(100))"))


def insert_issue(backend: Backend, db: Database, issue: str, title: str) -> int:
    return db.execute(
        backend.sql("INSERT INTO {a}.`issues` (id, title, created_at) VALUES (%s, %s, %s)"),
        (issue, title, "2026-01-02 03:04:05"),
    )


def test_same_sql_runs_on_both_backends(backend: Backend) -> None:
    db = backend.open()
    assert db.dialect == backend.dialect
    create_tables(backend, db)
    assert insert_issue(backend, db, "gt-1", "it's 100% done") == 1
    assert insert_issue(backend, db, "gt-2", "second") == 1
    rows = [("gt-1", "delivery:acked"), ("gt-1", "delivery:pending"), ("gt-2", "read")]
    assert db.executemany(backend.sql("INSERT INTO {b}.`labels` VALUES (%s, %s)"), rows) == 3
    found = db.query(
        backend.sql(
            "SELECT i.id, i.title, l.label FROM {a}.`issues` i"
            " JOIN {b}.`labels` l ON l.issue_id = i.id"
            " WHERE l.label LIKE %s ORDER BY i.id, l.label"
        ),
        ["delivery:%"],
    )
    assert list(found) == [
        ("gt-1", "it's 100% done", "delivery:acked"),
        ("gt-1", "it's 100% done", "delivery:pending"),
    ]


def test_table_columns_lists_both_databases(backend: Backend) -> None:
    db = backend.open()
    create_tables(backend, db)
    a, b = backend.dbs
    assert db.table_columns([a, b]) == {
        (a, "issues"): {"id", "title", "created_at"},
        (b, "labels"): {"issue_id", "label"},
    }
    assert db.table_columns([b]) == {(b, "labels"): {"issue_id", "label"}}


def test_datetime_round_trip_is_utc(backend: Backend) -> None:
    db = backend.open()
    create_tables(backend, db)
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    db.execute(
        backend.sql("INSERT INTO {a}.`issues` (id, title, created_at) VALUES (%s, %s, %s)"),
        ("gt-1", "t", sql_time(moment)),
    )
    later = db.query(
        backend.sql("SELECT created_at FROM {a}.`issues` WHERE created_at > %s"),
        [sql_time(datetime(2026, 3, 4, 5, 6, 6, tzinfo=UTC))],
    )
    assert [utc(value) for (value,) in later] == [moment]


def test_round_trips_count_each_call(backend: Backend) -> None:
    db = backend.open()
    create_tables(backend, db)
    start = db.round_trips
    db.query("SELECT 1")
    insert_issue(backend, db, "gt-1", "one")
    db.executemany(backend.sql("INSERT INTO {b}.`labels` VALUES (%s, %s)"), [("a", "x")] * 5)
    assert db.round_trips == start + 3


def test_read_only_refuses_writes_in_python_and_in_the_session(backend: Backend) -> None:
    writer = backend.open()
    create_tables(backend, writer)
    insert_issue(backend, writer, "gt-1", "kept")
    reader = backend.open(read_only=True)
    insert = backend.sql("INSERT INTO {a}.`issues` (id) VALUES (%s)")
    with pytest.raises(ReadOnlyRefused, match="'insert' refused"):
        reader.execute(insert, ["gt-2"])
    with pytest.raises(ReadOnlyRefused):
        reader.executemany(insert, [["gt-3"]])
    assert reader.round_trips == 0  # refused before reaching the backend
    # query() skips the Python guard: the backend's own session or file must refuse.
    with pytest.raises(SERVER_REFUSAL[backend.dialect], match=READ_ONLY_MESSAGE):
        reader.query(insert, ["gt-4"])
    assert reader.query(backend.sql("SELECT id FROM {a}.`issues`")) == [("gt-1",)]


def test_sqlite_attaches_paths_needing_escapes(tmp_path: Path) -> None:
    odd = tmp_path / "town #1 100%?"
    odd.mkdir()
    files = {"hq": odd / "hq.db"}
    writer = SQLiteDatabase(files)
    writer.execute("CREATE TABLE `hq`.`t` (x INTEGER)")
    writer.execute("INSERT INTO `hq`.`t` VALUES (%s)", [7])
    writer.close()
    reader = SQLiteDatabase(files, read_only=True)
    assert reader.query("SELECT x FROM `hq`.`t`") == [(7,)]
    reader.close()
    assert sorted(path.name for path in odd.iterdir()) == ["hq.db"]


def test_unreachable_server_is_source_unavailable() -> None:
    port = free_port()  # nothing listens there
    endpoint = Endpoint("127.0.0.1", port, "root", "s3cret-pw")
    db = MySQLDatabase(endpoint, timeouts=Timeouts(connect=2.0, read=2.0, write=2.0))
    with pytest.raises(SourceUnavailable) as info:
        db.query("SELECT 1")
    message = str(info.value)
    # the reason once, without the host:port the header already shows
    assert message == "cannot connect: Connection refused"
    assert "s3cret-pw" not in message
    assert db.pool_stats().open == 0


def test_a_killed_connection_is_retried_once_on_a_new_one(mariadb: SQLServer) -> None:
    db = MySQLDatabase(mariadb.endpoint)
    admin = mariadb.admin()
    try:
        (connection_id,) = db.query("SELECT CONNECTION_ID()")[0]
        admin.execute("KILL %s", [connection_id])
        (again,) = db.query("SELECT CONNECTION_ID()")[0]  # no error: retried
        assert again != connection_id
        stats = db.pool_stats()
        assert (stats.created, stats.closed, stats.open) == (2, 1, 1)
        assert db.round_trips == 2  # the retry is the same statement, counted once
    finally:
        db.close()
        admin.close()


def test_the_retry_never_takes_another_dead_idle_connection(mariadb: SQLServer) -> None:
    """Both idle connections dead: the retry opens a new one rather than take the other."""
    db = MySQLDatabase(mariadb.endpoint, PoolLimits(max_open=2, max_idle=2))
    admin = mariadb.admin()
    try:
        ids = []
        with db.pool.connection() as first, db.pool.connection() as second:
            for conn in (first, second):
                with conn.cursor() as cur:
                    cur.execute("SELECT CONNECTION_ID()")
                    ids.append(cur.fetchone()[0])
        for connection_id in ids:
            admin.execute("KILL %s", [connection_id])
        # The retry takes a fresh connection, never the other dead idle one: it succeeds.
        assert db.query("SELECT 1") == [(1,)]
        assert db.pool_stats().created == 3
    finally:
        db.close()
        admin.close()
