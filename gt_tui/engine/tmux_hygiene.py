"""tmux hygiene on the town socket (spec section 5): list, clean up dead sessions, tune, budget.

Every call goes to the town's own socket through `TimedServer` (a timeout on each), never
to the default tmux server.

When is a session dead? A session is dead when none of its panes is alive. A pane is not
alive when
- tmux says its pane is dead (`#{pane_dead}`: the command exited under `remain-on-exit`),
- its process is gone (no such pid, or a zombie), or
- gt's agent is gone: the session declares its agent's process names (`GT_PROCESS_NAMES`,
  or `GT_AGENT`, in the session environment, as gt sets them), the pane is back at a bare
  shell, and no process in the shell's tree has one of those names. This is gt's own
  zombie test (`IsAgentAlive`). A shell in a session that declares no agent is a person's
  shell and always counts as alive.
`cleanup_dead` kills only dead sessions, and checks each again just before killing it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.safe_text import safe_text
from gt_tui.settings import Settings
from gt_tui.town.model import Town
from gt_tui.town.tmux import TimedServer, TmuxSession, list_sessions

SHELLS = frozenset({"sh", "bash", "zsh", "fish", "dash", "ksh", "mksh", "tcsh", "csh"})
# gt's process names for an agent preset when only GT_AGENT is set (Claude runs on node).
AGENT_PROCESS_NAMES = {"claude": ("node", "claude")}
TOWN_ROLES = {"hq-mayor": "mayor", "hq-deacon": "deacon", "hq-boot": "boot"}
TOWN_ROLES |= {"hq-overseer": "overseer"}
# Option, the setting that gives its value, and whether it is a window option.
TUNED_OPTIONS = (
    ("history-limit", "tmux.history_limit", False),
    ("status-interval", "tmux.status_interval", False),
    ("monitor-activity", "tmux.monitor_activity", True),
)
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


@dataclass(frozen=True)
class OptionChange:
    """A global tmux option before and after `tune`."""

    option: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class SessionBudget:
    """Live sessions against `tmux.max_sessions`; `enforced` for the sandbox's own spawns."""

    sessions: int
    limit: int
    enforced: bool

    @property
    def would_exceed(self) -> bool:
        return self.sessions + 1 > self.limit

    @property
    def message(self) -> str:
        if not self.would_exceed:
            return f"{self.sessions} of {self.limit} tmux sessions in use"
        verb = "refused" if self.enforced else "warning"
        return (
            f"{verb}: a new session would exceed tmux.max_sessions ({self.sessions}/{self.limit})"
        )


class SessionBudgetExceeded(GtTuiError):
    """A spawn was refused because the town already has `tmux.max_sessions` sessions."""


# ---------------------------------------------------------------- naming


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


# ---------------------------------------------------------------- liveness


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


# ---------------------------------------------------------------- listing and cleaning


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
    reason = _session_verdict(town.tmux_socket, session.name, panes)
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


def _session_verdict(socket: str, session: str, panes: list[Pane]) -> str:
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


def cleanup_dead(town: Town) -> list[TownSession]:
    """Kill the dead sessions (module docstring) and only those; the sessions killed."""
    killed = []
    for session in list_town_sessions(town):
        if session.alive or not _still_dead(town.tmux_socket, session.name):
            continue
        result = TimedServer(socket_name=town.tmux_socket).cmd(
            "kill-session", "-t", f"={session.name}"
        )
        if result.returncode == 0:
            killed.append(session)
    return killed


def _still_dead(socket: str, name: str) -> bool:
    panes = [p for p in list_panes(socket) if p.session == name]
    return bool(panes) and bool(_session_verdict(socket, name, panes))


# ---------------------------------------------------------------- tuning and budget


def tune(town: Town, settings: Settings | None = None) -> list[OptionChange]:
    """Apply the spec's global options on the town server (`set-option -g`); before/after."""
    settings = settings or Settings.defaults()
    server = TimedServer(socket_name=town.tmux_socket)
    if server.cmd("list-sessions").returncode != 0:
        raise SourceUnavailable(f"no tmux server on socket {town.tmux_socket}: nothing to tune")
    changes = []
    for option, key, window in TUNED_OPTIONS:
        flags = "-gw" if window else "-g"
        before = _show(server, flags, option)
        result = server.cmd("set-option", flags, option, _tmux_value(settings[key]))
        if result.returncode != 0:
            raise GtTuiError(f"tmux set-option {option}: {' '.join(result.stderr) or 'failed'}")
        changes.append(OptionChange(option, before, _show(server, flags, option)))
    return changes


def _show(server: TimedServer, flags: str, option: str) -> str:
    result = server.cmd("show-options", f"{flags}v", option)
    return result.stdout[0].strip() if result.returncode == 0 and result.stdout else ""


def _tmux_value(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def check_session_budget(
    town: Town, settings: Settings | None = None, enforce: bool = False
) -> SessionBudget:
    """Whether one more session fits `tmux.max_sessions`; raises when `enforce` and it does not.

    Live sessions are counted (dead ones are cleanup's business, not a reason to refuse).
    The sandbox enforces the budget for its own spawns; for a real town it is a warning.
    """
    settings = settings or Settings.defaults()
    live = [s for s in list_sessions(town.tmux_socket) if not s.pane_dead]
    limit = int(settings["tmux.max_sessions"])  # type: ignore[arg-type]
    budget = SessionBudget(len(live), limit, enforce)
    if enforce and budget.would_exceed:
        raise SessionBudgetExceeded(budget.message)
    return budget
