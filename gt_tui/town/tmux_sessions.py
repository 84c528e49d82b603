"""The town's tmux sessions as gt names them: role and rig from the name, age, liveness, memory.

gt names its sessions `hq-mayor`, `hq-deacon`, `hq-boot`, `hq-overseer`, `hq-dog-<n>` for
the town and `<rig prefix>-witness`, `-refinery`, `-crew-<name>` or `-<Name>` (a polecat)
for a rig. Liveness is `tmux_panes`' (gt's zombie test).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from gt_tui.town.model import Town
from gt_tui.town.tmux import TmuxSession, list_sessions
from gt_tui.town.tmux_panes import Pane, list_panes, session_verdict, tree_rss

TOWN_ROLES = {"hq-mayor": "mayor", "hq-deacon": "deacon", "hq-boot": "boot"}
TOWN_ROLES |= {"hq-overseer": "overseer"}


@dataclass(frozen=True)
class TownSession:
    """A session on the town socket: gt role, times, liveness and process-tree memory."""

    name: str
    role: str
    rig: str | None
    created: datetime
    last_activity: datetime
    age_s: float
    idle_s: float
    alive: bool
    reason: str
    memory_bytes: int
    panes: int


def classify(name: str, town: Town) -> tuple[str, str | None]:
    """(role, rig) of a session from gt's naming; ("other", None) for a name gt does not use."""
    if name in TOWN_ROLES:
        return TOWN_ROLES[name], None
    if name.startswith("hq-dog-"):
        return "dog", None
    for rig in sorted(town.rigs, key=lambda r: len(r.prefix), reverse=True):
        head = f"{rig.prefix}-"
        if not name.startswith(head) or len(name) == len(head):
            continue
        rest = name[len(head) :]
        if rest in ("witness", "refinery"):
            return rest, rig.name
        return ("crew" if rest.startswith("crew-") else "polecat"), rig.name
    return "other", None


def list_town_sessions(town: Town, now: float | None = None) -> list[TownSession]:
    """Sessions on the town socket, with role, age, idle time, liveness and memory."""
    sessions = list_sessions(town.tmux_socket)
    panes: dict[str, list[Pane]] = defaultdict(list)
    for pane in list_panes(town.tmux_socket):
        panes[pane.session].append(pane)
    moment = time.time() if now is None else now
    return [_describe(town, s, panes.get(s.name, []), moment) for s in sessions]


def _describe(town: Town, session: TmuxSession, panes: list[Pane], now: float) -> TownSession:
    role, rig = classify(session.name, town)
    reason = session_verdict(town.tmux_socket, session.name, panes)
    return TownSession(
        name=session.name,
        role=role,
        rig=rig,
        created=datetime.fromtimestamp(session.created, UTC),
        last_activity=datetime.fromtimestamp(session.activity, UTC),
        age_s=max(0.0, now - session.created),
        idle_s=max(0.0, now - session.activity),
        alive=not reason,
        reason=reason,
        memory_bytes=tree_rss(p.pid for p in panes if not p.dead),
        panes=len(panes),
    )
