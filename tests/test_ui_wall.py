"""The wall monitor: read-only, action keys hidden and refused, legible from 80x24 to huge."""

from __future__ import annotations

import pytest
from apps import console
from rich.console import Console
from rich.segment import Segment
from snapshots_fixtures import (
    NOW,
    FakeEngine,
    calm_snapshot,
    record_notifications,
    screen_text,
    trouble_snapshot,
    wait_for,
)

from gt_tui.export.charts import FONTS
from gt_tui.export.metric_view import big_headline
from gt_tui.ui import keymap
from gt_tui.ui.screens.dashboard import DashboardScreen
from gt_tui.ui.screens.help import HelpScreen
from gt_tui.ui.widgets.bottleneck_map import MapBox
from gt_tui.ui.widgets.metric_pane import MetricPane


def wall_app(snapshot=None, *, engine_read_only=True):
    engine = FakeEngine(snapshot or trouble_snapshot(), read_only=engine_read_only)
    app = console(engine, wall=True, refresh_interval=3600, clock=lambda: NOW)
    return app, engine, record_notifications(app)


async def started(app, pilot):
    await wait_for(pilot, lambda: app.refreshes >= 1)
    await pilot.pause()


@pytest.mark.parametrize("key", sorted(keymap.MUTATING))
async def test_action_keys_say_read_only_and_do_nothing(key):
    # The engine here would run actions: the wall alone must refuse them.
    app, engine, notes = wall_app(engine_read_only=False)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)  # no confirmation asked
        assert engine.actions.calls == []
        assert len(notes) == 1 and notes[0][0].startswith("read-only")


async def test_action_keys_are_hidden():
    app, _, _ = wall_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await started(app, pilot)
        active = {binding.binding.key for binding in app.screen.active_bindings.values()}
        assert "r" in active and "space" in active
        assert not active & set(keymap.MUTATING)
        footer = screen_text(app).splitlines()[-1]
        for label in ("clear", "warm", "pool", "flush", "bench", "tmux"):
            assert label not in footer
        assert "READ-ONLY" in screen_text(app)


async def test_read_only_engine_makes_the_console_read_only():
    engine = FakeEngine(calm_snapshot(), read_only=True)
    app = console(engine, refresh_interval=3600)
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert engine.actions.calls == [] and notes[0][0].startswith("read-only")


async def test_wall_help_marks_actions_refused():
    app, _, _ = wall_app()
    async with app.run_test(size=(120, 44)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Actions  (read-only: refused)" in screen_text(app)


async def test_wall_zooms_and_pauses_like_the_console():
    app, _, _ = wall_app()
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("1", "escape", "space")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.paused


def visible(app, widget) -> bool:
    region = widget.region
    screen = app.screen.region
    return region.area > 0 and screen.contains_region(region)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60), (320, 90)])
async def test_everything_fits_from_80x24_to_huge(size):
    app, _, _ = wall_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        panes = list(app.screen.query(MetricPane))
        boxes = list(app.screen.query(MapBox))
        assert len(panes) == 5 and len(boxes) == 7
        assert all(visible(app, w) for w in [*panes, *boxes])
        assert all(pane.region.height >= 8 for pane in panes)
        text = screen_text(app)
        for word in ("✖ DANGER", "▲ WARNING", "◌ STALE 42s", "Bottleneck: Dolt server"):
            assert word in text
        assert "p50" not in text  # fewer words on the wall


async def test_wall_map_shows_one_fact_per_box_until_the_screen_is_huge():
    app, _, _ = wall_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        box = app.screen.query_one("#node-dolt", MapBox)
        assert box.region.height == 3  # one line inside: the first of the three facts
        text = screen_text(app)
        assert "p95 81.2 ms" in text and "3 long queries" not in text
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert "3 long queries" in screen_text(app)


def console_app(snapshot=None):
    engine = FakeEngine(snapshot or trouble_snapshot(), read_only=True)
    return console(engine, wall=False, refresh_interval=3600, clock=lambda: NOW)


async def headline_rows(app, size) -> set[int]:
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        return {pane.data.rows for pane in app.screen.query(MetricPane)}


async def test_wall_digits_are_larger_than_the_consoles_on_a_big_screen():
    # Read across a room: at 200x50 the wall takes the tallest font its panes have room for.
    wall_rows = await headline_rows(wall_app()[0], (200, 50))
    console_rows = await headline_rows(console_app(), (200, 50))
    assert console_rows == {5}  # the console is as it was
    assert wall_rows == {max(FONTS)} and max(wall_rows) > max(console_rows)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_wall_digits_fit_inside_their_panes(size):
    app, _, _ = wall_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        lines = screen_text(app).splitlines()
        for pane in app.screen.query(MetricPane):
            data = pane.data
            region = pane.content_region
            big = big_headline(data.metric, data.palette, data.rows)
            drawn = Console(width=region.width).render_lines(big, pad=False)
            glyphs = [Segment.get_line_length(line) for line in drawn]
            assert len(drawn) == data.rows  # drawn big, not fallen back to one line
            assert max(glyphs) <= region.width
            for row, line in enumerate(drawn):  # on screen whole: no glyph cut at the border
                text = "".join(segment.text for segment in line).rstrip()
                shown = lines[region.y + row][region.x : region.x + region.width]
                assert shown.rstrip() == text
