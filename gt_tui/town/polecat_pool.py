"""gt's polecat pool as the machine shows it: which polecats are idle, claiming and releasing.

Idle or in use. gt records a polecat's state in its agent bead; this module does not
write beads, so it decides from what the machine shows. A polecat is **in use** when
- its tmux session `<prefix>-<Name>` is on the town socket with a live pane, or
- its heartbeat `<town>/.runtime/heartbeats/<session>.json` says `"state": "working"`
  (a heartbeat without `state`, gt's v1 form, means working) and is fresher than gt's
  staleness limit (`operational.polecat.heartbeat_stale_threshold`, default 3 minutes);
otherwise it is **idle**. Pooled polecats get an `idle` heartbeat when created (gt's file
format: timestamp, state, context), and `take_from_pool` flips it to `working` so the
same worktree is never handed out twice while its agent is starting.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.town.heartbeats import IDLE, WORKING, heartbeat_working, write_heartbeat
from gt_tui.town.model import Rig, Town
from gt_tui.town.operational import polecat_heartbeat_stale_s
from gt_tui.town.tmux import list_sessions
from gt_tui.town.worktrees import (
    MAX_POLECAT_DIRS,
    add_polecat,
    find_rig,
    heartbeat_path,
    polecat_names,
    start_point,
    worktree_path,
)

_take_lock = threading.Lock()


@dataclass(frozen=True)
class Polecat:
    """One polecat directory of a rig, and whether something is using it (and what)."""

    rig: str
    name: str
    path: Path
    session: str
    in_use: bool
    reason: str = ""

    @property
    def state(self) -> str:
        return "in use" if self.in_use else "idle"


@dataclass(frozen=True)
class RigPool:
    """A rig's polecats, split idle / in use, with the rig's cap on polecat directories."""

    rig: str
    cap: int
    polecats: tuple[Polecat, ...]

    @property
    def idle(self) -> tuple[Polecat, ...]:
        return tuple(p for p in self.polecats if not p.in_use)

    @property
    def in_use(self) -> tuple[Polecat, ...]:
        return tuple(p for p in self.polecats if p.in_use)


def read_pool(town: Town, cap: int = MAX_POLECAT_DIRS, now: float | None = None) -> list[RigPool]:
    """Every rig's polecats, idle and in use (module docstring), each pool showing `cap`."""
    live = _live_sessions(town)
    moment = time.time() if now is None else now
    stale_s = polecat_heartbeat_stale_s(town.root)
    pools = []
    for rig in town.rigs:
        names = polecat_names(town, rig)
        found = (_polecat(town, rig, name, live, (moment, stale_s)) for name in names)
        pools.append(RigPool(rig.name, cap, tuple(found)))
    return pools


def _polecat(
    town: Town, rig: Rig, name: str, live: set[str], clock: tuple[float, float]
) -> Polecat:
    session = rig.session_name(name)
    path = worktree_path(town, rig, name)
    if session in live:
        return Polecat(rig.name, name, path, session, True, f"tmux session {session} is live")
    if heartbeat_working(heartbeat_path(town, session), *clock):
        return Polecat(rig.name, name, path, session, True, "heartbeat says working")
    return Polecat(rig.name, name, path, session, False)


def _live_sessions(town: Town) -> set[str]:
    """Sessions with a live pane on the town socket; none where tmux is missing."""
    try:
        return {s.name for s in list_sessions(town.tmux_socket) if not s.pane_dead}
    except SourceUnavailable:
        return set()  # no tmux: no agent can be running in a session


def add_idle_polecats(
    town: Town, rig: Rig, names: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Add polecats `names` with git, each with an `idle` heartbeat: (created, failed lines)."""
    created: list[str] = []
    failed: list[str] = []
    start = start_point(town, rig) if names else "HEAD"
    for name in names:
        try:
            add_polecat(town, rig, name, start)
        except GtTuiError as err:
            failed.append(f"{name}: {err}")
            continue
        write_heartbeat(town, rig.session_name(name), IDLE, "pooled by gt-tui")
        created.append(name)
    return tuple(created), tuple(failed)


def take_from_pool(town: Town, rig_name: str) -> Path | None:
    """An idle polecat's worktree, claimed (heartbeat `working`); None when none is idle."""
    rig = find_rig(town, rig_name)
    with _take_lock:
        pool = next(p for p in read_pool(town) if p.rig == rig.name)
        idle = [p for p in pool.idle if p.path.is_dir()]
        if not idle:
            return None
        chosen = idle[0]
        write_heartbeat(town, chosen.session, WORKING, "claimed from the pool by gt-tui")
        return chosen.path


def release_to_pool(town: Town, rig_name: str, name: str) -> None:
    """Mark a polecat idle again once its session has ended (its worktree is kept)."""
    rig = find_rig(town, rig_name)
    write_heartbeat(town, rig.session_name(name), IDLE, "returned to the pool by gt-tui")
