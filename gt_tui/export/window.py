"""One metric's window in detail: per-group summaries, slowest samples, what is over threshold.

Used by the zoomed view and the dashboard's "over threshold" list. Imports no Textual.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import DoltInfo, HostInfo, MetricSummary, Sample, Snapshot
from gt_tui.engine.window import percentile
from gt_tui.export.dolt_view import dolt_zoom_rows
from gt_tui.export.metric_view import figure
from gt_tui.export.style import (
    HEALTH_ICONS,
    SHORT_LABELS,
    Palette,
    age_since,
    format_age,
    health_badge,
    metric_badge,
    threshold_of,
    thresholds_text,
)
from gt_tui.health import Health
from gt_tui.units import UNIT_SECONDS, WHOLE_SECOND_MARK, is_whole_seconds, number_in, split_figure

PER_METRIC_ATTENTION = 3


def over_threshold(snapshot: Snapshot) -> list[tuple[MetricSummary, Sample]]:
    """The worst sample of each (metric, subject) at or over its warning line, worst first.

    Severity is the value over its metric's danger line, so ms and s compare fairly. Stale
    metrics are left out: their samples are old.
    """
    worst: dict[tuple[str, str], tuple[MetricSummary, Sample]] = {}
    for metric in snapshot.metrics:
        for sample in metric.samples if not metric.stale else ():
            slot = (metric.key, sample.subject)
            if sample.value >= metric.warning and (
                slot not in worst or sample.value > worst[slot][1].value
            ):
                worst[slot] = (metric, sample)
    ranked = sorted(worst.values(), key=lambda pair: -pair[1].value / (pair[0].danger or 1))
    per_metric: dict[str, int] = {}
    kept = []
    for metric, sample in ranked:  # at most a few per metric, so one noisy metric can't hide all
        per_metric[metric.key] = per_metric.get(metric.key, 0) + 1
        if per_metric[metric.key] <= PER_METRIC_ATTENTION:
            kept.append((metric, sample))
    return kept


def short_subject(sample: Sample) -> str:
    """A sample's subject, shortened for a narrow column: `gastown/polecats/Slit` → `Slit`."""
    subject = sample.subject or sample.group or "—"
    short = subject.rstrip("/").rsplit("/", 1)[-1] or subject
    return f"{short} {sample.detail}" if sample.detail else short


def attention_shown(snapshot: Snapshot, limit: int = 12) -> tuple[object, ...]:
    """What `attention_table` shows, as it reads (compared: a new sample of a metric that
    leaves the rows as they were redraws nothing): each row's health, figure, metric and
    subject, and the failing metrics named when nothing is listed."""
    rows = tuple(
        (metric.key, threshold_of(metric).judge(value), figure(metric, value), short_subject(s))
        for metric, s in over_threshold(snapshot)[:limit]
        for value in (s.value,)
    )
    return rows, () if rows else tuple(m.key for m in snapshot.metrics if m.stale)


def attention_table(snapshot: Snapshot, palette: Palette, limit: int = 12) -> RenderableType:
    """What to look at first: the slowest beads, polecats and probes over their thresholds."""
    items = over_threshold(snapshot)[:limit]
    stale = [m for m in snapshot.metrics if m.stale]
    if not items and stale:  # their samples are old: say so rather than "all clear"
        names = ", ".join(SHORT_LABELS.get(m.key, m.label) for m in stale)
        return Text(f"? not judged, source failing: {names}", style=palette.warning)
    if not items:
        return Text("● nothing over its threshold", style=palette.healthy)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True, style=palette.muted)
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    for metric, sample in items:
        health = threshold_of(metric).judge(sample.value)
        grid.add_row(
            Text(HEALTH_ICONS[health], style=palette.of(health)),
            Text(figure(metric, sample.value), style=palette.of(health)),
            SHORT_LABELS.get(metric.key, metric.label),
            short_subject(sample),
        )
    return grid


@dataclass(frozen=True)
class GroupSummary:
    """A metric's window restricted to one group (a rig or a role)."""

    group: str
    count: int
    p50: float | None
    p95: float | None
    max: float | None
    health: Health


def group_summaries(metric: MetricSummary) -> list[GroupSummary]:
    """Per-group count, p50, p95 and max, judged on p95; the slowest group first."""
    groups: dict[str, list[float]] = {}
    for sample in metric.samples:
        groups.setdefault(sample.group or "(none)", []).append(sample.value)
    threshold = threshold_of(metric)
    summaries = [
        GroupSummary(
            name,
            len(vals),
            statistics.median(vals),
            percentile(vals, 95),
            max(vals),
            threshold.judge(percentile(vals, 95)),
        )
        for name, vals in groups.items()
    ]
    return sorted(summaries, key=lambda s: (-(s.p95 or 0), s.group))


