"""tmux hygiene against a real tmux server on a private socket."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil
import pytest
from helpers import kill_pane_process, tmux

from gt_tui.engine.ops import tmux_hygiene as th
from gt_tui.errors import SourceUnavailable
from gt_tui.settings import Settings
from gt_tui.town import tmux_panes as panes
from gt_tui.town import tmux_sessions as sessions
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.tmux import list_sessions

RIGS = (Rig("gastown", "gt", "gastown"), Rig("beadsrig", "bd", "beadsrig"))


def make_town(socket: str) -> Town:
    return Town(Path("/nonexistent-town"), "testtown", RIGS, "hq", Endpoint(), socket)


def session_names(socket: str) -> set[str]:
    return {s.name for s in list_sessions(socket)}


@pytest.fixture
def town(tmux_socket: str) -> Town:
    """A town socket with a live agent, a dead pane, an agent gone and a person's shell."""
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "-e", "GT_PROCESS_NAMES=sleep",
         "sleep 600")  # fmt: skip
    tmux(tmux_socket, "new-session", "-d", "-s", "hq-deacon", "sleep 600")
    tmux(tmux_socket, "set-option", "-w", "-t", "hq-deacon", "remain-on-exit", "on")
    kill_pane_process(tmux_socket, "hq-deacon")
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Nux", "-e", "GT_PROCESS_NAMES=gttui-agent",
         "sh")  # fmt: skip
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-crew-joe", "sh")
    return make_town(tmux_socket)


@pytest.mark.parametrize(
    ("name", "role", "rig"),
    [
        ("hq-mayor", "mayor", None),
        ("hq-deacon", "deacon", None),
        ("hq-boot", "boot", None),
        ("hq-dog-alpha", "dog", None),
        ("gt-witness", "witness", "gastown"),
        ("gt-refinery", "refinery", "gastown"),
        ("gt-crew-joe", "crew", "gastown"),
        ("gt-Toast", "polecat", "gastown"),
        ("bd-Toast", "polecat", "beadsrig"),
        ("gt-gastown-51", "polecat", "gastown"),
        ("gt-", "other", None),
        ("scratch", "other", None),
    ],
)
def test_roles_follow_gts_session_names(name: str, role: str, rig: str | None) -> None:
    assert sessions.classify(name, make_town("unused")) == (role, rig)


def test_list_reports_role_liveness_age_and_memory(town: Town) -> None:
    before = time.time()
    found = {s.name: s for s in sessions.list_town_sessions(town)}

    assert set(found) == {"gt-Toast", "hq-deacon", "gt-Nux", "gt-crew-joe"}
    verdicts = {name: (s.alive, s.reason) for name, s in found.items()}
    assert verdicts == {
        "gt-Toast": (True, ""),
        "hq-deacon": (False, "pane dead"),
        "gt-Nux": (False, "agent gone"),
        "gt-crew-joe": (True, ""),
    }
    toast = found["gt-Toast"]
    assert (toast.role, toast.rig, toast.panes) == ("polecat", "gastown", 1)
    assert toast.memory_bytes > 0 and found["hq-deacon"].memory_bytes == 0
    assert toast.created.timestamp() <= before + 1 and toast.age_s >= 0
    assert toast.last_activity >= toast.created


def test_cleanup_kills_only_dead_sessions(town: Town) -> None:
    killed = th.cleanup_dead(town)

    assert sorted(s.name for s in killed) == ["gt-Nux", "hq-deacon"]
    assert session_names(town.tmux_socket) == {"gt-Toast", "gt-crew-joe"}
    assert th.cleanup_dead(town) == []


def test_a_gone_or_zombie_process_is_not_alive() -> None:
    child = subprocess.Popen(["true"])
    for _ in range(500):  # exited but not yet reaped: a zombie
        if psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.01)
    assert panes.pane_verdict(panes.Pane("s", False, child.pid, "true")) == "process gone"
    child.wait(timeout=5)
    assert not psutil.pid_exists(child.pid)
    assert panes.pane_verdict(panes.Pane("s", False, child.pid, "true")) == "process gone"
    assert panes.pane_verdict(panes.Pane("s", True, None, "")) == "pane dead"


def test_no_server_means_no_sessions(tmux_socket: str) -> None:
    town = make_town(tmux_socket)
    assert sessions.list_town_sessions(town) == []
    assert th.cleanup_dead(town) == []
    with pytest.raises(SourceUnavailable, match="no tmux server"):
        th.tune(town)


def test_tune_applies_the_settings_and_reports_before_and_after(tmux_socket: str) -> None:
    tmux(tmux_socket, "new-session", "-d", "-s", "hq-mayor", "sleep 600")
    tmux(tmux_socket, "set-option", "-g", "status-interval", "15")
    tmux(tmux_socket, "set-option", "-gw", "monitor-activity", "on")
    town = make_town(tmux_socket)

    changes = {c.option: (c.before, c.after) for c in th.tune(town)}
    again = th.tune(town, Settings.defaults().with_value("tmux.history_limit", 500))

    assert changes == {
        "history-limit": ("2000", "1000"),
        "status-interval": ("15", "5"),
        "monitor-activity": ("on", "off"),
    }
    assert [(c.option, c.before, c.after, c.changed) for c in again] == [
        ("history-limit", "1000", "500", True),
        ("status-interval", "5", "5", False),
        ("monitor-activity", "off", "off", False),
    ]
    shown = tmux(tmux_socket, "show-options", "-gv", "history-limit").strip()
    assert shown == "500"


def test_session_budget_warns_or_refuses(tmux_socket: str) -> None:
    for name in ("gt-Toast", "gt-Nux"):
        tmux(tmux_socket, "new-session", "-d", "-s", name, "sleep 600")
    town = make_town(tmux_socket)
    tight = Settings.defaults().with_value("tmux.max_sessions", 2)

    roomy = th.check_session_budget(town)
    warned = th.check_session_budget(town, tight)

    assert (roomy.sessions, roomy.limit, roomy.would_exceed) == (2, 50, False)
    assert warned.would_exceed and warned.message.startswith("warning:")
    with pytest.raises(th.SessionBudgetExceeded, match=r"^refused: .*\(2/2\)"):
        th.check_session_budget(town, tight, enforce=True)
