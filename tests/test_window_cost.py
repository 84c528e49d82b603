"""A refresh's window work does not grow with how full the window is (issue 12: the soak's CPU).

Counted, not timed: the samples' values are floats that count every comparison made on them.
A refresh adds a sample to a full window, drops the one that fell out, and summarizes it
(count, median, p95, max, runner-up). Sorting the window again for that (what `summarize`
does, and what the engine did per refresh) costs at least one comparison per sample; the
windows' sorted values cost a few per doubling of the window. The same counts for a window of
100 samples and one of 10,000 show the difference; the figures must also be exactly those of
`statistics.quantiles` on the same values.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from clock import FakeClock

from gt_tui.engine.assemble import metric_summary
from gt_tui.engine.snapshot import Sample
from gt_tui.engine.window import CountWindow, TimeWindow, summarize
from gt_tui.health import METRICS

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
SPEC = next(spec for spec in METRICS if spec.key == "convoy_refresh")


class Counted(float):
    """A float that counts the comparisons made on it (in `Counted.comparisons`)."""

    comparisons = 0

    def _count(self) -> None:
        Counted.comparisons += 1

    def __lt__(self, other: object) -> bool:
        self._count()
        return float(self) < other  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        self._count()
        return float(self) <= other  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        self._count()
        return float(self) > other  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        self._count()
        return float(self) >= other  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        self._count()
        return float(self) == other

    __hash__ = float.__hash__


def counted_samples(count: int, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    return [
        Sample(Counted(rng.uniform(1.0, 900.0)), T0 + timedelta(seconds=i)) for i in range(count)
    ]


def full_time_window(size: int) -> tuple[TimeWindow, FakeClock[datetime]]:
    """A window of `size` seconds holding one sample a second, full up to its last second."""
    clock: FakeClock[datetime] = FakeClock(T0 + timedelta(seconds=size - 1))
    window = TimeWindow(size - 0.5, clock)
    for sample in counted_samples(size):
        window.add(sample)
    window.samples()
    return window, clock


def one_refresh(window: TimeWindow, clock: FakeClock[datetime], size: int) -> int:
    """What a refresh does to a full window, and the comparisons it cost: a new second, a new
    sample, the oldest evicted, the metric summarized and judged as the snapshot shows it."""
    clock.advance(1.0)
    new = Sample(Counted(450.5), clock.now)
    Counted.comparisons = 0
    window.add(new)
    metric = metric_summary(SPEC, SPEC.threshold, window, None, "source", 0)
    spent = Counted.comparisons
    assert metric.count == size and metric.samples[-1] is new
    return spent


def test_a_refresh_of_a_full_window_costs_the_same_for_100_samples_and_for_10000() -> None:
    small_window, small_clock = full_time_window(100)
    big_window, big_clock = full_time_window(10_000)
    small = one_refresh(small_window, small_clock, 100)
    big = one_refresh(big_window, big_clock, 10_000)
    # bisection: about log2(n) comparisons to insert and as many to evict, plus the judging
    assert big <= small + 4 * math.ceil(math.log2(10_000 / 100)) + 4
    assert big < 100  # a sort of the window would cost at least 10,000


def test_the_old_way_summarizing_afresh_would_fail_the_bound() -> None:
    """The harness sees a sort: summarizing the values afresh costs one comparison a sample."""
    values = [s.value for s in counted_samples(10_000)]
    Counted.comparisons = 0
    summarize(values)
    assert Counted.comparisons >= 10_000


def test_a_count_window_drops_its_oldest_sample_for_a_bounded_cost() -> None:
    spent = []
    for size in (100, 10_000):
        window = CountWindow(size)
        for sample in counted_samples(size):
            window.add(sample)
        window.samples()
        Counted.comparisons = 0
        window.add(Sample(Counted(3.25), T0))
        window.stats()
        spent.append(Counted.comparisons)
    assert spent[1] <= spent[0] + 4 * math.ceil(math.log2(100)) + 4


def test_an_unchanged_window_hands_back_the_same_tuple() -> None:
    """The snapshot's samples are copied out of the window only after it changed."""
    window, clock = full_time_window(50)
    first = window.samples()
    assert window.samples() is first
    clock.advance(1.0)  # the oldest falls out: a new tuple, one shorter
    after = window.samples()
    assert after is not first and after == first[1:]


@pytest.mark.parametrize("size", [1, 2, 3, 10, 57, 1000])
def test_the_figures_are_those_of_a_fresh_summary(size: int) -> None:
    """Incremental or afresh, the same figures (statistics.quantiles' inclusive p95)."""
    rng = random.Random(size)
    clock: FakeClock[datetime] = FakeClock(T0 + timedelta(seconds=size * 2))
    window = TimeWindow(size, clock)  # half the samples added fall out of the window
    samples = [
        Sample(float(round(rng.expovariate(0.1), 2)), T0 + timedelta(seconds=i))
        for i in range(size * 2 + 1)
    ]
    for sample in rng.sample(samples, len(samples)):  # out of time order: late arrivals
        window.add(sample)
    kept = window.samples()
    assert [s.at for s in kept] == sorted(s.at for s in kept)
    assert window.stats() == summarize([s.value for s in kept])
    assert window.stats().runner_up == summarize([s.value for s in kept]).runner_up


def test_a_nan_leaves_the_window_when_its_sample_does() -> None:
    window = CountWindow(2)
    for value in (1.0, math.nan, 2.0, 3.0):
        window.add(Sample(value, T0))
    assert window.stats() == summarize([2.0, 3.0])
