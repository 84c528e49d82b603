"""The refresh benchmark: what one refresh of the engine costs the console and the server.

One first refresh of a fresh engine (schema detection, first connections, cold caches),
then `runs` steady refreshes spaced `pace` seconds apart, as the console spaces them. Per
refresh: its time and round trips (the snapshot's own `engine.refresh_ms` and
`engine.queries`) and, on MariaDB/MySQL, the rows the server read
(gt_tui.town.server_reads: server-wide `Handler_read_*`, read once before and once after
each refresh on a connection of its own, so that reading is neither one of the refresh's
queries nor part of its time). SQLite and Dolt have no such counters: rows read is None.

The result is a `BenchResult` of kind "refresh" (groups `first`, `steady` in ms and, where
the server counts, `steady rows read`), so `--save` and `benchmark compare` work as for the
other kinds; `refresh_json` is its JSON with the `first`/`steady` summary on top.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from gt_tui.engine.bench.results import BenchResult, make_group, make_result
from gt_tui.engine.snapshot import Snapshot
from gt_tui.engine.window import percentile
from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.town.db import Database
from gt_tui.town.server_reads import SCOPE, Interval, ServerReads, counters_available

Progress = Callable[[float], None]
ROWS_GROUP = "steady rows read"
T = TypeVar("T")


@dataclass(frozen=True)
class RefreshTarget:
    """What the benchmark refreshes: a fresh engine's `refresh`, and the seconds between
    steady refreshes (the console's `ui.refresh_interval`, or `--refresh`)."""

    refresh: Callable[[], Snapshot]
    pace: float


class _Counter:
    """The server's counters for this run, or why there are none (`note`)."""

    def __init__(self, db: Database | None) -> None:
        self.reads = ServerReads.beside(db) if db is not None else None
        self.note = "" if self.reads else "no database server (SQLite)"
        self._try(lambda reads: reads.calibrate())

    def _try(self, read: Callable[[ServerReads], T]) -> T | None:
        if self.reads is None:
            return None
        try:
            return read(self.reads)
        except SourceUnavailable as exc:
            self.drop(str(exc))
            return None

    def drop(self, why: str) -> None:
        """No rows-read figures from now on, because `why`."""
        self.close()
        self.note = why

    def close(self) -> None:
        if self.reads is not None:
            self.reads.close()
        self.reads = None

    def around(self, refresh: Callable[[], Snapshot]) -> tuple[Snapshot, Interval | None]:
        """Refresh between two readings: the snapshot and the rows read (None: unknown)."""
        before = self._try(lambda reads: reads.total())
        snapshot = refresh()
        if before is None:
            return snapshot, None
        return snapshot, self._try(lambda reads: reads.since(before))


def run_refresh_bench(
    refresh: Callable[[], Snapshot],
    db: Database | None,
    runs: int,
    pace: float,
    progress: Progress | None = None,
) -> BenchResult:
    """Time a first refresh then `runs` steady ones `pace` s apart; rows read from `db`'s
    server (None: none counted). `refresh` must be a fresh engine's, not yet refreshed."""
    if runs < 1:
        raise GtTuiError(f"runs must be at least 1 (got {runs})")
    if pace < 0:
        raise GtTuiError(f"pace must be 0 s or more (got {pace:g})")
    counter = _Counter(db)
    try:
        first, first_rows = counter.around(refresh)
        kind = first.dolt.server
        if not counters_available(kind) and not counter.note:
            counter.drop(f"{kind} has no Handler_read_* counters")
        steady: list[tuple[Snapshot, Interval | None]] = []
        for index in range(runs):
            time.sleep(pace)
            steady.append(counter.around(refresh))
            if progress is not None:
                progress((index + 1) / runs)
        cost = counter.reads.cost_samples if counter.reads else ()
    finally:
        counter.close()
    counted = [first_rows, *(i for _, i in steady)]
    # A figure only where every reading worked: a server lost half-way says "not available".
    available = not counter.note and None not in counted
    rows = [i.rows for _, i in steady if i is not None] if available else []
    summary = {
        "server": kind,
        "pace_s": pace,
        "first": _first(first, first_rows.rows if available and first_rows else None),
        "steady": _steady([s for s, _ in steady], rows),
        "rows_read": _rows_note(available, counter.note, cost, counted),
    }
    return _result(runs, first, [s for s, _ in steady], rows, summary)


def _rows_note(
    available: bool, note: str, cost: Sequence[int], counted: Sequence[Interval | None]
) -> dict[str, Any]:
    """How rows read was counted: its scope, the reading's own cost, the clamped intervals."""
    if not available:
        return {"available": False, "note": note or "a reading failed", "scope": None}
    return {
        "available": True,
        "note": "",
        "scope": SCOPE,
        "reading_cost": round(statistics.median(cost)),
        "reading_cost_samples": list(cost),
        "clamped": sum(1 for i in counted if i is not None and i.clamped),
    }


def _first(snapshot: Snapshot, rows: int | None) -> dict[str, Any]:
    return {"ms": snapshot.engine.refresh_ms, "queries": snapshot.engine.queries, "rows_read": rows}


def _steady(snapshots: Sequence[Snapshot], rows: Sequence[int]) -> dict[str, Any]:
    ms = [s.engine.refresh_ms for s in snapshots]
    queries = [s.engine.queries for s in snapshots]
    return {
        "ms_p50": percentile(ms, 50),
        "ms_p95": percentile(ms, 95),
        "queries": _int(percentile(queries, 50)),
        "queries_max": max(queries),
        "rows_read_p50": _int(percentile(rows, 50)),
        "rows_read_p95": _int(percentile(rows, 95)),
        "rows_read_max": max(rows) if rows else None,
        "rows_read": list(rows) if rows else None,
    }


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


def _result(
    runs: int,
    first: Snapshot,
    steady: Sequence[Snapshot],
    rows: Sequence[int],
    summary: dict[str, Any],
) -> BenchResult:
    groups = [
        make_group("first", [first.engine.refresh_ms]),
        make_group("steady", [s.engine.refresh_ms for s in steady]),
    ]
    if rows:
        groups.append(make_group(ROWS_GROUP, [float(r) for r in rows]))
    return make_result("refresh", runs, "ms", groups, summary, "steady")


def refresh_json(result: BenchResult) -> dict[str, Any]:
    """The refresh result as JSON: `schema`, `type`, `runs`, the summary (`first`, `steady`,
    `rows_read`, `server`, `pace_s`) on top, then every field of the saved result."""
    return {"schema": 1, "type": "refresh", **result.params, **result.to_json()}
