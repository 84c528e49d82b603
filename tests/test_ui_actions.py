"""Action keys: confirm first, run in a worker, report the result (fake engine actions)."""

from __future__ import annotations

import threading

import pytest
from apps import console
from snapshots_fixtures import (
    NOW,
    FakeEngine,
    calm_snapshot,
    record_notifications,
    screen_text,
    wait_for,
)

from gt_tui.ui.screens.confirm import BenchmarkScreen, ConfirmScreen, ResultScreen
from gt_tui.ui.screens.dashboard import DashboardScreen

SIMPLE = [
    ("c", "clear_cache", {"kind": "all"}),
    ("w", "warm_cache", {"kind": "all"}),
    ("p", "create_pool", {"rig": None, "size": None}),
    ("f", "flush_queue", {"rig": None}),
    ("t", "cleanup_tmux", {}),
]


def make_app(engine=None):
    engine = engine or FakeEngine(calm_snapshot())
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    return app, engine, record_notifications(app)


async def started(app, pilot):
    await wait_for(pilot, lambda: app.refreshes >= 1)


@pytest.mark.parametrize(("key", "method", "kwargs"), SIMPLE)
async def test_confirmed_action_runs_and_reports(key, method, kwargs):
    app, engine, notes = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert engine.actions.calls == []  # nothing runs before the answer
        # A key with a preview asks once it has read what it will do (test_previews.py).
        await wait_for(pilot, lambda: not app.screen.query_one("#yes").disabled)
        await pilot.press("y")
        await wait_for(pilot, lambda: (f"{method} done", "information") in notes)
        assert engine.actions.calls == [(method, kwargs)]
        assert isinstance(app.screen, DashboardScreen)
        await wait_for(pilot, lambda: engine.calls >= 2)  # the effect shows on a fresh refresh


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_cancelled_action_does_not_run(answer):
    app, engine, _ = make_app()
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("f", answer)
        await pilot.pause(0.1)
        assert isinstance(app.screen, DashboardScreen)
        assert engine.actions.calls == []


async def test_run_button_and_cancel_button():
    app, engine, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("c")
        await pilot.click("#no")
        await pilot.pause()
        assert engine.actions.calls == []
        await pilot.press("c")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: engine.actions.calls)
        assert engine.actions.calls[0][0] == "clear_cache"


async def test_benchmark_asks_what_shows_progress_and_results():
    app, engine, notes = make_app()
    engine.actions.gate = threading.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BenchmarkScreen)
        await pilot.press("d")
        await wait_for(pilot, lambda: engine.actions.calls)
        await wait_for(pilot, lambda: app.action_status and app.action_status.fraction == 1.0)
        bar = app.screen.query_one("#action-bar")
        assert bar.has_class("-running")
        assert "running: Benchmark" in screen_text(app)
        engine.actions.gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert engine.actions.calls == [("run_benchmark", {"kind": "dolt", "runs": None})]
        # The result screen is current before it is drawn: wait (bounded) for it to paint.
        await wait_for(pilot, lambda: "run_benchmark done" in screen_text(app), steps=300)
        text = screen_text(app)
        assert "✓ run_benchmark done" in text and "details of run_benchmark" in text
        assert ("run_benchmark done", "information") in notes
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.has_class("-running")


async def test_benchmark_can_be_cancelled():
    app, engine, _ = make_app()
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("b", "escape")
        await pilot.pause(0.1)
        assert engine.actions.calls == [] and isinstance(app.screen, DashboardScreen)


async def test_one_action_at_a_time():
    app, engine, notes = make_app()
    engine.actions.gate = threading.Event()
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: engine.actions.calls)
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("busy" in message for message, _ in notes)
        engine.actions.gate.set()
        await wait_for(pilot, lambda: app.action_status is None)
        assert [name for name, _ in engine.actions.calls] == ["clear_cache"]


async def test_failed_action_shows_its_details():
    app, engine, notes = make_app()
    engine.actions.fail = True
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("t", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await wait_for(pilot, lambda: "cleanup_tmux failed" in screen_text(app), steps=300)
        assert "✖ cleanup_tmux failed: no space left" in screen_text(app)
        assert ("cleanup_tmux failed: no space left", "error") in notes


async def test_engine_refusal_is_reported_not_raised():
    engine = FakeEngine(calm_snapshot())
    engine.actions.read_only = True  # the engine refuses even if the UI let it through
    app, _, notes = make_app(engine)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("f", "y")
        await wait_for(pilot, lambda: notes)
        assert any("read-only" in m and s == "warning" for m, s in notes)
        assert app.is_running


async def test_engine_without_actions_reports_an_error():
    engine = FakeEngine(calm_snapshot())
    engine.actions = None
    app, _, notes = make_app(engine)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: notes)
        assert notes[0][1] == "error"
        assert app.is_running and app.action_status is None