def zoom_summary(
    metric: MetricSummary,
    now: datetime,
    palette: Palette,
    dolt: DoltInfo | None = None,
    host: HostInfo | None = None,
) -> Table:
    """Everything about one metric that fits in words: numbers, thresholds, source, precision;
    for the Dolt latency also the probe in use, the server, its zone, its connections and
    the host's bd processes."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=palette.muted, no_wrap=True)
    grid.add_column()
    numbers = Text.assemble(
        metric_badge(metric, now, palette),
        ("   p95 ", palette.muted),
        (figure(metric, metric.p95), palette.strong),
        ("   p50 ", palette.muted),
        figure(metric, metric.p50),
        ("   max ", palette.muted),
        figure(metric, metric.max),
        ("   samples ", palette.muted),
        str(metric.count),
        (f"   {WHOLE_SECOND_MARK}" if is_whole_seconds(metric.key) else "", palette.muted),
    )
    grid.add_row("now", numbers)
    grid.add_row("thresholds", thresholds_text(metric, palette))
    grid.add_row("source", metric.source or "—")
    if metric.precision_note:
        grid.add_row("precision", metric.precision_note)
    for label, text in dolt_zoom_rows(dolt, host) if dolt and metric.key == "dolt_latency" else ():
        grid.add_row(label, text)
    if metric.skipped:
        grid.add_row("skipped", Text(skipped_text(metric), style=palette.warning))
    if metric.error:
        since = age_since(metric.error_since, now)
        grid.add_row(
            "error", Text(f"{metric.error}{f'  ({since})' if since else ''}", style=palette.danger)
        )
    return grid


def skipped_text(metric: MetricSummary) -> str:
    """How many of the source's records were refused, and why a record is refused."""
    plural = "" if metric.skipped == 1 else "s"
    return f"{metric.skipped} bad record{plural} skipped (unreadable, negative or future-dated)"


def breakdown_table(metric: MetricSummary, palette: Palette) -> RenderableType:
    """The window split by group (rig or role), slowest first."""
    summaries = group_summaries(metric)
    if not summaries:
        return Text("no samples in window", style=palette.muted)
    if all(not sample.group for sample in metric.samples):
        return Text("no breakdown: these samples carry no rig or role", style=palette.muted)
    table = Table(box=None, padding=(0, 1), header_style=palette.muted, expand=True, pad_edge=False)
    table.add_column("group", no_wrap=True, overflow="ellipsis", ratio=1, min_width=6)
    unit = column_unit(metric, [s.p95 for s in summaries])
    for name in ("n", "p50", f"p95 {unit}".strip()):  # both in the unit said once, at the end
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("health", no_wrap=True)
    for s in summaries:
        table.add_row(
            s.group,
            str(s.count),
            _in_unit(metric, s.p50, unit),
            _in_unit(metric, s.p95, unit),
            health_badge(s.health, palette),
        )
    return table


def column_unit(metric: MetricSummary, values: list[float | None]) -> str:
    """The one time unit a column of the metric's values reads in (its header says it): the unit
    of the largest; none (each value says its own) for durations of a minute or more."""
    largest = max((v for v in values if v is not None), default=None)
    if largest is None or metric.unit not in UNIT_SECONDS:
        return ""
    unit = split_figure(largest, metric.unit, metric.key)[1]
    return unit if unit in UNIT_SECONDS else ""


def _in_unit(metric: MetricSummary, value: float | None, unit: str) -> str:
    if value is None or not unit:
        return figure(metric, value)
    return number_in(value, metric.unit, metric.key, unit)


def worst_samples_table(
    metric: MetricSummary, now: datetime, palette: Palette, limit: int = 10
) -> RenderableType:
    """The slowest samples of the window, with the bead or polecat they were about."""
    worst = sorted(metric.samples, key=lambda s: (-s.value, s.at))[:limit]
    if not worst:
        return Text("no samples in window", style=palette.muted)
    threshold = threshold_of(metric)
    table = Table(box=None, padding=(0, 1), header_style=palette.muted, expand=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("subject", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("group", no_wrap=True, overflow="ellipsis", ratio=1, min_width=8)
    table.add_column("age", justify="right", no_wrap=True)
    for s in worst:
        value = Text(figure(metric, s.value), style=palette.of(threshold.judge(s.value)))
        age = format_age((now - s.at).total_seconds())
        table.add_row(value, short_subject(s), s.group or "—", age)
    return table
