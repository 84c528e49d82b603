"""Benchmarks (spec section 10), the runner: each kind's entry point, progress and result.

Dolt queries (`run_dolt_bench`, measured in `dolt`), polecat spawns
(`run_polecat_bench`, `run_polecat_comparison`: spawns in `spawn`, in a scratch town
from `scratch`) and the convoy view (`run_convoy_bench`). Every number is a
measurement (`time.perf_counter`), never a constant or a random draw. Results, statistics,
saving and comparing live in `results` and `compare`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gt_tui.engine.bench.dolt import dolt_level, dolt_queries
from gt_tui.engine.bench.results import BenchResult, make_group, make_result
from gt_tui.engine.bench.scratch import destroy_scratch, make_scratch, source_repo
from gt_tui.engine.bench.spawn import READY_TIMEOUT, spawn_series
from gt_tui.errors import GtTuiError
from gt_tui.settings import Settings
from gt_tui.town.db import Database
from gt_tui.town.model import Town

Progress = Callable[[float], None]


def run_dolt_bench(
    db: Database,
    runs: int,
    concurrency_levels: Sequence[int] | None = None,
    database: str | None = None,
    progress: Progress | None = None,
) -> BenchResult:
    """Probe and beads queries, `runs` rounds per thread at each concurrency; ms and qps.

    Each thread holds its own pooled connection for the whole level (opened before the
    clock starts), so connecting is not measured; the levels default to 1 and the pool's
    `max_open` (the `dolt.max_open_conns` setting) and are capped at it.
    """
    _check_runs(runs)
    queries, skipped = dolt_queries(db, database)
    cap = _pool_cap(db)
    levels = sorted({min(max(1, c), cap) for c in (concurrency_levels or (1, cap))})
    total = sum(levels) * runs * len(queries)
    tick = _ticker(progress, total)
    groups = [dolt_level(db, queries, runs, c, tick) for c in levels]
    params = {
        "probe": queries[0][1],
        "queries": [q[0] for q in queries],
        "skipped": skipped,
        "concurrency": levels,
        "database": database,
        "dialect": db.dialect,
    }
    return make_result("dolt", runs, "ms", groups, params, groups[0].label)


def _pool_cap(db: Database) -> int:
    limits = getattr(getattr(db, "pool", None), "limits", None)
    if limits is not None:
        return int(limits.max_open)
    return Settings.defaults().integer("dolt.max_open_conns")


def run_convoy_bench(
    engine_fn: Callable[[], Any], runs: int, progress: Progress | None = None
) -> BenchResult:
    """Time `runs` builds of the convoy view (any zero-argument callable); seconds."""
    _check_runs(runs)
    tick = _ticker(progress, runs)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        engine_fn()
        samples.append(time.perf_counter() - start)
        tick()
    total = sum(samples)
    group = make_group("convoy view", samples, runs / total if total > 0 else None)
    name = getattr(engine_fn, "__qualname__", type(engine_fn).__name__)
    return make_result("convoy", runs, "s", [group], {"callable": name}, group.label)


def run_polecat_bench(
    where: Town | Path | None,
    runs: int,
    from_pool: bool,
    socket: str | None = None,
    progress: Progress | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> BenchResult:
    """`runs` polecat spawns in a scratch area, cold (worktree add) or from a pre-made pool.

    How a spawn is timed: `spawn`. `where` is a directory for the scratch area, or a
    town whose first rig's repository is shared into the scratch repo (so checkouts are
    that repo's size); nothing of the town is changed. Everything made is removed at the
    end, even on error.
    """
    _check_runs(runs)
    scratch = make_scratch(where, socket)
    try:
        tick = _ticker(progress, runs + (1 if from_pool else 0))
        samples = spawn_series(scratch, runs, from_pool, tick, ready_timeout)
    finally:
        destroy_scratch(scratch)
    label = "pool" if from_pool else "cold"
    group = make_group(label, samples)
    params = {"mode": label, "source": str(source_repo(where) or "seeded scratch repo")}
    return make_result("polecat", runs, "s", [group], params, label)


def run_polecat_comparison(
    where: Town | Path | None,
    runs: int,
    socket: str | None = None,
    progress: Progress | None = None,
) -> BenchResult:
    """Cold then pooled spawns in one result (groups `cold` and `pool`; headline `pool`)."""
    cold = run_polecat_bench(where, runs, False, socket, _half(progress, 0.0))
    pooled = run_polecat_bench(where, runs, True, socket, _half(progress, 0.5))
    groups = [cold.groups[0], pooled.groups[0]]
    params = {**pooled.params, "mode": "cold vs pool"}
    return make_result("polecat", runs, "s", groups, params, "pool")


def _half(progress: Progress | None, offset: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress(offset + fraction / 2)


def _check_runs(runs: int) -> None:
    if runs < 1:
        raise GtTuiError(f"runs must be at least 1 (got {runs})")


def _ticker(progress: Progress | None, total: int) -> Callable[[], None]:
    """A function to call once per step; reports done/total to `progress` (thread-safe)."""
    if progress is None or total <= 0:
        return lambda: None
    done = [0]
    lock = threading.Lock()

    def tick() -> None:
        with lock:
            done[0] += 1
            fraction = min(1.0, done[0] / total)
        progress(fraction)

    return tick
