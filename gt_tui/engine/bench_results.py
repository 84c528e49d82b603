"""Benchmark results: the model, percentiles, saving, and telling effect from noise.

A `BenchResult` holds one or more labelled groups of samples (`concurrency=1`, `cold`,
`pool`); its headline figures are those of the group named by `headline`. Percentiles use
`statistics.quantiles(n=100, method="inclusive")`. Results are saved as JSON under
`$XDG_STATE_HOME/gt-tui/bench/<NAME>.json`; `compare` puts two runs side by side and says
whether each difference is beyond the noise of the runs (Mann-Whitney U; see
`mann_whitney_p` for why).
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from gt_tui.errors import GtTuiError, MalformedFile
from gt_tui.files import write_atomically
from gt_tui.xdg import state_dir

ALPHA = 0.05
EXACT_LIMIT = 400  # exact Mann-Whitney distribution up to n1 * n2 of this (no ties)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class BenchGroup:
    """One labelled series of samples and its statistics (qps where it means something)."""

    label: str
    samples: tuple[float, ...]
    p50: float
    p95: float
    p99: float
    qps: float | None = None


@dataclass(frozen=True)
class BenchResult:
    """A benchmark run; headline p50/p95/p99/qps/samples are those of group `headline`."""

    kind: str
    runs: int
    unit: str
    samples: tuple[float, ...]
    p50: float
    p95: float
    p99: float
    qps: float | None
    params: dict[str, Any]
    created_at: str
    headline: str = ""
    groups: tuple[BenchGroup, ...] = field(default=())

    def group(self, label: str) -> BenchGroup | None:
        return next((g for g in self.groups if g.label == label), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchResult:
        groups = tuple(
            BenchGroup(**{**g, "samples": tuple(g["samples"])}) for g in data.get("groups", ())
        )
        fields = {**data, "samples": tuple(data["samples"]), "groups": groups}
        return cls(**fields)


# ---------------------------------------------------------------- statistics


def percentiles(data: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of the data; a single sample is all three."""
    if not data:
        raise GtTuiError("no samples to summarise")
    if len(data) == 1:
        return data[0], data[0], data[0]
    cuts = statistics.quantiles(data, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def make_group(label: str, samples: Sequence[float], qps: float | None = None) -> BenchGroup:
    p50, p95, p99 = percentiles(samples)
    return BenchGroup(label, tuple(samples), p50, p95, p99, qps)


def make_result(
    kind: str,
    runs: int,
    unit: str,
    groups: Sequence[BenchGroup],
    params: dict[str, Any],
    headline: str,
) -> BenchResult:
    """A result whose headline figures are copied from the group labelled `headline`."""
    head = next(g for g in groups if g.label == headline)
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return BenchResult(
        kind,
        runs,
        unit,
        head.samples,
        head.p50,
        head.p95,
        head.p99,
        head.qps,
        params,
        stamp,
        headline,
        tuple(groups),
    )


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
    significant: bool
    method: str = "Mann-Whitney U, two-sided"


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


def compare(before: BenchResult, after: BenchResult, alpha: float = ALPHA) -> Comparison:
    """Per-stat ratios (after / before) and whether each difference is beyond the noise."""
    if before.kind != after.kind:
        raise GtTuiError(f"cannot compare a {before.kind} run with a {after.kind} run")
    pairs = [(g, after.group(g.label)) for g in before.groups]
    matched = [(b, a) for b, a in pairs if a is not None]
    if not matched:
        matched = [(_headline(before), _headline(after))]
    return Comparison(before.kind, before.unit, tuple(_compare(b, a, alpha) for b, a in matched))


def _headline(result: BenchResult) -> BenchGroup:
    return BenchGroup(
        result.headline or "headline",
        result.samples,
        result.p50,
        result.p95,
        result.p99,
        result.qps,
    )


def _compare(before: BenchGroup, after: BenchGroup, alpha: float) -> GroupComparison:
    ratios = tuple(
        StatRatio(stat, getattr(before, stat), getattr(after, stat))
        for stat in ("p50", "p95", "p99", "qps")
    )
    p_value = mann_whitney_p(before.samples, after.samples)
    return GroupComparison(before.label, ratios, p_value, p_value < alpha)


# ---------------------------------------------------------------- saving


def bench_dir() -> Path:
    """`$XDG_STATE_HOME/gt-tui/bench`; `~/.local/state` when unset or not absolute."""
    return state_dir() / "bench"


def result_path(name: str) -> Path:
    if not _NAME.match(name):
        raise GtTuiError(f"bad benchmark name {name!r} (letters, digits, '.', '_', '-')")
    return bench_dir() / f"{name}.json"


def save_result(result: BenchResult, name: str) -> Path:
    """Write a result as `<bench dir>/<name>.json` (atomically); its path."""
    path = result_path(name)
    write_atomically(path, json.dumps(result.to_json(), indent=2) + "\n")
    return path


def load_result(name: str) -> BenchResult:
    """A saved result by name (or by path to a .json file)."""
    path = Path(name) if name.endswith(".json") else result_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GtTuiError(f"no saved benchmark '{name}' ({path})") from None
    except (OSError, ValueError) as err:
        raise MalformedFile(path, f"not readable JSON ({err})") from None
    try:
        return BenchResult.from_json(data)
    except (KeyError, TypeError) as err:
        raise MalformedFile(path, f"not a gt-tui benchmark result ({err})") from None
