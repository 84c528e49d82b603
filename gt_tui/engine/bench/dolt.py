"""The Dolt query benchmark's measuring: which queries to time, and timing them on threads.

Every number is a `time.perf_counter` measurement. Each thread holds its own pooled
connection for the whole level (opened, and warmed, before the clock starts), so
connecting is not measured; `bench.run_dolt_bench` picks the levels and builds the result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from gt_tui.engine.bench.results import BenchGroup, make_group
from gt_tui.town.db import Database, quote_name

Query = tuple[str, str, tuple[Any, ...]]  # label, SQL, parameters
Run = Callable[[str, tuple[Any, ...]], Any]  # runs one statement, returns its rows


def detect_dolt(db: Database) -> bool:
    """Whether the server is Dolt: `SELECT dolt_version()` answers only there."""
    try:
        db.query("SELECT dolt_version()")
    except Exception:  # any refusal (unknown function, on MySQL or SQLite) means "not Dolt"
        return False
    return True


def dolt_queries(db: Database, database: str | None) -> tuple[list[Query], list[str]]:
    """The probe plus representative beads queries that `database` has tables for."""
    probe = "SELECT active_branch()" if detect_dolt(db) else "SELECT 1"
    queries: list[Query] = [("probe", probe, ())]
    skipped: list[str] = []
    if database is None:
        return queries, skipped
    schema = quote_name(database)
    tables = {t for (_, t) in db.table_columns([database])}
    wanted = [
        (
            "issues",
            "open issues by status",
            f"SELECT id, title, priority FROM {schema}.`issues` WHERE status = %s"
            " ORDER BY priority, created_at LIMIT 100",
            ("open",),
        ),
        (
            "labels",
            "labels lookup",
            f"SELECT issue_id FROM {schema}.`labels` WHERE label = %s LIMIT 100",
            ("gt:agent",),
        ),
    ]
    for table, label, sql, params in wanted:
        if table in tables:
            queries.append((label, sql, params))
        else:
            skipped.append(f"{label} (no {database}.{table})")
    return queries, skipped


def dolt_level(
    db: Database, queries: list[Query], runs: int, threads: int, tick: Callable[[], None]
) -> BenchGroup:
    """`runs` rounds of `queries` on each of `threads` threads, started together; ms and qps."""
    samples: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    started: list[float] = []
    gate = threading.Barrier(threads, action=lambda: started.append(time.perf_counter()))

    def worker() -> None:
        try:
            with _own_connection(db) as run:
                run(queries[0][1], ())  # warm: the connection is open before the clock starts
                gate.wait()
                mine = _timed_rounds(run, queries, runs, tick)
            with lock:
                samples.extend(mine)
        except BaseException as err:  # reported in the caller's thread
            gate.abort()
            errors.append(err)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    _raise_first(errors)
    wall = time.perf_counter() - started[0]
    return make_group(f"concurrency={threads}", samples, len(samples) / wall if wall > 0 else None)


def _timed_rounds(
    run: Run, queries: list[Query], runs: int, tick: Callable[[], None]
) -> list[float]:
    mine = []
    for _ in range(runs):
        for _label, sql, params in queries:
            start = time.perf_counter()
            run(sql, params)
            mine.append((time.perf_counter() - start) * 1000.0)
            tick()
    return mine


def _raise_first(errors: list[BaseException]) -> None:
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]


@contextmanager
def _own_connection(db: Database) -> Iterator[Run]:
    """A query function bound to one pooled connection (MySQL), or the db itself (SQLite)."""
    connections = getattr(db, "pool", None)
    if connections is None:
        yield lambda sql, params: db.query(sql, params)
        return
    with connections.connection() as conn:

        def run(sql: str, params: tuple[Any, ...]) -> Any:
            with conn.cursor() as cur:
                cur.execute(sql, params or None)
                return cur.fetchall()

        yield run
