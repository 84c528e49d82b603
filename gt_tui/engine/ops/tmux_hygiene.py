"""tmux hygiene on the town socket (spec section 5): clean up dead sessions, tune, budget.

What the engine decides; the town's sessions and panes as gt names and runs them are read
by `gt_tui.town.tmux_sessions` and `gt_tui.town.tmux_panes` (whose docstring says when a
session is dead). Every call goes to the town's own socket through `TimedServer` (a
timeout on each), never to the default tmux server. `cleanup_dead` kills only dead
sessions, and checks each again just before killing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.settings import Settings
from gt_tui.town.model import Town
from gt_tui.town.tmux import TimedServer, list_sessions
from gt_tui.town.tmux_panes import list_panes, session_verdict
from gt_tui.town.tmux_sessions import TownSession, list_town_sessions

# Option, the setting that gives its value, and whether it is a window option.
TUNED_OPTIONS = (
    ("history-limit", "tmux.history_limit", False),
    ("status-interval", "tmux.status_interval", False),
    ("monitor-activity", "tmux.monitor_activity", True),
)


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


# ---------------------------------------------------------------- cleaning


def cleanup_dead(town: Town) -> list[TownSession]:
    """Kill the dead sessions (as `town.tmux_panes` judges) and only those; those killed."""
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
    return bool(panes) and bool(session_verdict(socket, name, panes))


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
    limit = settings.integer("tmux.max_sessions")
    budget = SessionBudget(len(live), limit, enforce)
    if enforce and budget.would_exceed:
        raise SessionBudgetExceeded(budget.message)
    return budget
