"""Sample windows and the summary statistics every metric is judged by."""

from __future__ import annotations

import heapq
import statistics
from bisect import insort
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


def summarize(values: list[float]) -> Stats:
    """count, median, p95 (`percentile`) and max of a window's values."""
    if not values:
        return Stats(0, None, None, None)
    if len(values) == 1:
        return Stats(1, values[0], values[0], values[0], values[0])
    runner_up = heapq.nlargest(2, values)[1]
    p95 = percentile(values, 95)
    return Stats(len(values), statistics.median(values), p95, max(values), runner_up)


class CountWindow:
    """The last `size` samples (the Dolt probe's window)."""

    def __init__(self, size: int) -> None:
        self._samples: deque[Sample] = deque(maxlen=size)

    def add(self, sample: Sample) -> None:
        self._samples.append(sample)

    def resize(self, size: int) -> None:
        if size != self._samples.maxlen:
            self._samples = deque(self._samples, maxlen=size)

    def samples(self) -> tuple[Sample, ...]:
        return tuple(self._samples)


class TimeWindow:
    """Samples whose time lies within the last `span` seconds of `clock()`, oldest first."""

    def __init__(self, span: float, clock: Callable[[], datetime]) -> None:
        self.span = span
        self._clock = clock
        self._samples: deque[Sample] = deque()

    def add(self, sample: Sample) -> None:
        insort(self._samples, sample, key=lambda s: s.at)

    def replace(self, samples: Iterable[Sample]) -> None:
        """Take a whole window read afresh from a source (a query over the window)."""
        self._samples = deque(sorted(samples, key=lambda s: s.at))

    def samples(self) -> tuple[Sample, ...]:
        cutoff = self._clock() - timedelta(seconds=self.span)
        while self._samples and self._samples[0].at < cutoff:
            self._samples.popleft()
        return tuple(self._samples)
