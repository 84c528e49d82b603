"""`--replay`: a recording of the live demo, replayed in the console (Pilot): REPLAY in the
header with the recorded time, the recorded figures in the panes, keys that step, jump, play
and change speed, zoom and help as live, and every change refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import clean_env, run_main
from history_fixtures import record_live_demo
from snapshots_fixtures import record_notifications, screen_text, wait_for

from gt_tui.engine.snapshot import Snapshot
from gt_tui.history import read_history
from gt_tui.ui.replay import ReplayApp
from gt_tui.ui.replay_help import ReplayHelpScreen
from gt_tui.ui.replay_source import ReplaySource
from gt_tui.ui.screens.zoom import ZoomScreen
from gt_tui.units import format_duration

RECORDS = 5
pytestmark = pytest.mark.xdist_group("replay_ui")  # one demo recording for the module
SIZE = (160, 50)


@pytest.fixture(scope="module")
def demo_recording(tmp_path_factory) -> Path:
    """The live demo, refreshed RECORDS times through the recording facade (`--record`)."""
    return record_live_demo(tmp_path_factory.mktemp("replay") / "demo.history.sqlite", RECORDS)


def refresh_text(snapshot: Snapshot) -> str:
    return f"refresh {format_duration(snapshot.engine.refresh_ms / 1000)}"


def clock_text(snapshot: Snapshot) -> str:
    return snapshot.generated_at.astimezone().strftime("%H:%M:%S")


async def showing(app: ReplayApp, pilot, snapshot: Snapshot) -> str:
    await wait_for(
        pilot,
        lambda: app.snapshot is not None and app.snapshot.generated_at == snapshot.generated_at,
    )
    await pilot.pause()
    return screen_text(app)


async def test_the_demo_replays_in_the_console(demo_recording):
    read = read_history(demo_recording)
    assert read.warning is None and len(read.snapshots) == RECORDS
    snaps = read.snapshots
    app = ReplayApp(ReplaySource(snaps))
    said = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home")
        text = await showing(app, pilot, snaps[0])
        assert "REPLAY" in text and "LIVE" not in text and "DEMO" not in text
        assert clock_text(snaps[0]) in text and refresh_text(snaps[0]) in text
        assert snaps[0].town.name in text
        assert "⏸ PAUSED" in text
        await pilot.press("right")
        text = await showing(app, pilot, snaps[1])
        assert clock_text(snaps[1]) in text and refresh_text(snaps[1]) in text
        assert any("record 2/5" in m for m, _ in said)
        await pilot.press("end")
        text = await showing(app, pilot, snaps[-1])
        assert clock_text(snaps[-1]) in text
        await pilot.press("left")
        await showing(app, pilot, snaps[-2])
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ZoomScreen)
        assert "thresholds" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("c")  # clear caches: refused, nothing to change in a recording
        await pilot.pause()
        assert any("not available in a replay" in m for m, s in said if s == "warning")


async def test_play_speed_and_the_end(demo_recording):
    snaps = read_history(demo_recording).snapshots
    assert ReplaySource(snaps).playing  # a replay starts playing
    app = ReplayApp(ReplaySource(snaps))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home")  # it plays from the start; home pauses on the first record
        assert app.paused and not app.source.playing and app.source.index == 0
        for _ in range(3):
            await pilot.press("plus")
        assert app.source.speed == 8.0
        await pilot.press("minus")
        assert app.source.speed == 4.0
        await pilot.press("space")
        assert app.source.playing and not app.paused
        # played to the end, it pauses there (a bound on a hang: the recording is seconds long)
        await wait_for(pilot, lambda: app.paused and app.source.at_end, steps=3000)
        await showing(app, pilot, snaps[-1])
        for _ in range(3):  # slowest, so a loaded machine cannot play it to the end again
            await pilot.press("minus")  # before the next assertion
        assert app.source.speed == 0.5
        await pilot.press("space")  # play again: from the start
        assert app.source.playing and not app.paused
        await pilot.press("space")
        assert app.paused and not app.source.playing


async def test_a_damaged_recording_says_so_in_the_console(demo_recording):
    snaps = read_history(demo_recording).snapshots
    app = ReplayApp(ReplaySource(snaps[:2]), warning="history x: record 3 does not decode")
    said = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        assert ("history x: record 3 does not decode", "warning") in said


async def test_help_lists_the_replay_keys(demo_recording):
    app = ReplayApp(ReplaySource(read_history(demo_recording).snapshots))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, ReplayHelpScreen)
        text = screen_text(app)
        assert "Play or pause the replay" in text and "Jump to the first record" in text
        assert "Faster" in text and "Slower" in text


def test_replay_of_a_file_with_nothing_in_it_is_one_line(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a history")
    done = run_main("--replay", str(bad), env=clean_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(bad) in done.stderr
    done = run_main("--replay", str(bad), "--demo", env=clean_env(tmp_path))
    assert done.returncode == 2 and "takes no --demo" in done.stderr
