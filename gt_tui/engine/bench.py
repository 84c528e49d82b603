"""Benchmarks (spec section 10): Dolt queries, polecat spawns and the convoy view, measured.

Every number here is a measurement taken by this module (`time.perf_counter`), never a
constant or a random draw. Results, statistics, saving and `compare` live in
`bench_results` and are re-exported here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gt_tui.engine import worktree_pool as pool
from gt_tui.engine.bench_results import (
    BenchGroup,
    BenchResult,
    Comparison,
    compare,
    load_result,
    make_group,
    make_result,
    save_result,
)
from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.settings import Settings
from gt_tui.town.db import Database, quote_name
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.git import run_git
from gt_tui.town.model import Rig, Town
from gt_tui.town.tmux import TimedServer

__all__ = [
    "BenchResult",
    "Comparison",
    "compare",
    "load_result",
    "run_convoy_bench",
    "run_dolt_bench",
    "run_polecat_bench",
    "run_polecat_comparison",
    "save_result",
]

Progress = Callable[[float], None]
READY_MARKER = "GTTUI-READY"
# The tiny agent: prints the marker (split, so the command line itself never shows it).
AGENT_COMMAND = "printf '%s-%s\\n' GTTUI READY; exec sleep 600"
READY_TIMEOUT = 15.0
READY_POLL = 0.02
_SEED_FILES = 200  # a scratch repository big enough that checking it out costs something
_IDENTITY = (("NAME", "gt-tui bench"), ("EMAIL", "bench@gt-tui.invalid"))


# ---------------------------------------------------------------- Dolt


def detect_dolt(db: Database) -> bool:
    """Whether the server is Dolt: `SELECT dolt_version()` answers only there."""
    try:
        db.query("SELECT dolt_version()")
    except Exception:  # any refusal (unknown function, on MySQL or SQLite) means "not Dolt"
        return False
    return True


def dolt_queries(db: Database, database: str | None) -> tuple[list[tuple[str, str, tuple]], list]:
    """The probe plus representative beads queries that `database` has tables for."""
    probe = "SELECT active_branch()" if detect_dolt(db) else "SELECT 1"
    queries: list[tuple[str, str, tuple]] = [("probe", probe, ())]
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
    groups = [_dolt_level(db, queries, runs, c, tick) for c in levels]
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
    return int(Settings.defaults()["dolt.max_open_conns"])  # type: ignore[arg-type]


def _dolt_level(
    db: Database, queries: list[tuple[str, str, tuple]], runs: int, threads: int, tick: Callable
) -> BenchGroup:
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


def _timed_rounds(run: Callable, queries: list, runs: int, tick: Callable) -> list[float]:
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
def _own_connection(db: Database) -> Iterator[Callable[[str, tuple], Any]]:
    """A query function bound to one pooled connection (MySQL), or the db itself (SQLite)."""
    connections = getattr(db, "pool", None)
    if connections is None:
        yield lambda sql, params: db.query(sql, params)
        return
    with connections.connection() as conn:

        def run(sql: str, params: tuple) -> Any:
            with conn.cursor() as cur:
                cur.execute(sql, params or None)
                return cur.fetchall()

        yield run


# ---------------------------------------------------------------- convoy view


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


# ---------------------------------------------------------------- polecat spawns


@dataclass
class _Scratch:
    """A throwaway town with one rig and a bare repo, on its own tmux socket."""

    root: Path
    town: Town
    rig: Rig
    owns_socket: bool
    sessions: set[str] = field(default_factory=set)


def run_polecat_bench(
    where: Town | Path | None,
    runs: int,
    from_pool: bool,
    socket: str | None = None,
    progress: Progress | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> BenchResult:
    """`runs` polecat spawns in a scratch area, cold (worktree add) or from a pre-made pool.

    A spawn is timed from its start to the agent's ready marker on screen: worktree (added,
    or taken from the pool), tmux session on a private socket running a tiny agent, then
    polling `capture-pane` until the marker shows (bounded by `ready_timeout`). Teardown
    (kill the session; remove the worktree, or return it to the pool) is not timed. Pool
    creation happens before the clock starts, as a pool would be made ahead of time.
    `where` is a directory for the scratch area, or a town whose first rig's repository is
    shared into the scratch repo (so checkouts are that repo's size); nothing of the town
    is changed. Everything made is removed at the end, even on error.
    """
    _check_runs(runs)
    scratch = _make_scratch(where, socket)
    try:
        tick = _ticker(progress, runs + (1 if from_pool else 0))
        samples = _spawn_series(scratch, runs, from_pool, tick, ready_timeout)
    finally:
        _destroy_scratch(scratch)
    label = "pool" if from_pool else "cold"
    group = make_group(label, samples)
    params = {"mode": label, "source": str(_source_repo(where) or "seeded scratch repo")}
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


def _spawn_series(
    scratch: _Scratch, runs: int, from_pool: bool, tick: Callable, ready_timeout: float
) -> list[float]:
    start = pool.start_point(scratch.town, scratch.rig)
    if from_pool:
        settings = Settings.defaults().with_value("polecat.max_per_rig", pool.MAX_POLECAT_DIRS)
        pool.create_pool(scratch.town, scratch.rig.name, runs, settings, prefer_gt=False)
        tick()
    names = pool.new_names(scratch.rig, [], runs)
    samples = []
    for index in range(runs):
        began = time.perf_counter()
        name = _take(scratch, start, names[index], from_pool)
        _start_agent(scratch, name, ready_timeout)
        samples.append(time.perf_counter() - began)
        _teardown(scratch, name, from_pool)
        tick()
    return samples


def _take(scratch: _Scratch, start: str, name: str, from_pool: bool) -> str:
    if not from_pool:
        pool.add_polecat(scratch.town, scratch.rig, name, start)
        return name
    path = pool.take_from_pool(scratch.town, scratch.rig.name)
    if path is None:
        raise GtTuiError("the scratch pool ran dry (a pooled polecat was not released)")
    return path.parent.name


def _start_agent(scratch: _Scratch, name: str, ready_timeout: float) -> None:
    session = scratch.rig.session_name(name)
    cwd = pool.worktree_path(scratch.town, scratch.rig, name)
    server = TimedServer(socket_name=scratch.town.tmux_socket)
    scratch.sessions.add(session)
    made = server.cmd(
        "new-session", "-d", "-s", session, "-c", str(cwd), "-x", "80", "-y", "24", AGENT_COMMAND
    )
    if made.returncode != 0:
        raise SourceUnavailable(f"tmux new-session {session}: {' '.join(made.stderr)}")
    wait_for_marker(server, session, ready_timeout)


def wait_for_marker(server: TimedServer, session: str, timeout: float) -> None:
    """Poll the session's pane until the ready marker shows; SourceUnavailable on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        shown = server.cmd("capture-pane", "-p", "-t", f"={session}:")
        if shown.returncode == 0 and any(READY_MARKER in line for line in shown.stdout):
            return
        if time.monotonic() >= deadline:
            raise SourceUnavailable(f"agent in {session} not ready within {timeout:g}s")
        time.sleep(READY_POLL)


def _teardown(scratch: _Scratch, name: str, from_pool: bool) -> None:
    session = scratch.rig.session_name(name)
    TimedServer(socket_name=scratch.town.tmux_socket).cmd("kill-session", "-t", f"={session}")
    scratch.sessions.discard(session)
    if from_pool:
        pool.release_to_pool(scratch.town, scratch.rig.name, name)
    else:
        pool.remove_polecat(scratch.town, scratch.rig, name)


def _source_repo(where: Town | Path | None) -> Path | None:
    if not isinstance(where, Town) or not where.rigs:
        return None
    with suppress(GtTuiError):
        return pool.repo_base(where, where.rigs[0])
    return None


def _make_scratch(where: Town | Path | None, socket: str | None) -> _Scratch:
    parent = where if isinstance(where, Path) else None
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="gt-tui-bench-", dir=parent))
    rig = Rig("bench", "bn", "bench")
    name = socket or f"gt-tui-bench-{secrets.token_hex(4)}"
    town = Town(root, "bench", (rig,), "hq", Endpoint(), name)
    scratch = _Scratch(root, town, rig, owns_socket=socket is None)
    try:
        _make_repo(root / rig.name / ".repo.git", _source_repo(where))
    except BaseException:
        _destroy_scratch(scratch)
        raise
    return scratch


