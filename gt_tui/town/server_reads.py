"""Rows the database server read: the sum of its `Handler_read_*` status counters.

MariaDB and MySQL count every row a storage-engine handler reads (by key, next, previous,
first, last, random position, next in a scan) in `Handler_read_*`. The sum over an interval
is the rows the server read in it. The counters are SERVER-WIDE: every client's statements
count, not only ours, so a figure is honest only on a server nothing else is using.

They are read with `SHOW GLOBAL STATUS LIKE %s` rather than
`information_schema.GLOBAL_STATUS`: MySQL 8 removed that table (it lives in
`performance_schema.global_status` there), while SHOW answers on MariaDB and on every MySQL.
Reading the counters is itself a statement that reads rows (the server fills a temporary
table of its status variables and scans it), so `ServerReads.calibrate` measures that cost
(two readings with nothing between, repeated, the median difference) and `since` takes it
off. The reading uses a connection of its own, outside the engine's pool, so it is never one
of the engine's round trips nor part of its timing.

SQLite has no server; Dolt has no Handler counters: `counters_available(kind)` says which
server kinds (gt_tui.town.server.ServerStatus.kind) have them.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

import pymysql

from gt_tui.errors import SourceUnavailable
from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.pool import PoolLimits

STATUS_SQL = "SHOW GLOBAL STATUS LIKE %s"
HANDLER_READS = "Handler_read%"  # a parameter, as every LIKE pattern is
CALIBRATION_READS = 7  # readings in a row; their 6 differences give the median cost
SCOPE = "server-wide: every client's reads count, not only gt-tui's"
_KINDS_WITH_COUNTERS = frozenset({"mysql"})  # MariaDB and MySQL; not Dolt, not SQLite


def counters_available(kind: str | None) -> bool:
    """Whether a server of this kind ("mysql", "dolt", "sqlite") has Handler counters."""
    return kind in _KINDS_WITH_COUNTERS


@dataclass(frozen=True)
class Interval:
    """Rows read between two readings, less one reading's cost, clamped at 0.

    `raw` is the figure before clamping: below 0 when the reading's cost varied more than
    the interval read (an idle interval); `clamped` says it was raised to 0."""

    rows: int
    raw: int

    @property
    def clamped(self) -> bool:
        return self.raw < 0


class ServerReads:
    """The server's `Handler_read_*` total, on a connection of its own, and its own cost."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cost = 0  # rows one reading adds to the counters; 0 until `calibrate`
        self.cost_samples: tuple[int, ...] = ()

    @classmethod
    def beside(cls, db: Database) -> ServerReads | None:
        """A reader on the same server as `db` over its own one-connection pool; None where
        `db` is no MySQL-protocol server (SQLite)."""
        if not isinstance(db, MySQLDatabase):
            inner = getattr(db, "inner", None)  # the engine's LimitedDatabase wraps one
            return None if inner is None else cls.beside(inner)
        own = MySQLDatabase(
            db.endpoint, PoolLimits(max_open=1, max_idle=1), db.timeouts, read_only=True
        )
        return cls(own)

    def total(self) -> int:
        """The sum of the server's `Handler_read_*` counters now.

        SourceUnavailable when the server does not answer or has no such counters."""
        try:
            rows = self.db.query(STATUS_SQL, (HANDLER_READS,))
        except SourceUnavailable:
            raise
        except pymysql.MySQLError as exc:
            raise SourceUnavailable(f"server status counters: {exc.args[-1]}") from None
        if not rows:
            raise SourceUnavailable("the server has no Handler_read_* status counters")
        return sum(int(value) for _name, value in rows)

    def calibrate(self, reads: int = CALIBRATION_READS) -> int:
        """Measure what one reading costs: `reads` readings in a row, the median of their
        differences (a high one, from another client, does not move the median)."""
        totals = [self.total() for _ in range(max(2, reads))]
        self.cost_samples = tuple(b - a for a, b in itertools.pairwise(totals))
        self.cost = round(statistics.median(self.cost_samples))
        return self.cost

    def since(self, before: int) -> Interval:
        """Rows read since the reading `before` (taken with `total`), this reading's cost off."""
        raw = self.total() - before - self.cost
        return Interval(max(0, raw), raw)

    def close(self) -> None:
        self.db.close()
