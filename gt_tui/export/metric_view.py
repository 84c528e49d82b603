"""The metrics: a pane's big p95, health word, window stats and trend; the text table of all five.

Rich renderables the console's metric panes show and the text snapshot prints. Imports no Textual.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import MetricSummary, Snapshot
from gt_tui.export.charts import BigNumber, Trend
from gt_tui.export.style import (
    FitLine,
    Palette,
    Part,
    format_value,
    metric_badge,
    threshold_of,
)
from gt_tui.health import Health


def big_headline(metric: MetricSummary, palette: Palette, rows: int = 3) -> BigNumber:
    """The p95 drawn large, coloured only when it needs attention (calm when healthy)."""
    if metric.stale:
        style = palette.stale
    elif metric.health in (Health.WARNING, Health.DANGER):
        style = palette.of(metric.health)
    elif metric.health is Health.UNKNOWN:
        style = palette.muted
    else:
        style = palette.strong
    return BigNumber(
        format_value(metric.headline),
        style,
        side=("p95", "", metric.unit),
        side_style=palette.muted,
        rows=rows,
    )


def stats_line(metric: MetricSummary, palette: Palette) -> RenderableType:
    """p50 4.1  max 12.0: the rest of the window's shape (max goes first when narrow)."""
    if metric.count == 0:
        return Text("no samples in window", style=palette.muted, overflow="ellipsis", no_wrap=True)
    style = palette.stale if metric.stale else ""
    return FitLine(
        [
            Part.of(0, Text.assemble(("p50 ", palette.muted), (format_value(metric.p50), style))),
            Part.of(2, Text.assemble(("max ", palette.muted), (format_value(metric.max), style))),
            *few_samples_part(metric, palette),
        ]
    )


def few_samples_part(metric: MetricSummary, palette: Palette) -> list[Part]:
    """ "few samples" while the window is judged on its median (`health.FEW_SAMPLES`)."""
    if not metric.few_samples:
        return []
    return [Part.of(1, Text("few samples", palette.muted), Text("few", palette.muted))]


def metric_body(
    metric: MetricSummary,
    now: datetime,
    palette: Palette,
    *,
    wall: bool = False,
    big_rows: int = 3,
) -> RenderableType:
    """The text part of a metric pane: headline, health word, window stats, why it is stale."""
    parts: list[RenderableType] = [
        big_headline(metric, palette, big_rows),
        metric_badge(metric, now, palette),
    ]
    if not wall:
        parts.append(stats_line(metric, palette))
    if metric.stale and metric.error:
        parts.append(Text(metric.error, style=palette.stale, overflow="ellipsis", no_wrap=True))
    return Group(*parts)


def metric_trend(
    metric: MetricSummary,
    palette: Palette,
    height: int | None = None,
    empty_text: str = "no samples in window",
) -> Trend:
    """The window as bars, each judged against the metric's own thresholds."""
    values = [s.value for s in sorted(metric.samples, key=lambda s: s.at)]
    style_of = (lambda _h: palette.stale) if metric.stale else palette.bar
    return Trend(
        values,
        threshold_of(metric),
        style_of,
        height=height,
        empty_text=empty_text,
        empty_style=palette.muted,
    )


# ---------------------------------------------------------------- metrics table (text)


def metrics_table(
    snapshot: Snapshot, now: datetime, palette: Palette, trend_width: int = 16
) -> Table:
    """The five metrics as a compact table: p95, p50, max, count, health and a trend."""
    table = Table(box=None, padding=(0, 1), header_style=palette.muted, pad_edge=False)
    table.add_column("metric", no_wrap=True)
    for name in ("p95", "p50", "max"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("health", no_wrap=True)
    table.add_column("window", width=trend_width, no_wrap=True)
    for metric in snapshot.metrics:
        table.add_row(*_metric_cells(metric, now, palette))
    return table


def _metric_cells(metric: MetricSummary, now: datetime, palette: Palette) -> list[RenderableType]:
    value_style = palette.stale if metric.stale else ""

    def value(number: float | None) -> str:
        return "—" if number is None else f"{format_value(number)} {metric.unit}"

    return [
        Text(metric.label, style=value_style),
        Text(value(metric.p95), style=big_headline(metric, palette).style),
        Text(value(metric.p50), style=value_style),
        Text(value(metric.max), style=value_style),
        Text(f"{metric.count}{' few' if metric.few_samples else ''}", style=value_style),
        metric_badge(metric, now, palette),
        metric_trend(metric, palette, height=1, empty_text="—"),
    ]
