"""Using the console costs no memory: every screen opened and closed is released (Pilot).

Before the fix, each zoom shown kept about 1.2 MiB (its plot, the dashboard footer's old keys,
Textual's styles caches) and each help screen about 0.5 MiB, for good.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import pytest
from snapshots_fixtures import NOW, FakeEngine, trouble_snapshot, wait_for
from textual.screen import Screen

from gt_tui.engine.facade import EngineFacade
from gt_tui.ui.app import GtTuiApp
from gt_tui.ui.screens.confirm import ResultScreen
from gt_tui.ui.screens.dashboard import DashboardScreen

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

# (key that opens a screen, key that closes it): zoom 1-5, help, a confirmation, the benchmark.
OPEN_CLOSE = [*((str(n), "escape") for n in range(1, 6)), ("question_mark", "escape")]
OPEN_CLOSE += [("c", "n"), ("b", "escape")]
TOURS = 2
GROWTH_LIMIT = 2 * 2**20  # bytes for all tours; before the fix they kept about 17 MiB


class Watch:
    """Weak references to every widget and screen seen, to prove the removed ones are freed."""

    def __init__(self) -> None:
        self.refs: list[weakref.ref] = []
        self.screens = 0

    def see(self, app: GtTuiApp) -> None:
        for screen in app.screen_stack:
            self.refs += [weakref.ref(screen), *(weakref.ref(w) for w in screen.query("*"))]
        self.screens += 1

    def removed_but_alive(self) -> list[str]:
        gc.collect()
        alive = (ref() for ref in self.refs)
        return sorted({repr(node) for node in alive if node is not None and not node.is_attached})

    def closed_screens_alive(self) -> int:
        """Removed screens not yet freed. Textual may hold the one closed last through its
        message pump's context-variable token; one at most, however long the console is
        used, so it is not growth. Every other closed screen must be gone."""
        gc.collect()
        alive = (ref() for ref in self.refs)
        return sum(1 for n in alive if isinstance(n, Screen) and not n.is_attached)


async def tour(app: GtTuiApp, pilot, watch: Watch) -> None:
    """Open and close every screen once, then focus the map and leave it."""
    for open_key, close_key in OPEN_CLOSE:
        await pilot.press(open_key)
        await wait_for(pilot, lambda: len(app.screen_stack) == 2)
        await pilot.pause()
        watch.see(app)
        await pilot.press(close_key)
        await wait_for(pilot, lambda: len(app.screen_stack) == 1)
        await pilot.pause()
    await pilot.press("b", "d")  # a benchmark runs and shows its result screen
    await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
    await pilot.pause()
    watch.see(app)
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and not app.action_status)
    await pilot.press("m")
    await wait_for(pilot, lambda: app.focused is not None)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.focused is None)
    await pilot.pause()
    watch.see(app)


async def test_screens_opened_and_closed_are_released() -> None:
    engine = FakeEngine(trouble_snapshot())
    app = GtTuiApp(EngineFacade(engine), refresh_interval=3600, clock=lambda: NOW)
    watch = Watch()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        tracemalloc.start()  # counts only what is allocated from now on
        try:
            await tour(app, pilot, watch)  # fills Textual's bounded caches (colours, segments...)
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            kept = []
            for _ in range(TOURS):
                await tour(app, pilot, watch)
                kept.append(watch.closed_screens_alive())
            gc.collect()
            growth = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert watch.screens == (TOURS + 1) * (len(OPEN_CLOSE) + 2)
        assert growth < GROWTH_LIMIT, f"{growth / 2**20:.1f} MiB kept by {TOURS} tours"
        # Of the 30 screens opened and closed, at most the last one is still held.
        assert max(kept) <= 1, kept
        assert len(watch.removed_but_alive()) <= 20  # that one screen's widgets, no more
