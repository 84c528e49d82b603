"""The metrics: a pane's big p95, health word, window stats and trend; the text table of all five.

Rich renderables the console's metric panes show and the text snapshot prints. Imports no Textual.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import MetricSummary, Snapshot
from gt_tui.export.charts import BigNumber, Trend
from gt_tui.export.style import (
    FitLine,
    Palette,
    Part,
    metric_badge,
    threshold_of,
)
from gt_tui.health import Health
from gt_tui.units import (
    WHOLE_SECOND_CAPTION,
    WHOLE_SECOND_MARK,
    format_figure,
    is_whole_seconds,
    split_figure,
)


def figure(metric: MetricSummary, value: float | None) -> str:
    """One of the metric's values as every view writes it: `80 µs`, `1.50 s`, `3 s`, `1m 31s`."""
    return format_figure(value, metric.unit, metric.key)


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
    number, unit = (
        ("—", metric.unit)
        if metric.headline is None
        else split_figure(metric.headline, metric.unit, metric.key)
    )
    # `±1` beside the unit: figures from 1-second timestamps are whole seconds, give or take one.
    mark = (
        WHOLE_SECOND_CAPTION if is_whole_seconds(metric.key) and metric.headline is not None else ""
    )
    return BigNumber(
        number,
        style,
        side=("p95", mark, unit),
        side_style=palette.muted,
        rows=rows,
    )


def stats_line(metric: MetricSummary, palette: Palette) -> RenderableType:
    """p50 4.10 ms  max 12.0 ms: the rest of the window's shape. When narrow, a unit the big
    headline already shows is said once, then not at all; last, only the p50 is left."""
    if metric.count == 0:
        return Text("no samples in window", style=palette.muted, overflow="ellipsis", no_wrap=True)
    style = palette.stale if metric.stale else ""
    (p50, p50_unit), (top, top_unit) = (_split(metric, v) for v in (metric.p50, metric.max))

    def line(p50_text: str, max_text: str | None) -> Text:
        parts = [("p50 ", palette.muted), (p50_text, style)]
        if max_text is not None:
            parts += [("  max ", palette.muted), (max_text, style)]
        return Text.assemble(*parts)

    forms = [line(f"{p50} {p50_unit}", f"{top} {top_unit}")]
    if p50_unit == top_unit:
        forms.append(line(p50, f"{top} {top_unit}"))
        if top_unit == big_headline(metric, palette).side[2]:
            forms.append(line(p50, top))
    forms.append(line(f"{p50} {p50_unit}", None))
    return FitLine([Part.of(0, *forms), *few_samples_part(metric, palette)])


def _split(metric: MetricSummary, value: float | None) -> tuple[str, str]:
    return ("—", "") if value is None else split_figure(value, metric.unit, metric.key)


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


_AT = attrgetter("at")


def metric_trend(
    metric: MetricSummary,
    palette: Palette,
    height: int | None = None,
    empty_text: str = "no samples in window",
) -> Trend:
    """The window as bars, each judged against the metric's own thresholds."""
    values = [s.value for s in sorted(metric.samples, key=_AT)]  # in order already: one pass
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

    mark = f" ({WHOLE_SECOND_MARK})" if is_whole_seconds(metric.key) else ""
    return [
        Text(f"{metric.label}{mark}", style=value_style),
        Text(figure(metric, metric.p95), style=big_headline(metric, palette).style),
        Text(figure(metric, metric.p50), style=value_style),
        Text(figure(metric, metric.max), style=value_style),
        Text(f"{metric.count}{' few' if metric.few_samples else ''}", style=value_style),
        metric_badge(metric, now, palette),
        metric_trend(metric, palette, height=1, empty_text="—"),
    ]
