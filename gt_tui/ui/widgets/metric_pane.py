"""A metric pane: the headline p95 large, its health as a word, the window's stats and its trend."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from gt_tui.engine.snapshot import MetricSummary
from gt_tui.export.metric_view import metric_body, metric_trend
from gt_tui.export.style import (
    SHORT_LABELS,
    TINY_LABELS,
    Palette,
    age_since,
    metric_state,
    metric_tooltip,
)
from gt_tui.ui.widgets.state import set_state

# Room a pane needs for five-row digits (`888.8 p95` is 23 cells wide).
BIG_PANE_HEIGHT = 18
BIG_PANE_WIDTH = 23


class TrendView(Widget):
    """The metric's window as threshold-coloured bars filling the space it is given."""

    def __init__(self) -> None:
        super().__init__()
        self._metric: MetricSummary | None = None
        self._palette: Palette | None = None

    def update_from(self, metric: MetricSummary, palette: Palette) -> None:
        if (metric.samples, metric.stale, palette) != self._key():
            self._metric, self._palette = metric, palette
            self.refresh()

    def _key(self) -> tuple[object, ...]:
        metric = self._metric
        return (
            (None, None, None) if metric is None else (metric.samples, metric.stale, self._palette)
        )

    def render(self) -> RenderableType:
        if self._metric is None or self._palette is None:
            return Text("")
        return metric_trend(self._metric, self._palette, height=max(1, self.size.height))


class MetricPane(Vertical, can_focus=True):
    """One of the five metrics; `enter` or a click zooms into it."""

    BINDINGS: ClassVar = [Binding("enter", "zoom", "zoom", show=False)]

    def __init__(self, index: int, key: str, label: str) -> None:
        super().__init__(id=f"pane-{key}", classes="-unknown")
        self.index = index
        self.key = key
        self.label = label
        self._shown: tuple[object, ...] | None = None
        self.body = Static(Text("waiting for the first refresh…"), classes="body")
        self.trend = TrendView()

    def compose(self) -> ComposeResult:
        yield self.body
        yield self.trend

    def on_mount(self) -> None:
        self._title()

    def fits_big_digits(self) -> bool:
        """Whether this pane has room for the five-row digits."""
        width, height = self.size
        return height >= BIG_PANE_HEIGHT and width >= BIG_PANE_WIDTH

    def update_from(
        self,
        metric: MetricSummary | None,
        now: datetime,
        palette: Palette,
        *,
        wall: bool,
        rows: int = 3,
    ) -> None:
        """Redraw for this metric; the text is rebuilt only when what it shows has changed."""
        if metric is None:
            return
        self.trend.update_from(metric, palette)
        stale_age = age_since(metric.error_since, now) if metric.stale else None
        shown = (
            *(metric.label, metric.unit, metric.count, metric.p50, metric.p95, metric.max),
            *(metric.health, metric.stale, metric.error, metric.source, metric.precision_note),
            *(metric.warning, metric.danger, stale_age, palette, wall, rows),
        )
        if shown == self._shown:
            return
        self._shown = shown
        self.label = metric.label
        set_state(self, metric_state(metric))
        self._title()
        self.border_subtitle = f"n {metric.count}"
        self.tooltip = metric_tooltip(metric)
        self.body.update(metric_body(metric, now, palette, wall=wall, big_rows=rows))

    def _title(self) -> None:
        room = max(0, self.outer_size.width - 6)
        label = self.label
        shorter = (SHORT_LABELS.get(self.key, label), TINY_LABELS.get(self.key, label))
        for candidate in (self.label, *shorter):
            label = candidate
            if len(candidate) + 2 <= room:
                break
        self.border_title = f"{self.index} {label}"

    def on_resize(self) -> None:
        self._title()

    def on_click(self) -> None:
        self.action_zoom()

    def action_zoom(self) -> None:
        self.app.action_zoom(self.index)  # type: ignore[attr-defined]
