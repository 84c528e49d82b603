"""Sample windows (by time with a fake clock, by count) and the statistics metrics report."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from clock import FakeClock

from gt_tui.engine.snapshot import Sample
from gt_tui.engine.window import CountWindow, Stats, TimeWindow, summarize

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


def sample(value: float, seconds_before_t0: float = 0) -> Sample:
    return Sample(value, T0 - timedelta(seconds=seconds_before_t0))


# ---- statistics ---------------------------------------------------------------------------


def test_empty_window_has_no_numbers() -> None:
    assert summarize([]) == Stats(0, None, None, None)


def test_one_sample_is_every_statistic() -> None:
    assert summarize([3.5]) == Stats(1, 3.5, 3.5, 3.5)


def test_hand_computed_percentiles() -> None:
    # inclusive method: p95 sits at 0.95 * (n - 1) between the sorted values
    assert summarize([7.0, 2.0, 4.0]) == Stats(3, 4.0, pytest.approx(6.7), 7.0)  # 4 + .9 * 3
    assert summarize([1.0, 2.0]) == Stats(2, 1.5, pytest.approx(1.95), 2.0)  # 1 + .95 * 1
    ten = [float(v) for v in range(1, 11)]
    assert summarize(ten) == Stats(10, 5.5, pytest.approx(9.55), 10.0)  # 9 + .55 * 1


@pytest.mark.parametrize(
    "data",
    [
        [0.004, 0.011, 0.009],
        [5.0, 5.0, 5.0, 5.0],
        [float(v * v % 97) for v in range(60)],
        [12.5, 0.25, 99.0, 42.0, 3.0, 17.75, 8.0],
    ],
)
def test_percentiles_are_statistics_quantiles_inclusive(data: list[float]) -> None:
    stats = summarize(data)
    assert stats.p95 == statistics.quantiles(data, n=100, method="inclusive")[94]
    assert stats.p50 == statistics.median(data)
    assert (stats.count, stats.max) == (len(data), max(data))


# ---- windows ------------------------------------------------------------------------------


def test_time_window_drops_samples_older_than_its_span() -> None:
    clock = FakeClock(T0)
    window = TimeWindow(900, clock)
    window.add(sample(1.0, 900))  # exactly at the edge: kept
    window.add(sample(2.0, 901))  # one second too old
    window.add(sample(3.0, 10))
    assert [s.value for s in window.samples()] == [1.0, 3.0]
    clock.advance(1)
    assert [s.value for s in window.samples()] == [3.0]
    clock.advance(890)
    assert [s.value for s in window.samples()] == []


def test_time_window_keeps_samples_in_time_order() -> None:
    window = TimeWindow(900, FakeClock(T0))
    for value, age in ((1.0, 5), (2.0, 50), (3.0, 20)):
        window.add(sample(value, age))
    assert [s.value for s in window.samples()] == [2.0, 3.0, 1.0]


def test_time_window_replace_takes_a_fresh_reading() -> None:
    window = TimeWindow(60, FakeClock(T0))
    window.add(sample(9.0, 1))
    window.replace([sample(4.0, 30), sample(5.0, 61), sample(6.0, 40)])
    assert [s.value for s in window.samples()] == [6.0, 4.0]


def test_time_window_span_can_change() -> None:
    window = TimeWindow(900, FakeClock(T0))
    window.add(sample(1.0, 100))
    window.add(sample(2.0, 10))
    window.span = 60
    assert [s.value for s in window.samples()] == [2.0]


def test_count_window_keeps_the_last_n() -> None:
    window = CountWindow(3)
    for value in range(1, 6):
        window.add(sample(float(value)))
    assert [s.value for s in window.samples()] == [3.0, 4.0, 5.0]
    window.resize(2)
    assert [s.value for s in window.samples()] == [4.0, 5.0]
    window.resize(4)
    window.add(sample(6.0))
    window.add(sample(7.0))
    assert [s.value for s in window.samples()] == [4.0, 5.0, 6.0, 7.0]
