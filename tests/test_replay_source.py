"""The replay's playback, without a screen: pace, speed, steps, jumps, the end, the gaps."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from snapshots_fixtures import calm_snapshot

from gt_tui.engine.facade import EngineFacade
from gt_tui.errors import GtTuiError
from gt_tui.ui.replay_source import MAX_GAP_S, MODE, SPEEDS, ReplaySource


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recording(count: int = 6, every_s: float = 2.0):
    base = calm_snapshot()
    return [
        replace(base, generated_at=base.generated_at + timedelta(seconds=every_s * i))
        for i in range(count)
    ]


def test_it_plays_at_the_recorded_pace_times_the_speed():
    clock, snapshots = Clock(), recording()
    source = ReplaySource(snapshots, monotonic=clock)
    assert source.refresh().generated_at == snapshots[0].generated_at
    clock.now += 1.9
    assert source.refresh().generated_at == snapshots[0].generated_at
    clock.now += 0.2
    assert source.refresh().generated_at == snapshots[1].generated_at
    assert source.change_speed(+1) == 2.0 and source.change_speed(+1) == 4.0
    clock.now += 2.0  # 8 recorded seconds at 4×
    assert source.refresh().generated_at == snapshots[5].generated_at
    assert not source.playing and source.at_end  # it stops at the end


def test_speeds_stop_at_their_ends():
    source = ReplaySource(recording())
    for _ in range(9):
        source.change_speed(-1)
    assert source.speed == SPEEDS[0] == 0.5
    for _ in range(9):
        source.change_speed(+1)
    assert source.speed == SPEEDS[-1] == 8.0


def test_steps_and_jumps_pause_and_stay_in_the_recording():
    clock, snapshots = Clock(), recording()
    source = ReplaySource(snapshots, monotonic=clock)
    source.step(-1)
    assert source.index == 0 and not source.playing
    source.step(+2)
    clock.now += 60  # paused: time passing moves nothing
    assert source.refresh().generated_at == snapshots[2].generated_at
    source.jump(-1)
    assert source.refresh().generated_at == snapshots[-1].generated_at
    source.step(+1)
    assert source.index == len(snapshots) - 1
    source.jump(0)
    assert source.index == 0 and "record 1/6" in source.status()
    source.jump(-1)
    source.set_playing(True)  # play from the end: from the start
    assert source.index == 0 and source.playing


def test_a_long_gap_plays_as_a_short_one():
    clock, snapshots = Clock(), recording(2, every_s=3600)
    source = ReplaySource(snapshots, monotonic=clock)
    clock.now += MAX_GAP_S + 0.1
    assert source.refresh().generated_at == snapshots[1].generated_at


def test_through_the_facade_it_is_read_only_and_marked_replay():
    snapshots = recording()
    facade = EngineFacade(ReplaySource(snapshots))
    shown = facade.refresh()
    assert facade.read_only and shown.town.mode == MODE
    assert replace(shown, town=snapshots[0].town) == snapshots[0]
    with pytest.raises(GtTuiError):
        facade.clear_cache()
