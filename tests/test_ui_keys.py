"""Every view key of the console does what the help says (Pilot, with a fake engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apps import console
from snapshots_fixtures import (
    NOW,
    FakeEngine,
    calm_snapshot,
    empty_snapshot,
    record_notifications,
    screen_text,
    trouble_snapshot,
    wait_for,
)

from gt_tui.engine.audit import AuditLog
from gt_tui.health import METRICS
from gt_tui.sandbox.load import LEVELS, read_state, write_state
from gt_tui.ui import keymap
from gt_tui.ui.screens.dashboard import DashboardScreen
from gt_tui.ui.screens.help import HelpScreen
from gt_tui.ui.screens.zoom import ZoomScreen
from gt_tui.ui.widgets.bottleneck_map import MapBox
from gt_tui.ui.widgets.header import StatusHeader
from gt_tui.ui.widgets.metric_pane import MetricPane


def make_app(*snapshots, wall=False, interval=3600.0, engine=None, demo=None):
    engine = engine or FakeEngine(*snapshots)
    return console(
        engine, demo=demo, wall=wall, refresh_interval=interval, clock=lambda: NOW
    ), engine


async def started(app, pilot, refreshes: int = 1):
    await wait_for(pilot, lambda: app.refreshes >= refreshes)
    await pilot.pause()


async def test_first_refresh_fills_the_dashboard():
    app, _ = make_app(trouble_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        panes = {pane.key: pane for pane in app.screen.query(MetricPane)}
        assert panes["dolt_latency"].has_class("-danger")
        assert panes["mail_lag"].has_class("-warning")
        assert panes["convoy_refresh"].has_class("-healthy")
        assert panes["patrol_cycle"].has_class("-stale")
        assert app.screen.query_one("#node-dolt", MapBox).has_class("-bottleneck")
        text = screen_text(app)
        assert "gastown-demo" in text and "✖ Bottleneck: Dolt server" in text
        assert "engine   refresh 6.42 s" in text
        assert app.focused is None  # calm start: no focus ring anywhere


async def test_r_refreshes_now():
    app, engine = make_app(calm_snapshot())
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: engine.calls == 2)
        assert app.refreshes == 2


async def test_space_pauses_and_resumes():
    app, engine = make_app(calm_snapshot(), interval=0.02)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("space")
        assert app.paused
        await pilot.pause()
        assert "⏸ PAUSED" in screen_text(app)
        calls = engine.calls
        await pilot.pause(0.2)
        assert engine.calls == calls  # nothing armed while paused
        await pilot.press("space")
        assert not app.paused
        await wait_for(pilot, lambda: engine.calls >= calls + 2)
        assert "PAUSED" not in screen_text(app)


@pytest.mark.parametrize("index", range(1, 6))
async def test_number_keys_zoom_and_escape_goes_back(index):
    app, _ = make_app(trouble_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press(str(index))
        await pilot.pause()
        assert isinstance(app.screen, ZoomScreen)
        assert app.screen.index == index
        text = screen_text(app)
        spec = METRICS[index - 1]
        assert f"{index} {spec.label}" in text
        assert "thresholds" in text and "source" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_zoom_shows_breakdown_and_worst_samples_and_switches():
    app, _ = make_app(trouble_snapshot())
    async with app.run_test(size=(140, 44)) as pilot:
        await started(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        text = screen_text(app)
        assert "by rig / role" in text and "gastown" in text and "beads" in text
        assert "slowest samples" in text and "Slit" in text
        assert "event timestamps have 1-second resolution" in text
        zoom = app.screen
        await pilot.press("4")
        await pilot.pause()
        assert app.screen is zoom and zoom.index == 4
        assert "4 Convoy refresh time" in screen_text(app)


async def test_zoom_follows_new_snapshots():
    app, _ = make_app(trouble_snapshot(), calm_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("1")
        await pilot.pause()
        assert "✖ DANGER" in screen_text(app)
        await pilot.press("r")
        await started(app, pilot, refreshes=2)
        # The zoom view redraws after the refresh's message is handled: wait, bounded.
        await wait_for(pilot, lambda: app.screen.query_one("#zoom-head").has_class("-healthy"))


async def test_m_focuses_the_bottleneck_and_arrows_move():
    app, _ = make_app(trouble_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.focused, MapBox) and app.focused.key == "dolt"
        await pilot.press("down")
        assert app.focused.key == "refinery"
        await pilot.press("right")
        assert app.focused.key == "polecats"
        await pilot.press("up")
        assert app.focused.key == "dolt"
        await pilot.press("up")
        assert app.focused.key == "deacon"  # from the one wide box, the middle one
        await pilot.press("left")
        assert app.focused.key == "mayor"
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("m", "down", "right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ZoomScreen)
        assert METRICS[app.screen.index - 1].key == "polecat_spawn"


async def test_m_from_a_zoom_returns_to_the_map():
    app, _ = make_app(calm_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("3", "m")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert isinstance(app.focused, MapBox) and app.focused.key == "dolt"


async def test_help_lists_every_key():
    app, _ = make_app(calm_snapshot())
    async with app.run_test(size=(120, 44)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for display, help_text, _ in keymap.help_rows():
            assert f"{display}  {help_text}" in text
        assert len(keymap.help_rows()) == len(keymap.KEYS) - 4  # the zoom keys share a row
        assert "healthy < 10 ms · warning 10–50 ms · danger > 50 ms" in text
        assert "q/^c  Quit (ctrl+c and ctrl+q quit too" in text
        assert "spec" not in text.lower() and "§" not in text  # a document users do not have
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_clicking_a_pane_zooms_into_it():
    app, _ = make_app(calm_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.click("#pane-mail_lag")
        await pilot.pause()
        assert isinstance(app.screen, ZoomScreen) and app.screen.index == 3


async def test_q_quits():
    app, engine = make_app(calm_snapshot())
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
    assert not engine.closed  # the caller owns the engine


async def test_command_palette_offers_the_keymap():
    app, _ = make_app(calm_snapshot())
    async with app.run_test() as pilot:
        await started(app, pilot)
        titles = [cmd.title for cmd in app.get_system_commands(app.screen)]
        assert "Refresh  [r]" in titles and "Clear caches  [c]" in titles
        assert "Theme" in titles and "Quit  [q/^c]" in titles
        assert [t for t in titles if t.startswith("Zoom")] == [
            f"Zoom {n}: {METRICS[n - 1].label}  [{n}]" for n in range(1, 6)
        ]
        heads = [title.split("  [")[0].lower() for title in titles]
        assert len(heads) == len(set(heads))  # no Textual "Quit" beside the keymap's
        assert not {"screenshot", "keys", "maximize", "minimize"} & set(heads)
    wall, _ = make_app(calm_snapshot(), wall=True)
    async with wall.run_test() as pilot:
        await started(wall, pilot)
        titles = [cmd.title for cmd in wall.get_system_commands(wall.screen)]
        assert "Refresh  [r]" in titles
        assert not any("Clear caches" in title or "Screenshot" in title for title in titles)


async def test_zoom_on_a_metric_without_samples():
    app, _ = make_app(empty_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("5")
        await pilot.pause()
        text = screen_text(app)
        assert "○ NO DATA" in text and text.count("no samples in window") == 2


async def test_zoomed_chart_labels_its_axes_and_thresholds():
    app, _ = make_app(trouble_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("1")
        await pilot.pause()
        text = screen_text(app)
        assert "seconds before the snapshot" in text
        assert "warning 10 ms" in text and "danger 50 ms" in text


class RecordingDemo:
    """Stands in for the sandbox behind a demo engine: a real sandbox state file in `root`,
    and the loads the console set in it, read back from that file."""

    levels = LEVELS

    def __init__(self, root: Path) -> None:
        self.root, self.load = root, "normal"
        write_state(root, load="normal")
        self.set_to: list[str] = []

    def seen(self) -> list[str]:
        level = read_state(self.root).get("load")
        if level != (self.set_to[-1] if self.set_to else "normal"):
            self.set_to.append(level)
        return self.set_to


async def test_l_cycles_the_demo_load_through_the_audited_action(tmp_path: Path):
    demo = RecordingDemo(tmp_path)
    app, _ = make_app(calm_snapshot(), demo=demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: demo.seen() == ["heavy"])
        await wait_for(pilot, lambda: demo.load == "heavy")
        await pilot.press("l")
        await wait_for(pilot, lambda: demo.seen() == ["heavy", "light"])
    lines = [e for e in AuditLog().entries() if e["action"] == "sandbox.load"]
    assert [(e["result"]["status"], e["arguments"]["level"]) for e in lines] == [
        ("ok", "heavy"),
        ("ok", "light"),
    ]


async def test_the_demo_load_is_always_in_the_header(tmp_path: Path):
    demo = RecordingDemo(tmp_path)
    app, _ = make_app(calm_snapshot(), demo=demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert "· normal" in screen_text(app).splitlines()[0]
        await pilot.press("l")
        await wait_for(pilot, lambda: demo.load == "heavy")
        app.broadcast()
        await wait_for(pilot, lambda: "· heavy" in screen_text(app).splitlines()[0])


async def test_l_does_nothing_without_a_demo():
    app, _ = make_app(calm_snapshot())
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.check_action("demo_load", ()) is False
        await pilot.press("l")
        await pilot.pause()
        assert notes == []


async def test_l_on_the_wall_is_refused_like_the_action_keys(tmp_path: Path):
    demo = RecordingDemo(tmp_path)
    engine = FakeEngine(calm_snapshot(), read_only=True)  # the wall's engine is read-only
    app, _ = make_app(wall=True, demo=demo, engine=engine)
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.check_action("demo_load", ()) is False  # hidden, as they are
        await pilot.press("l")
        await wait_for(
            pilot, lambda: any(e["action"] == "sandbox.load" for e in AuditLog().entries())
        )
        assert notes == [("read-only: 'Demo load' is not available here", "warning")]
        assert demo.seen() == [] and read_state(tmp_path)["load"] == "normal"
    lines = [e for e in AuditLog().entries() if e["action"] == "sandbox.load"]
    assert [e["result"]["status"] for e in lines] == ["refused"]  # the engine's guard too


async def test_a_tick_reaching_a_screen_torn_down_at_exit_draws_nothing():
    """At exit Textual prunes the dashboard's widgets while it is still on the stack; a timer
    tick then must not query them (it raised NoMatches: StatusHeader)."""
    app, _ = make_app(calm_snapshot())
    async with app.run_test() as pilot:
        await started(app, pilot)
        dashboard = app.screen
        await app._prune(*dashboard.children)  # what App._close_all does, widget by widget
        dashboard._pruning = True
        assert not dashboard.query(StatusHeader)
        app.broadcast()  # raised NoMatches before
        dashboard.show_state()
        assert not dashboard.showing
