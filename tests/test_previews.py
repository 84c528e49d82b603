"""Dialogs say what they will do (issue 11.10): the facade's read-only previews give the real
values (dead tmux sessions on a real server here; the queue and the pool on the MariaDB town
in test_actions.py), and the confirm dialog asks with them, never before it has them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from apps import console
from helpers import kill_pane_process, tmux
from snapshots_fixtures import NOW, FakeEngine, calm_snapshot, screen_text, wait_for
from textual.widgets import Static

from gt_tui.engine.actions import Actions
from gt_tui.engine.audit import AuditLog
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.limits.bundle import Limits
from gt_tui.settings import Settings
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.sqlite_db import SQLiteDatabase
from gt_tui.town.tmux import list_sessions
from gt_tui.ui.screens.confirm import ConfirmScreen
from gt_tui.ui.screens.dashboard import DashboardScreen


def read_only_actions(town: Town, tmp_path: Path) -> Actions:
    settings = Settings.defaults()
    return Actions(
        town,
        SQLiteDatabase({}),
        settings,
        read_only=True,
        audit_log=AuditLog(tmp_path / "audit.jsonl", user="tester"),
        cache=EngineCache.from_settings(settings),
        limits=Limits(settings),
    )


def test_cleanup_preview_names_the_dead_sessions_and_kills_none(
    tmux_socket: str, tmp_path: Path
) -> None:
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "-e", "GT_PROCESS_NAMES=sleep",
         "sleep 600")  # fmt: skip
    tmux(tmux_socket, "new-session", "-d", "-s", "hq-deacon", "sleep 600")
    tmux(tmux_socket, "set-option", "-w", "-t", "hq-deacon", "remain-on-exit", "on")
    kill_pane_process(tmux_socket, "hq-deacon")
    town = Town(Path("/nonexistent-town"), "t", (Rig("gastown", "gt", "gastown"),), "hq",
                Endpoint(), tmux_socket)  # fmt: skip
    actions = read_only_actions(town, tmp_path)

    preview = actions.preview_cleanup()

    assert preview.dead == ("hq-deacon",)
    assert preview.values() == {"count": "1", "sessions": "hq-deacon"}
    assert {s.name for s in list_sessions(tmux_socket)} == {"gt-Toast", "hq-deacon"}
    assert actions.audit_log.entries() == []  # a read, not an action


def asked(app) -> str:
    """The confirm dialog's question as it is now."""
    return str(app.screen.query_one("#question", Static).content)


QUESTIONS = [
    ("p", "Create 5 git worktrees, each rig up to 4: gastown 1 new (3 exist), beads 4 new"),
    ("f", "Drop 3 queued slings (beads 1, gastown 2)?"),
    ("t", "Kill 2 dead tmux sessions on the town's socket: gt-Nux, hq-deacon?"),
]


@pytest.mark.parametrize(("key", "question"), QUESTIONS)
async def test_confirm_asks_with_the_real_values_and_not_before(key: str, question: str) -> None:
    engine = FakeEngine(calm_snapshot())
    engine.actions.preview_gate = threading.Event()
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # too early: the question is not asked yet
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen) and engine.actions.calls == []
        assert "Reading what this will do" in screen_text(app)
        engine.actions.preview_gate.set()
        await wait_for(pilot, lambda: question in asked(app), steps=300)
        assert question.split()[1] in screen_text(app)  # drawn, not only set
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and engine.actions.calls == []


async def test_a_failing_preview_still_asks_the_plain_question() -> None:
    engine = FakeEngine(calm_snapshot())

    def broken() -> None:
        raise RuntimeError("queue unreadable")

    engine.actions.preview_flush = broken  # type: ignore[method-assign]
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        await pilot.press("f")
        await wait_for(pilot, lambda: "queue unreadable" in screen_text(app), steps=300)
        assert "Drop every queued sling?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: engine.actions.calls)
        assert engine.actions.calls == [("flush_queue", {"rig": None})]
