"""Sample windows and the summary statistics every metric is judged by.

A window keeps its values sorted as samples come and go (`SortedValues`), so its statistics
are read off by position: adding or dropping one sample costs O(log n) comparisons, and a
refresh's count, median, p95 and maximum cost the same for a window of ten samples as for
one of ten thousand (the soak's CPU must not climb as the windows fill: issue 12).
"""

from __future__ import annotations

import heapq
import statistics
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gt_tui.engine.snapshot import Sample


@dataclass(frozen=True)
class Stats:
    """count, p50 (the median), p95 and max of a window; None where it is empty. `runner_up`
    is its second-largest value (the value itself for one): what a window of few samples is
    judged on, so that its one largest sample cannot decide (`health.judge_window`)."""

    count: int
    p50: float | None
    p95: float | None
    max: float | None
    runner_up: float | None = field(default=None, compare=False)


def percentile(values: Sequence[float], q: int) -> float | None:
    """The q-th percentile as `statistics.quantiles(data, n=100, method="inclusive")`;
    the value itself for one value, None for none. Every p95 the console shows is this."""
    return percentiles(values, (q,))[0] if values else None


def percentiles(values: Sequence[float], qs: Sequence[int]) -> tuple[float, ...]:
    """Several percentiles of non-empty `values` from one sort (see `percentile`)."""
    if len(values) == 1:
        return tuple(float(values[0]) for _ in qs)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return tuple(cuts[q - 1] for q in qs)


def sorted_percentile(ordered: Sequence[float], q: int) -> float:
    """`percentile` of values already sorted (two or more), by position: the same arithmetic
    as `statistics.quantiles(n=100, method="inclusive")`, without its sort."""
    j, delta = divmod(q * (len(ordered) - 1), 100)
    return (ordered[j] * (100 - delta) + ordered[j + 1] * delta) / 100


def summarize(values: list[float]) -> Stats:
    """count, median, p95 (`percentile`) and max of a window's values."""
    if not values:
        return Stats(0, None, None, None)
    if len(values) == 1:
        return Stats(1, values[0], values[0], values[0], values[0])
    runner_up = heapq.nlargest(2, values)[1]
    p95 = percentile(values, 95)
    return Stats(len(values), statistics.median(values), p95, max(values), runner_up)


def summarize_sorted(ordered: Sequence[float]) -> Stats:
    """`summarize` of values already sorted: read off by position, no pass over them."""
    n = len(ordered)
    if n < 2:
        return summarize(list(ordered))
    half = n // 2
    median = ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2
    return Stats(n, median, sorted_percentile(ordered, 95), ordered[-1], ordered[-2])


class SortedValues:
    """A multiset of floats kept sorted: add and discard by bisection (O(log n) comparisons;
    the list's memmove of pointers is C and cheap), statistics by position (`summarize_sorted`)."""

    def __init__(self, values: Iterable[float] = ()) -> None:
        self._values = sorted(values)

    def add(self, value: float) -> None:
        insort(self._values, value)

    def discard(self, value: float) -> None:
        index = bisect_left(self._values, value)
        if index < len(self._values) and self._values[index] == value:
            del self._values[index]
        elif any(v is value for v in self._values):  # a NaN bisects nowhere: find it as itself
            self._values.remove(value)

    def stats(self) -> Stats:
        return summarize_sorted(self._values)

    def __len__(self) -> int:
        return len(self._values)


class _Window:
    """What both windows share: the samples in order, their values sorted, and the tuple the
    snapshot carries, built again only after the window changed."""

    def __init__(self) -> None:
        self._samples: deque[Sample] = deque()
        self._values = SortedValues()
        self._shown: tuple[Sample, ...] | None = None

    def _changed(self) -> None:
        self._shown = None

    def _evict_oldest(self) -> None:
        self._values.discard(self._samples.popleft().value)
        self._changed()

    def _current(self) -> tuple[Sample, ...]:
        if self._shown is None:
            self._shown = tuple(self._samples)
        return self._shown

    def stats(self) -> Stats:
        """The statistics of the samples `samples()` returns (call it first: it evicts)."""
        return self._values.stats()


class CountWindow(_Window):
    """The last `size` samples (the Dolt probe's window)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def add(self, sample: Sample) -> None:
        self._samples.append(sample)
        self._values.add(sample.value)
        self._changed()
        while len(self._samples) > self._size:
            self._evict_oldest()

    def resize(self, size: int) -> None:
        self._size = size
        while len(self._samples) > size:
            self._evict_oldest()

    def samples(self) -> tuple[Sample, ...]:
        return self._current()


class TimeWindow(_Window):
    """Samples whose time lies within the last `span` seconds of `clock()`, oldest first."""

    def __init__(self, span: float, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.span = span
        self._clock = clock

    def add(self, sample: Sample) -> None:
        if self._samples and sample.at < self._samples[-1].at:
            insort(self._samples, sample, key=lambda s: s.at)  # a late one: rare
        else:
            self._samples.append(sample)
        self._values.add(sample.value)
        self._changed()

    def replace(self, samples: Iterable[Sample]) -> None:
        """Take a whole window read afresh from a source (a query over the window)."""
        self._samples = deque(sorted(samples, key=lambda s: s.at))
        self._values = SortedValues(s.value for s in self._samples)
        self._changed()

    def samples(self) -> tuple[Sample, ...]:
        cutoff = self._clock() - timedelta(seconds=self.span)
        while self._samples and self._samples[0].at < cutoff:
            self._evict_oldest()
        return self._current()