def _make_repo(bare: Path, source: Path | None) -> None:
    """A bare repo: a mirror of `source` borrowing its objects (nothing copied), or seeded."""
    bare.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        run_git(["clone", "-q", "--mirror", "--shared", str(source), str(bare)], bare.parent, 120)
        return
    seed = bare.parent / "seed"
    seed.mkdir()
    for index in range(_SEED_FILES):
        (seed / f"file{index:03d}.txt").write_text(f"scratch file {index}\n" * 20)
    env = {
        f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in _IDENTITY
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        run_git(args, seed, env=env)
    run_git(["clone", "-q", "--bare", str(seed), str(bare)], bare.parent)
    shutil.rmtree(seed)


def _destroy_scratch(scratch: _Scratch) -> None:
    """Kill what the bench started and delete the scratch area (never raises)."""
    server = TimedServer(socket_name=scratch.town.tmux_socket)
    with suppress(GtTuiError):
        if scratch.owns_socket:
            server.cmd("kill-server")
        for session in scratch.sessions:
            server.cmd("kill-session", "-t", f"={session}")
    if scratch.owns_socket:  # tmux 3.3 leaves the socket file behind after kill-server
        _socket_file(scratch.town.tmux_socket).unlink(missing_ok=True)
    shutil.rmtree(scratch.root, ignore_errors=True)


def _socket_file(name: str) -> Path:
    return Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / name


# ---------------------------------------------------------------- helpers


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
