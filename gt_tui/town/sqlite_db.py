"""The demo town's database: one SQLite file per database, attached under its name.

It runs the project's SQL unchanged (see `db.py`): `_QmarkCursor` swaps `%s` for `?`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from gt_tui.errors import MalformedFile, SourceUnavailable
from gt_tui.files import refuse_non_regular
from gt_tui.town.db import Backend, Cursor, Row, quote_name
from gt_tui.town.pool import PoolStats

T = TypeVar("T")


class SQLiteDatabase(Backend):
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

    def _run(self, step: Callable[[Cursor], T], *, write: bool = False, many: bool = False) -> T:
        """Run `step` under the lock; a batch in one transaction; a locked or vanished file
        becomes SourceUnavailable."""
        self._tick()
        with self._lock:
            cursor = _QmarkCursor(self._conn.cursor())
            try:
                return self._transaction(step, cursor) if many else step(cursor)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "unable to open" in str(exc):
                    raise SourceUnavailable(f"sqlite: {exc}") from None
                raise

    def _transaction(self, step: Callable[[Cursor], T], cursor: Cursor) -> T:
        self._conn.execute("BEGIN")
        try:
            result = step(cursor)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return result

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


class _QmarkCursor:
    """SQLite's cursor speaking the project's SQL: `%s` becomes `?`, no parameters `()`."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def execute(self, query: str, args: tuple[Any, ...] | None = None, /) -> object:
        return self._cursor.execute(_qmarks(query), args or ())

    def executemany(self, query: str, args: list[Sequence[Any]], /) -> object:
        return self._cursor.executemany(_qmarks(query), args)

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()


def _qmarks(sql: str) -> str:
    return sql.replace("%s", "?")
