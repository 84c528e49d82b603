"""The console's one door to the database: every statement passes the limits, rows made safe."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.limits.gate import WAIT_TIMEOUT
from gt_tui.safe_text import safe_rows
from gt_tui.town.db import Database, Row
from gt_tui.town.pool import PoolStats


class LimitedDatabase:
    """A Database whose every statement first passes `Limits.query_slot()`; the rows it
    returns have their text made safe to show (gt_tui/safe_text.py): the console's one door."""

    def __init__(self, db: Database, limits: Limits, timeout: float = WAIT_TIMEOUT) -> None:
        self.inner = db
        self.limits = limits
        self.timeout = timeout

    @property
    def dialect(self) -> str:
        return self.inner.dialect

    @property
    def read_only(self) -> bool:
        return self.inner.read_only

    @property
    def round_trips(self) -> int:
        return self.inner.round_trips

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.limits.query_slot(self.timeout):
            return safe_rows(self.inner.query(sql, params))

    def timed_query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], float]:
        """Rows and the round trip in ms, timed after the limits let it through: a wait for
        a token or a gate is the console's own, not the server's, and is not counted."""
        with self.limits.query_slot(self.timeout):
            started = time.perf_counter()
            rows = self.inner.query(sql, params)
            return safe_rows(rows), (time.perf_counter() - started) * 1000.0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.limits.query_slot(self.timeout):
            return self.inner.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.limits.query_slot(self.timeout):
            return self.inner.executemany(sql, rows)

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]:
        with self.limits.query_slot(self.timeout):
            return self.inner.table_columns(databases)

    def pool_stats(self) -> PoolStats | None:
        return self.inner.pool_stats()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        """Anything else (`endpoint`, `pool`, `files`) is the wrapped database's."""
        return getattr(self.inner, name)
