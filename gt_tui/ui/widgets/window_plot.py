"""The zoomed chart: the metric's window over time with its warning and danger lines (plotext).

The axis reads in the time unit that suits the window (convoy refreshes in ms), on the scale
`export.charts.plot_scale` picks (fitted to a near-constant or tiny window so its shape shows).

Every WindowPlot owns its own plotext figure (textual-plotext gives each widget one): no global.
textual-plotext subscribes each plot to the app's theme signal with a callback that holds the
plot, and never unsubscribes: the plot (figure, caches) would outlive its screen, so it does here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from textual.color import Color
from textual.reactive import var
from textual_plotext import PlotextPlot

from gt_tui.engine.snapshot import MetricSummary, Sample
from gt_tui.export.charts import plot_scale, plot_unit

RGB = tuple[int, int, int]


def _rgb(app_variables: dict[str, str], name: str, fallback: str) -> RGB:
    try:
        return Color.parse(app_variables.get(name, fallback)).rgb
    except Exception:  # an unparseable theme value: use the fallback colour
        return Color.parse(fallback).rgb


def time_axis(samples: Sequence[Sample], now: datetime) -> tuple[list[float], str]:
    """Sample times as negative offsets from `now`, in seconds or minutes, and the axis label."""
    offsets = [(s.at - now).total_seconds() for s in samples]
    if offsets and min(offsets) < -300:
        return [o / 60 for o in offsets], "minutes before the snapshot"
    return offsets, "seconds before the snapshot"


@dataclass(frozen=True)
class PlotData:
    """What the chart draws (compared): samples, thresholds, staleness, time, theme."""

    samples: tuple[Sample, ...]
    warning: float
    danger: float
    stale: bool
    now: datetime
    theme: str
    metric: MetricSummary = field(compare=False)


class WindowPlot(PlotextPlot):
    """A line of the window's samples with the thresholds drawn across it."""

    data: var[PlotData | None] = var(None, init=False)
    """The chart drawn; redrawn only when it changes."""

    def __init__(self) -> None:
        super().__init__(id="zoom-plot")

    def on_unmount(self) -> None:
        self.app.theme_changed_signal.unsubscribe(self)

    def update_from(self, metric: MetricSummary, now: datetime) -> None:
        self.data = PlotData(
            *(metric.samples, metric.warning, metric.danger, metric.stale, now, self.app.theme),
            metric,
        )

    def watch_data(self, data: PlotData | None) -> None:
        if data is not None:
            self._draw(data.metric, data.now)
            self.refresh()

    def _draw(self, metric: MetricSummary, now: datetime) -> None:
        plt = self.plt
        plt.clear_figure()
        variables = self.app.theme_variables
        samples = sorted(metric.samples, key=lambda s: s.at)
        unit, factor = plot_unit([s.value for s in samples], metric.unit)
        values = [s.value * factor for s in samples]
        floor, top = plot_scale(values, metric.warning * factor)
        warn = _rgb(variables, "warning", "#E3B341")
        danger = _rgb(variables, "error", "#F0606A")
        line = _rgb(variables, "foreground-disabled" if metric.stale else "accent", "#7FB4CA")
        xs, label = time_axis(samples, now)
        if values:
            plt.plot(xs, values, marker="braille", color=line)
        left = min(xs, default=-1.0)
        canvas = _rgb(variables, "surface", "#161B21")
        lines = [("warning", metric.warning, warn), ("danger", metric.danger, danger)]
        for name, level, color in lines:
            if floor <= level * factor <= top:
                plt.hline(level * factor, color)
                tag = f" {name} {level:g} {metric.unit} "
                plt.text(
                    tag, left, level * factor, color=color, background=canvas, alignment="left"
                )
        plt.ylim(floor, top)
        plt.xlabel(label)
        plt.ylabel(unit)
