"""Telling effect from noise: two benchmark runs side by side, group by group.

`compare` gives each statistic's ratio (after / before) and calls a difference real only
when it is both beyond the noise of the runs (Mann-Whitney U, p < ALPHA; see
`mann_whitney_p` for why) and larger than PRACTICAL_CHANGE (the medians differ by more than
5%): with many runs a rank test finds a 3% drift between two identical back-to-back runs
"significant", and that is no change an operator should act on.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from gt_tui.engine.bench.results import BenchGroup, BenchResult
from gt_tui.errors import GtTuiError

ALPHA = 0.05
PRACTICAL_CHANGE = 0.05  # a real change moves the median by more than this fraction
EXACT_LIMIT = 400  # exact Mann-Whitney distribution up to n1 * n2 of this (no ties)


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test that `a` and `b` come from one distribution.

    Why this test: latencies are skewed with long tails, so a t-test's normality assumption
    does not hold; a rank test needs no such assumption, is deterministic (a bootstrap CI
    would vary from run to run), and fits in the standard library. Without ties and for
    small samples (n1 * n2 <= EXACT_LIMIT) the p-value is exact, counting every ordering
    of the pooled samples; otherwise the normal approximation with tie and continuity
    corrections is used. Note that with 3 runs on each side no difference can reach
    p < 0.05 (the smallest exact p is 0.1): noise cannot be told from effect on so few runs.
    """
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return 1.0
    ranks = _ranks([*a, *b])
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    u = min(u1, n1 * n2 - u1)
    tied = len(set(a) | set(b)) < n1 + n2
    if not tied and n1 * n2 <= EXACT_LIMIT:
        counts = _u_counts(n1, n2)
        tail = sum(counts[: int(u) + 1]) / math.comb(n1 + n2, n1)
        return min(1.0, 2 * tail)
    return _normal_p(u, n1, n2, [*a, *b])


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


@cache
def _u_counts(m: int, n: int) -> tuple[int, ...]:
    """How many orderings of m + n distinct values give each U = 0 … m*n."""
    if m == 0 or n == 0:
        return (1,)
    out = [0] * (m * n + 1)
    for u, count in enumerate(_u_counts(m - 1, n)):  # largest value from the first sample
        out[u + n] += count
    for u, count in enumerate(_u_counts(m, n - 1)):  # largest value from the second
        out[u] += count
    return tuple(out)


def _normal_p(u: float, n1: int, n2: int, pooled: list[float]) -> float:
    total = n1 + n2
    ties = sum(c**3 - c for c in _tie_sizes(pooled))
    variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return 1.0
    z = max(0.0, abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, 2 * (1 - statistics.NormalDist().cdf(z)))


def _tie_sizes(values: list[float]) -> list[int]:
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return [c for c in counts.values() if c > 1]


@dataclass(frozen=True)
class StatRatio:
    """One statistic before and after, and after / before."""

    stat: str
    before: float | None
    after: float | None

    @property
    def ratio(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return self.after / self.before


@dataclass(frozen=True)
class GroupComparison:
    """Two runs of one group: ratios of each statistic, the test's p-value, and the verdict."""

    label: str
    ratios: tuple[StatRatio, ...]
    p_value: float
    significant: bool  # beyond the noise AND larger than the practical threshold
    method: str = "Mann-Whitney U, two-sided"
    beyond_noise: bool = False  # p < alpha
    change: float | None = None  # the median's relative change, after / before - 1
    threshold: float = PRACTICAL_CHANGE

    @property
    def practical(self) -> bool:
        """The median moved by more than the threshold."""
        return self.change is not None and abs(self.change) > self.threshold


@dataclass(frozen=True)
class Comparison:
    """`compare`'s answer, group by group."""

    kind: str
    unit: str
    groups: tuple[GroupComparison, ...]

    @property
    def significant(self) -> bool:
        return any(g.significant for g in self.groups)

    def to_json(self) -> dict[str, Any]:
        """Plain data, ratios included (they are properties, so `asdict` would drop them)."""
        groups = [
            {**asdict(g), "ratios": [{**asdict(r), "ratio": r.ratio} for r in g.ratios]}
            for g in self.groups
        ]
        return {
            "kind": self.kind,
            "unit": self.unit,
            "significant": self.significant,
            "groups": groups,
        }


def compare(
    before: BenchResult,
    after: BenchResult,
    alpha: float = ALPHA,
    threshold: float = PRACTICAL_CHANGE,
) -> Comparison:
    """Per-stat ratios (after / before) and whether each difference is real: beyond the
    noise (p < alpha) and a median change larger than `threshold`."""
    if before.kind != after.kind:
        raise GtTuiError(f"cannot compare a {before.kind} run with a {after.kind} run")
    pairs = [(g, after.group(g.label)) for g in before.groups]
    matched = [(b, a) for b, a in pairs if a is not None]
    if not matched:
        matched = [(_headline(before), _headline(after))]
    groups = tuple(_compare(b, a, alpha, threshold) for b, a in matched)
    return Comparison(before.kind, before.unit, groups)


def _headline(result: BenchResult) -> BenchGroup:
    return BenchGroup(
        result.headline or "headline",
        result.samples,
        result.p50,
        result.p95,
        result.p99,
        result.qps,
    )


def _compare(
    before: BenchGroup, after: BenchGroup, alpha: float, threshold: float
) -> GroupComparison:
    ratios = tuple(
        StatRatio(stat, getattr(before, stat), getattr(after, stat))
        for stat in ("p50", "p95", "p99", "qps")
    )
    p_value = mann_whitney_p(before.samples, after.samples)
    median = ratios[0].ratio
    change = None if median is None else median - 1.0
    beyond = p_value < alpha
    practical = change is not None and abs(change) > threshold
    return GroupComparison(
        before.label,
        ratios,
        p_value,
        beyond and practical,
        beyond_noise=beyond,
        change=change,
        threshold=threshold,
    )
