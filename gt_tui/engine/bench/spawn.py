"""Polecat spawns, timed: worktree, tmux session, the agent's ready marker; then teardown.

A spawn is timed from its start to the agent's ready marker on screen: worktree (added,
or taken from the pool), tmux session on the scratch town's private socket running a tiny
agent, then polling `capture-pane` until the marker shows (bounded by `ready_timeout`).
Teardown (kill the session; remove the worktree, or return it to the pool) is not timed.
Pool creation happens before the clock starts, as a pool would be made ahead of time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gt_tui.engine.bench.scratch import Scratch
from gt_tui.engine.ops.worktree_pool import create_pool
from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.settings import Settings
from gt_tui.town.polecat_pool import release_to_pool, take_from_pool
from gt_tui.town.tmux import TimedServer
from gt_tui.town.worktrees import (
    MAX_POLECAT_DIRS,
    add_polecat,
    new_names,
    remove_polecat,
    start_point,
    worktree_path,
)

READY_MARKER = "GTTUI-READY"
# The tiny agent: prints the marker (split, so the command line itself never shows it).
AGENT_COMMAND = "printf '%s-%s\\n' GTTUI READY; exec sleep 600"
READY_TIMEOUT = 15.0
READY_POLL = 0.02


def spawn_series(
    scratch: Scratch, runs: int, from_pool: bool, tick: Callable[[], None], ready_timeout: float
) -> list[float]:
    """`runs` timed spawns (seconds each), cold or from a pool made first (untimed)."""
    start = start_point(scratch.town, scratch.rig)
    if from_pool:
        settings = Settings.defaults().with_value("polecat.max_per_rig", MAX_POLECAT_DIRS)
        create_pool(scratch.town, scratch.rig.name, runs, settings, prefer_gt=False)
        tick()
    names = new_names(scratch.rig, [], runs)
    samples = []
    for index in range(runs):
        began = time.perf_counter()
        name = _take(scratch, start, names[index], from_pool)
        _start_agent(scratch, name, ready_timeout)
        samples.append(time.perf_counter() - began)
        _teardown(scratch, name, from_pool)
        tick()
    return samples


def _take(scratch: Scratch, start: str, name: str, from_pool: bool) -> str:
    if not from_pool:
        add_polecat(scratch.town, scratch.rig, name, start)
        return name
    path = take_from_pool(scratch.town, scratch.rig.name)
    if path is None:
        raise GtTuiError("the scratch pool ran dry (a pooled polecat was not released)")
    return path.parent.name


def _start_agent(scratch: Scratch, name: str, ready_timeout: float) -> None:
    session = scratch.rig.session_name(name)
    cwd = worktree_path(scratch.town, scratch.rig, name)
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


def _teardown(scratch: Scratch, name: str, from_pool: bool) -> None:
    session = scratch.rig.session_name(name)
    TimedServer(socket_name=scratch.town.tmux_socket).cmd("kill-session", "-t", f"={session}")
    scratch.sessions.discard(session)
    if from_pool:
        release_to_pool(scratch.town, scratch.rig.name, name)
    else:
        remove_polecat(scratch.town, scratch.rig, name)
