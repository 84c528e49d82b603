"""Each metric over time as an inline SVG chart drawn by pygal, with its threshold bands.

The bands are three filled series under the lines: green up to the warning threshold, amber
up to danger, red above (pygal fills a series down to zero, so each band is drawn over the
one above it). Over a history the lines are each refresh's p50 and p95; over one refresh,
the samples of its window. pygal's own tooltip script lives on the network, so it is not
linked (`js=[]`): the charts are static, and the page needs nothing at view time. pygal
escapes every text it writes (ElementTree), and no bead text is given to it anyway.
"""

from __future__ import annotations

from datetime import datetime

import pygal
from pygal.style import Style

from gt_tui.report.data import MetricHistory
from gt_tui.units import format_figure

HEALTH_COLOURS = {
    "healthy": "#2e9e5b",
    "warning": "#e0a100",
    "danger": "#d1343a",
    "unknown": "#9aa0a6",
}
BAND_COLOURS = ("#f6c9cb", "#fbe6a6", "#c9ecd6")  # danger, warning, healthy (drawn in that order)
LINE_COLOURS = ("#1f5fbf", "#7a2fbf")  # p50 (or the samples), p95
CHART_CLASS = "metric-chart"  # each chart's SVG carries it; the browser test counts them
WIDTH, HEIGHT = 900, 260
HEADROOM = 1.15  # the top of the red band: this much above the larger of danger and the data


def metric_chart(history: MetricHistory) -> str:
    """The SVG of one metric's chart (no XML declaration: it sits inline in the HTML)."""
    lines = _lines(history)
    top = max([history.danger, *(v for _, series in lines for _, v in series)]) * HEADROOM
    times = [at for _, series in lines for at, _ in series]
    chart = pygal.DateTimeLine(
        js=[],
        classes=["pygal-chart", CHART_CLASS],
        disable_xml_declaration=True,
        width=WIDTH,
        height=HEIGHT,
        style=_style(),
        range=(0, top),
        show_dots=len(times) < 2,
        dots_size=3,
        truncate_legend=-1,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        x_value_formatter=lambda at: at.strftime("%H:%M:%S"),
        value_formatter=lambda v: format_figure(v, history.unit, history.key),
        y_title=history.unit,
    )
    span = (min(times), max(times)) if times else None
    if span is not None:
        for name, level in _bands(history, top):
            band = [(span[0], level), (span[1], level)]
            chart.add(name, band, fill=True, stroke_style={"width": 0}, show_dots=False)
        for name, series in lines:
            chart.add(name, series, stroke_style={"width": 3})
    else:
        chart.no_data_text = "no samples in the range"
    svg: str = chart.render(is_unicode=True)
    return svg


def _lines(history: MetricHistory) -> list[tuple[str, list[tuple[datetime, float]]]]:
    """p50 and p95 per refresh over a history; the newest window's samples over one refresh."""
    if len(history.points) > 1:
        return [
            (f"p{q}", [(p.at, v) for p in history.points if (v := getattr(p, f"p{q}")) is not None])
            for q in (50, 95)
        ]
    return [("samples", [(s.at, s.value) for s in history.samples])]


def _bands(history: MetricHistory, top: float) -> list[tuple[str, float]]:
    def figure(value: float) -> str:
        return format_figure(value, history.unit, history.key)

    return [
        (f"danger above {figure(history.danger)}", top),
        (f"warning from {figure(history.warning)}", history.danger),
        (f"healthy below {figure(history.warning)}", history.warning),
    ]


def _style() -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#333333",
        foreground_strong="#111111",
        foreground_subtle="#888888",
        colors=(*BAND_COLOURS, *LINE_COLOURS),
        opacity="1",
        opacity_hover="1",
        font_family="sans-serif",
    )
