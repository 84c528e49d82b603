"""The database layer: one interface over a town's MySQL-protocol server and the demo's SQLite.

SQL throughout the project is written once, with `%s` placeholders and backtick-quoted
database names (`hq`.`issues`), and runs unchanged on both backends: PyMySQL reads it
as it is; the SQLite backend (`sqlite_db.py`) attaches one file per database and swaps
`%s` for `?`. `Backend` holds the statements once; each backend brings only its cursor.
Literal `%` never appears in our SQL: LIKE patterns are always parameters.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import pymysql

from gt_tui.errors import ReadOnlyRefused
from gt_tui.town import mysql_conn
from gt_tui.town.endpoint import Endpoint, Timeouts
from gt_tui.town.pool import ConnectionPool, PoolLimits, PoolStats

Row = tuple[Any, ...]
T = TypeVar("T")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")


def quote_name(name: str) -> str:
    """Backtick-quote a database or table name after checking it is a plain identifier."""
    if not _NAME.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f"`{name}`"


def utc(value: Any) -> datetime | None:
    """A DATETIME from either backend (datetime or ISO text) as an aware UTC datetime.

    None for NULL or ""; ValueError, and nothing else, for any value that is no moment
    (`0000-00-00`, a year 9999 moment past the end of time once in UTC, a stray type).
    """
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip().replace("Z", "+00:00")
            moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, TypeError) as exc:
        raise ValueError(f"not a representable moment: {value!r} ({exc})") from None


def sql_time(moment: datetime) -> str:
    """A UTC moment as DATETIME text both backends compare correctly against."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Database(Protocol):
    """What the engine needs of a database: queries, writes and a count of round trips."""

    @property
    def dialect(self) -> str: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def round_trips(self) -> int: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]: ...

    def pool_stats(self) -> PoolStats | None: ...

    def close(self) -> None: ...


class Cursor(Protocol):
    """The DB-API cursor the statements run on: PyMySQL's as it is, SQLite's through
    `sqlite_db._QmarkCursor` (which speaks the same `%s` SQL)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, query: str, args: tuple[Any, ...] | None = None, /) -> object: ...

    def executemany(self, query: str, args: list[Sequence[Any]], /) -> object: ...

    def fetchall(self) -> Iterable[Row]: ...


class Backend(ABC):
    """The statements, written once for both backends: each counts a round trip, a write is
    refused when read-only, and the backend's `_run` brings the cursor."""

    dialect = ""

    def __init__(self, read_only: bool) -> None:
        self.read_only = read_only
        self.round_trips = 0
        self._count_lock = threading.Lock()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        args = tuple(params) or None

        def step(cur: Cursor) -> list[Row]:
            cur.execute(sql, args)
            return list(cur.fetchall())

        return self._run(step)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._guard_write(sql)
        args = tuple(params) or None

        def step(cur: Cursor) -> int:
            cur.execute(sql, args)
            return cur.rowcount

        return self._run(step, write=True)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        self._guard_write(sql)
        batch = list(rows)

        def step(cur: Cursor) -> int:
            cur.executemany(sql, batch)
            return max(cur.rowcount, 0)  # an empty batch leaves a fresh cursor's -1

        return self._run(step, write=True, many=True)

    @abstractmethod
    def _run(self, step: Callable[[Cursor], T], *, write: bool = False, many: bool = False) -> T:
        """Count the round trip and run `step` on a cursor; `many`: one batch of rows."""

    def _tick(self) -> None:
        with self._count_lock:
            self.round_trips += 1

    def _guard_write(self, sql: str) -> None:
        if self.read_only:
            raise ReadOnlyRefused(sql.split(None, 1)[0].lower())


class MySQLDatabase(Backend):
    """A town's Dolt (or any MySQL-protocol) server behind a bounded pool.

    Every pooled connection opens on `database` (the town's hq), so Dolt's session functions
    work; `db`.`table` names still reach the other databases. When that database does not
    exist (1049), connections open on none from then on, so the others still read.
    A statement that meets a connection the server closed is retried once on a new one.
    """

    dialect = "mysql"

    def __init__(
        self,
        endpoint: Endpoint,
        limits: PoolLimits | None = None,
        timeouts: Timeouts | None = None,
        read_only: bool = False,
        database: str | None = None,
    ) -> None:
        super().__init__(read_only)
        self.endpoint = endpoint
        self.timeouts = timeouts or Timeouts()
        self.connector = mysql_conn.Connector(endpoint, self.timeouts, database, read_only)
        self.pool: ConnectionPool[pymysql.Connection] = ConnectionPool(
            self.connector, lambda conn: conn.close(), limits or PoolLimits()
        )
        self._configured_idle = self.pool.limits.max_idle_time

    @property
    def database(self) -> str | None:
        """The current database of new connections (None once the named one was missing)."""
        return self.connector.database

    def cap_idle_time(self, seconds: float | None) -> None:
        """Keep idle connections no longer than `seconds` (the server's limit with a margin);
        None restores the configured `dolt.conn_max_idle_time`."""
        limit = self._configured_idle if seconds is None else min(self._configured_idle, seconds)
        self.pool.limits = replace(self.pool.limits, max_idle_time=limit)

    def _run(self, step: Callable[[Cursor], T], *, write: bool = False, many: bool = False) -> T:
        """Run `step(cursor)`; once more on a new connection if the first one was dead.

        A write is retried only where it surely did not run (gone away, idle timeout)."""
        self._tick()
        try:
            with self._cursor(retry_write=write) as cur:
                return step(cur)
        except _Retry:
            with self._cursor(retry_write=None) as cur:
                return step(cur)

    @contextmanager
    def _cursor(self, retry_write: bool | None) -> Iterator[pymysql.cursors.Cursor]:
        """A cursor on a pooled connection; a lost server becomes SourceUnavailable, a dead
        connection `_Retry` (`retry_write` None: this is the retry, on a fresh connection)."""
        try:
            with self.pool.connection(fresh=retry_write is None) as conn, conn.cursor() as cur:
                yield cur
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
            if retry_write is not None and mysql_conn.dead_connection(exc, retry_write):
                raise _Retry from None
            if not mysql_conn.source_lost(exc):
                raise
            raise mysql_conn.unavailable(self.endpoint, exc) from None

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]:
        marks = ", ".join(["%s"] * len(databases))
        rows = self.query(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns"
            f" WHERE table_schema IN ({marks})",
            list(databases),
        )
        found: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in rows:
            found.setdefault((schema, table), set()).add(column)
        return found

    def pool_stats(self) -> PoolStats | None:
        return self.pool.stats()

    def close(self) -> None:
        self.pool.close_all()


class _Retry(Exception):
    """A pooled connection turned out dead: run the statement again on a new one."""
