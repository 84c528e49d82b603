"""The database layer: one interface over a town's MySQL-protocol server and the demo's SQLite.

SQL throughout the project is written once, with `%s` placeholders and backtick-quoted
database names (`hq`.`issues`), and runs unchanged on both backends: PyMySQL reads it
as it is; the SQLite backend attaches one file per database and swaps `%s` for `?`.
Literal `%` never appears in our SQL: LIKE patterns are always parameters.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pymysql

from gt_tui.errors import MalformedFile, ReadOnlyRefused, SourceUnavailable
from gt_tui.files import refuse_non_regular
from gt_tui.town import mysql_conn
from gt_tui.town.endpoint import Endpoint, Timeouts
from gt_tui.town.pool import ConnectionPool, PoolLimits, PoolStats

Row = tuple[Any, ...]
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

    dialect: str
    read_only: bool
    round_trips: int

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]: ...

    def pool_stats(self) -> PoolStats | None: ...

    def close(self) -> None: ...


class _Counted:
    """Counts round trips and refuses writes when read-only; shared by both backends."""

    dialect = ""

    def __init__(self, read_only: bool) -> None:
        self.read_only = read_only
        self.round_trips = 0
        self._count_lock = threading.Lock()

    def _tick(self) -> None:
        with self._count_lock:
            self.round_trips += 1

    def _guard_write(self, sql: str) -> None:
        if self.read_only:
            raise ReadOnlyRefused(sql.split(None, 1)[0].lower())


class MySQLDatabase(_Counted):
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

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        def step(cur: Any) -> list[Row]:
            cur.execute(sql, tuple(params) or None)
            return list(cur.fetchall())

        return self._run(step)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._guard_write(sql)
        return self._run(lambda cur: cur.execute(sql, tuple(params) or None), write=True)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        self._guard_write(sql)
        batch = list(rows)
        return self._run(lambda cur: cur.executemany(sql, batch) or 0, write=True)

    def _run(self, step: Callable[[Any], Any], *, write: bool = False) -> Any:
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
    def _cursor(self, retry_write: bool | None) -> Iterator[Any]:
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


class SQLiteDatabase(_Counted):
    """The demo town's beads: one SQLite file per database, attached under its name."""

    dialect = "sqlite"

    def __init__(self, files: Mapping[str, Path], read_only: bool = False) -> None:
        super().__init__(read_only)
        self.files = dict(files)
        self._conn = sqlite3.connect(
            ":memory:", check_same_thread=False, timeout=10.0, isolation_level=None, uri=True
        )
        self._lock = threading.Lock()
        mode = "ro" if read_only else "rwc"
        for name, path in self.files.items():
            # as_uri() percent-escapes '?', '#', '%' and spaces that would break the URI.
            uri = f"{Path(path).resolve().as_uri()}?mode={mode}"
            try:
                refuse_non_regular(Path(path))  # a FIFO would hang SQLite's open
                self._conn.execute(f"ATTACH DATABASE ? AS {quote_name(name)}", (uri,))
            except sqlite3.Error as exc:
                self._conn.close()
                missing = not Path(path).exists()
                reason = "no such file" if missing else f"not a SQLite database ({exc})"
                raise MalformedFile(path, reason) from None
            except MalformedFile:
                self._conn.close()
                raise
        self._conn.execute("PRAGMA busy_timeout = 10000")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._run(sql, params, lambda cur: cur.fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._guard_write(sql)
        return self._run(sql, params, lambda cur: cur.rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        self._guard_write(sql)
        self._tick()
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                cur = self._conn.executemany(_qmarks(sql), rows)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return cur.rowcount

    def _run(self, sql: str, params: Sequence[Any], take: Any) -> Any:
        self._tick()
        with self._lock:
            try:
                return take(self._conn.execute(_qmarks(sql), tuple(params)))
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "unable to open" in str(exc):
                    raise SourceUnavailable(f"sqlite: {exc}") from None
                raise

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]:
        found: dict[tuple[str, str], set[str]] = {}
        for name in databases:
            if name not in self.files:
                continue
            schema = quote_name(name)
            tables = self.query(f"SELECT name FROM {schema}.sqlite_master WHERE type='table'")
            for (table,) in tables:
                cols = self.query(f"PRAGMA {schema}.table_info({quote_name(table)})")
                found[(name, table)] = {col[1] for col in cols}
        return found

    def pool_stats(self) -> PoolStats | None:
        return None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _qmarks(sql: str) -> str:
    return sql.replace("%s", "?")
