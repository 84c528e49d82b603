"""The town's tmux sessions, listed again only when the tmux server's panes came or went.

`tmux list-sessions` is a fork and exec each refresh: some 9 ms of the console's CPU under
load, plus the child's own, which the idle figures count. What the tmux reader uses of the
listing (which sessions, each pane's pid, dead or not) changes only with a pane opened or
closed, and the server shows each at once in what the engine already reads:
- a pane opened (a new session) is a new pty descriptor of the server and a new child in
  the process table (a pane's process is the server's child);
- a session killed closes its pane's pty descriptor before `kill-session` returns, while the
  pane's process may outlive it (one that ignores SIGHUP stays the server's child);
- a pane that died under `remain-on-exit` closes its descriptor, and its process is gone.
So the mark is the server's pid and start time, its descriptors but its sockets (a
`listdir` and a `readlink` each of `/proc/<pid>/fd`), and its children's pids; it is taken
before the listing, so a change during the listing shows next refresh. A rename or another
pane made active moves neither: the listing is read at least every `TMUX_LIST_MAX_AGE_S`
seconds, as the sources on a cadence are (engine/cadence.py). Without a server known from a
live pane, or where `/proc` cannot be read, it is listed every refresh. The reader itself
still runs every refresh: its agents' process trees and CPU are read afresh from the
process table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gt_tui.engine.proc_table import PROC, ProcTable
from gt_tui.town.tmux import TmuxSession

TMUX_LIST_MAX_AGE_S = 10.0


@dataclass(frozen=True)
class ServerMark:
    """What the tmux server shows of its panes: pid, start, descriptors, children."""

    pid: int
    start: float
    fds: frozenset[str]
    children: frozenset[int]


@dataclass(frozen=True)
class TmuxListing:
    """The last listing, when it was taken, and the server's mark just before it (None:
    unknown, list again)."""

    sessions: list[TmuxSession]
    at: datetime
    server: int | None
    mark: ServerMark | None


def server_of(sessions: list[TmuxSession], table: ProcTable) -> int | None:
    """The server's pid: the parent of a live pane's process."""
    for session in sessions:
        info = table.get(session.pane_pid) if session.pane_pid else None
        if info is not None and not session.pane_dead:
            return info.ppid
    return None


def server_mark(pid: int | None, table: ProcTable) -> ServerMark | None:
    """The server's mark now; None when there is no server to mark or `/proc` says nothing."""
    info = table.get(pid) if pid else None
    if pid is None or info is None:
        return None
    try:
        fds = own_descriptors(pid)
    except OSError:  # gone, not ours, or no /proc
        return None
    children = frozenset(child for child, c in table.items() if c.ppid == pid)
    return ServerMark(pid, info.start, fds, children)


def own_descriptors(pid: int) -> frozenset[str]:
    """The server's descriptors but its sockets: a client's connection (every tmux command,
    ours included, and gt's own polling) comes and goes without a pane changing."""
    fd_dir = f"{PROC}/{pid}/fd"
    kept = set()
    for name in os.listdir(fd_dir):
        try:
            if not os.readlink(f"{fd_dir}/{name}").startswith("socket:"):
                kept.add(name)
        except FileNotFoundError:  # closed during the pass: not there
            continue
    return frozenset(kept)


def sessions_now(
    last: TmuxListing | None,
    table: ProcTable,
    now: datetime,
    list_sessions: Callable[[], list[TmuxSession]],
) -> TmuxListing:
    """The last listing while the server's mark stands and it is young; else a new one."""
    mark = server_mark(last.server if last else None, table)
    if last is not None and last.mark is not None and mark == last.mark:
        age = (now - last.at).total_seconds()
        if 0 <= age < TMUX_LIST_MAX_AGE_S:
            return last
    sessions = list_sessions()
    server = server_of(sessions, table)
    return TmuxListing(sessions, now, server, mark if mark and mark.pid == server else None)
