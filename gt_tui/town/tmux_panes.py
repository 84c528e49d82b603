"""Whether a town pane is alive, by gt's own zombie test, and what its process tree holds.

A pane is not alive when
- tmux says its pane is dead (`#{pane_dead}`: the command exited under `remain-on-exit`),
- its process is gone (no such pid, or a zombie), or
- gt's agent is gone: the session declares its agent's process names (`GT_PROCESS_NAMES`,
  or `GT_AGENT`, in the session environment, as gt sets them), the pane is back at a bare
  shell, and no process in the shell's tree has one of those names. This is gt's own
  zombie test (`IsAgentAlive`). A shell in a session that declares no agent is a person's
  shell and always counts as alive.
Every tmux call goes to the town's own socket through `TimedServer` (a timeout on each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from gt_tui.safe_text import safe_text
from gt_tui.town.tmux import TimedServer

SHELLS = frozenset({"sh", "bash", "zsh", "fish", "dash", "ksh", "mksh", "tcsh", "csh"})
# gt's process names for an agent preset when only GT_AGENT is set (Claude runs on node).
AGENT_PROCESS_NAMES = {"claude": ("node", "claude")}
_PANE_FORMAT = "\t".join(
    ("#{session_name}", "#{pane_dead}", "#{pane_pid}", "#{pane_current_command}")
)


@dataclass(frozen=True)
class Pane:
    """One pane as `list-panes -a` reports it."""

    session: str
    dead: bool
    pid: int | None
    command: str


def list_panes(socket: str) -> list[Pane]:
    """Every pane on the socket; none when no server runs there."""
    result = TimedServer(socket_name=socket).cmd("list-panes", "-a", "-F", _PANE_FORMAT)
    if result.returncode != 0:
        return []
    return [_pane(line) for line in result.stdout if line.count("\t") == 3]


def _pane(line: str) -> Pane:
    session, dead, pid, command = line.split("\t")
    pid_number = int(pid) if pid.isdigit() else None
    return Pane(safe_text(session), dead == "1", pid_number, safe_text(command))


def pane_verdict(pane: Pane, agent_names: Iterable[str] = ()) -> str:
    """Why a pane is not alive ("pane dead", "process gone", "agent gone"); "" when alive."""
    if pane.dead:
        return "pane dead"
    proc = _running(pane.pid)
    if proc is None:
        return "process gone"
    names = set(agent_names)
    if names and _name(proc) in SHELLS and not _tree_has(proc, names):
        return "agent gone"
    return ""


def session_verdict(socket: str, session: str, panes: list[Pane]) -> str:
    """ "" when some pane is alive, else the reasons its panes are not (deduplicated)."""
    if not panes:
        return ""  # a session without panes vanished between two listings; leave it be
    names: tuple[str, ...] | None = None
    reasons = []
    for pane in panes:
        if names is None and not pane.dead and _shell_pane(pane):
            names = agent_names(socket, session)  # asked only when a shell could hide a death
        verdict = pane_verdict(pane, names or ())
        if not verdict:
            return ""
        reasons.append(verdict)
    return ", ".join(dict.fromkeys(reasons))


def _shell_pane(pane: Pane) -> bool:
    proc = _running(pane.pid)
    return proc is not None and _name(proc) in SHELLS


def _running(pid: int | None) -> psutil.Process | None:
    """The process, or None when it does not exist or is a zombie."""
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def _name(proc: psutil.Process) -> str:
    try:
        return proc.name().lstrip("-")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return ""


def _tree_has(proc: psutil.Process, names: set[str]) -> bool:
    try:
        tree = [proc, *proc.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return any(_name(p) in names or _argv0(p) in names for p in tree)


def _argv0(proc: psutil.Process) -> str:
    try:
        argv = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return ""
    return Path(argv[0]).name if argv else ""


def agent_names(socket: str, session: str) -> tuple[str, ...]:
    """The agent process names gt declared for a session; () when it declares none."""
    server = TimedServer(socket_name=socket)
    for key in ("GT_PROCESS_NAMES", "GT_AGENT"):
        result = server.cmd("show-environment", "-t", f"={session}", key)
        line = result.stdout[0] if result.returncode == 0 and result.stdout else ""
        value = line.partition("=")[2].strip()
        if value and key == "GT_PROCESS_NAMES":
            return tuple(n.strip() for n in value.split(",") if n.strip())
        if value:
            return AGENT_PROCESS_NAMES.get(value, (value,))
    return ()


def tree_rss(pids: Iterable[int | None]) -> int:
    """Resident memory of these processes and all their descendants, each counted once."""
    seen: dict[int, int] = {}
    for pid in pids:
        proc = _running(pid)
        if proc is None:
            continue
        try:
            tree = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for member in tree:
            try:
                seen.setdefault(member.pid, member.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    return sum(seen.values())
