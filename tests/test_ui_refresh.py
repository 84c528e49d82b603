"""The refresh loop: never overlapping, responsive while stalled, stale and recovered states."""

from __future__ import annotations

import threading
from datetime import timedelta

from apps import console
from clock import FakeClock
from snapshots_fixtures import (
    NOW,
    FakeEngine,
    calm_snapshot,
    screen_text,
    trouble_snapshot,
    wait_for,
)

from gt_tui.ui.screens.dashboard import DashboardScreen
from gt_tui.ui.screens.help import HelpScreen
from gt_tui.ui.screens.zoom import ZoomScreen
from gt_tui.ui.widgets.metric_pane import MetricPane


def panes(app) -> dict[str, MetricPane]:
    return {pane.key: pane for pane in app.screen.query(MetricPane)}


async def test_keys_answer_while_a_refresh_hangs():
    engine = FakeEngine(calm_snapshot())
    engine.gate = threading.Event()
    app = console(engine, refresh_interval=0.01, clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, engine.entered.is_set)
            await pilot.press("space")
            assert app.paused
            await pilot.press("2")
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen) and app.screen.index == 2
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape", "space", "r")
            await pilot.pause(0.2)
            assert isinstance(app.screen, DashboardScreen) and not app.paused
            assert engine.calls == 1 and engine.running == 1  # still the one stalled refresh
            engine.gate.set()
            await wait_for(pilot, lambda: app.refreshes >= 2)  # `r` ran once it had finished
            assert engine.most_running == 1
    finally:
        engine.gate.set()


async def test_refreshes_never_overlap_on_a_slow_engine():
    engine = FakeEngine(calm_snapshot())
    engine.gate = threading.Event()
    app = console(engine, refresh_interval=0.01, clock=lambda: NOW)
    try:
        async with app.run_test() as pilot:
            await wait_for(pilot, engine.entered.is_set)
            await pilot.press("r", "r", "r")
            await pilot.pause(0.3)
            assert engine.calls == 1
            engine.gate.set()
            await wait_for(pilot, lambda: engine.calls >= 4)
            assert engine.most_running == 1
    finally:
        engine.gate.set()


async def test_a_stale_metric_is_greyed_with_its_age_and_reason_then_recovers():
    clock = FakeClock(NOW)
    engine = FakeEngine(trouble_snapshot(), calm_snapshot())
    app = console(engine, refresh_interval=3600, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        await pilot.pause()
        patrol = panes(app)["patrol_cycle"]
        assert patrol.has_class("-stale")
        text = screen_text(app)
        assert "◌ STALE 42s" in text and "wisps query timed o" in text
        clock.now = NOW + timedelta(seconds=18)
        app.broadcast()
        await pilot.pause()
        assert "◌ STALE 1m 0s" in screen_text(app)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes == 2)
        await pilot.pause()
        assert patrol.has_class("-healthy") and not patrol.has_class("-stale")
        assert "STALE" not in screen_text(app)


async def test_a_failing_refresh_keeps_the_last_values_greyed_and_recovers():
    engine = FakeEngine(
        calm_snapshot(), RuntimeError("server gone away\nsecond line"), calm_snapshot()
    )
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes == 2)
        await pilot.pause()
        assert app.failure == "server gone away"
        assert all(pane.has_class("-stale") for pane in panes(app).values())
        text = screen_text(app)
        assert "refresh failed: server gone away" in text
        assert "✖ refresh: server gone away" in text
        assert "4.9" in text  # the last good Dolt p95 is still shown
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes == 3)
        await pilot.pause()
        assert app.failure is None
        assert all(pane.has_class("-healthy") for pane in panes(app).values())
        assert "refresh failed" not in screen_text(app)


async def test_a_first_refresh_that_fails_says_so():
    engine = FakeEngine(ValueError("no such town"))
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        await pilot.pause()
        assert app.snapshot is None
        text = screen_text(app)
        assert "refresh failed: no such town" in text
        assert "waiting for the first refresh" in text


async def test_automatic_refresh_follows_the_interval():
    engine = FakeEngine(calm_snapshot())
    app = console(engine, refresh_interval=0.02, clock=lambda: NOW)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: engine.calls >= 5)
        assert engine.most_running == 1


async def test_an_engine_that_returns_nonsense_is_a_failed_refresh():
    engine = FakeEngine(calm_snapshot())
    engine.queue = [calm_snapshot(), None, calm_snapshot()]  # type: ignore[list-item]
    app = console(engine, refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.refreshes == 2)
        assert app.failure == "the engine returned NoneType, not a Snapshot"
        assert app.snapshot is not None and app.snapshot.metrics[0].stale
