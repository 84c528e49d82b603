"""Resizing: the layout changes with the terminal and nothing is lost or overlaps."""

from __future__ import annotations

from apps import console
from snapshots_fixtures import NOW, FakeEngine, screen_text, trouble_snapshot, wait_for

from gt_tui.ui.widgets.bottleneck_map import MapBox
from gt_tui.ui.widgets.metric_pane import MetricPane


async def test_layout_follows_the_terminal_size():
    app = console(FakeEngine(trouble_snapshot()), refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        screen = app.screen
        assert screen.has_class("-normal") and screen.has_class("-tall")
        assert screen.query_one("#side").display

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.has_class("-narrow") and screen.has_class("-short")
        assert screen.query_one("#side").region.area == 0  # hidden when narrow
        titles = [pane.border_title for pane in screen.query(MetricPane)]
        assert titles == ["1 Dolt", "2 Spawn", "3 Mail lag", "4 Convoy", "5 Patrol"]
        assert all(box.region.height == 3 for box in screen.query(MapBox))
        assert "✖ DANGER" in screen_text(app)

        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert screen.has_class("-wide") and screen.has_class("-huge")
        titles = [pane.border_title for pane in screen.query(MetricPane)]
        assert titles[0] == "1 Dolt query latency"
        assert all(box.region.height >= 6 for box in screen.query(MapBox))  # rows share the room
        text = screen_text(app)
        assert "medium town · target <5s · refresh 6.42 s ✖ over target" in text
        assert "Over threshold" in text


async def test_zoom_stacks_its_parts_when_narrow():
    app = console(FakeEngine(trouble_snapshot()), refresh_interval=3600, clock=lambda: NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.refreshes == 1)
        await pilot.press("1")
        await pilot.pause()
        plot, side = app.screen.query_one("#zoom-plot"), app.screen.query_one("#zoom-side")
        assert plot.region.y == side.region.y  # side by side
        await pilot.resize_terminal(80, 40)
        await pilot.pause()
        assert side.region.y > plot.region.y  # one above the other
