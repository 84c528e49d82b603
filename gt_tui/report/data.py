"""What the performance report shows, taken from a sequence of Snapshots (no HTML here).

Every figure is read from the snapshots as the engine recorded them: the thresholds of each
metric are the ones its summary carries (the settings in force when it was made, the same the
console judges by), the bottleneck is the console's own (`export.map_view.bottleneck`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gt_tui.engine.snapshot import MetricSummary, Sample, Snapshot
from gt_tui.export.map_view import bottleneck
from gt_tui.health import METRICS, Health
from gt_tui.settings import Settings

SLOWEST = 10  # rows of the slowest-samples table, per metric
# A setting whose name says it holds a secret is never shown (none does today; a future one
# must not leak through the report).
SECRET_WORDS = ("password", "secret", "token", "credential")


@dataclass(frozen=True)
class Point:
    """One metric at one moment: its window's p50 and p95 (None: no samples) and health."""

    at: datetime
    p50: float | None
    p95: float | None
    health: Health


@dataclass(frozen=True)
class MetricHistory:
    """One metric over the report's range, with the thresholds it was judged by (the last
    snapshot's) and the samples of the newest window (what one fresh refresh can chart)."""

    key: str
    label: str
    unit: str
    warning: float
    danger: float
    points: tuple[Point, ...]
    samples: tuple[Sample, ...]


@dataclass(frozen=True)
class Worst:
    """The bottleneck at one moment: the map node in the worst state, or None (all calm)."""

    at: datetime
    key: str | None
    title: str
    health: Health


@dataclass(frozen=True)
class SlowSample:
    """One of the slowest samples of a metric over the range."""

    metric: str
    unit: str
    sample: Sample


def within(snapshots: Sequence[Snapshot], since: datetime | None) -> tuple[Snapshot, ...]:
    """The snapshots made at or after `since` (all when None), oldest first."""
    kept = [s for s in snapshots if since is None or s.generated_at >= since]
    return tuple(sorted(kept, key=lambda s: s.generated_at))


def metric_histories(snapshots: Sequence[Snapshot]) -> tuple[MetricHistory, ...]:
    """Each of the five metrics over the snapshots, in the spec's order."""
    return tuple(_history(spec.key, snapshots) for spec in METRICS)


def _history(key: str, snapshots: Sequence[Snapshot]) -> MetricHistory:
    summaries = [(s.generated_at, _find(s, key)) for s in snapshots]
    present = [(at, m) for at, m in summaries if m is not None]
    points = tuple(Point(at, m.p50, m.p95, m.health) for at, m in present)
    last = present[-1][1] if present else None
    spec = next(spec for spec in METRICS if spec.key == key)
    return MetricHistory(
        key=key,
        label=last.label if last else spec.label,
        unit=last.unit if last else spec.unit,
        warning=last.warning if last else spec.threshold.warning,
        danger=last.danger if last else spec.threshold.danger,
        points=points,
        samples=tuple(sorted(last.samples, key=lambda s: s.at)) if last else (),
    )


def _find(snapshot: Snapshot, key: str) -> MetricSummary | None:
    return next((m for m in snapshot.metrics if m.key == key), None)


def bottleneck_timeline(snapshots: Sequence[Snapshot]) -> tuple[Worst, ...]:
    """Which part of the town was the worst, refresh by refresh."""
    timeline = []
    for snapshot in snapshots:
        node = bottleneck(snapshot)
        if node is None:
            timeline.append(Worst(snapshot.generated_at, None, "none", Health.HEALTHY))
        else:
            timeline.append(Worst(snapshot.generated_at, node.key, node.title, node.health))
    return tuple(timeline)


def slowest(
    snapshots: Sequence[Snapshot], key: str, count: int = SLOWEST
) -> tuple[SlowSample, ...]:
    """The `count` slowest samples of a metric over every window of the range; a sample seen
    in several windows (they overlap) counts once."""
    seen: dict[tuple[datetime, str, float], SlowSample] = {}
    for snapshot in snapshots:
        metric = _find(snapshot, key)
        if metric is None:
            continue
        for sample in metric.samples:
            seen.setdefault(
                (sample.at, sample.subject, sample.value), SlowSample(key, metric.unit, sample)
            )
    ranked = sorted(seen.values(), key=lambda slow: slow.sample.value, reverse=True)
    return tuple(ranked[:count])


def scale_rows(snapshot: Snapshot) -> tuple[tuple[str, str], ...]:
    """The town's size at the newest snapshot, as (what, how many) rows."""
    town = snapshot.town

    def known(value: int | None) -> str:
        return "unknown" if value is None else str(value)

    return (
        ("town", town.name),
        ("mode", town.mode),
        ("scale tier", f"{town.scale} (target {town.scale_target_s:g} s)"),
        ("rigs", ", ".join(town.rigs) or "none"),
        ("polecats", str(town.polecats)),
        ("polecats running", known(town.count("polecats_running"))),
        ("polecats idle", str(town.polecats_idle)),
        ("convoys open", known(town.count("convoys_open"))),
        ("convoys staged", known(town.count("convoys_staged"))),
        ("mail backlog", known(town.count("mail_backlog"))),
        ("samples in the windows", str(sum(m.count for m in snapshot.metrics))),
        ("queries per refresh", str(snapshot.engine.queries)),
        ("refresh time", f"{snapshot.engine.refresh_ms:.1f} ms"),
        ("database", f"{snapshot.dolt.server} {snapshot.dolt.version}".strip() or "unknown"),
    )


def setting_rows(settings: Settings) -> tuple[tuple[str, str, str], ...]:
    """Every setting in force as (name, value, where from); secrets never."""
    return tuple(
        (name, settings.text(name), settings.source(name))
        for name in sorted(settings)
        if not any(word in name.lower() for word in SECRET_WORDS)
    )
