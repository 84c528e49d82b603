"""A metric pane: the headline p95 large, its health as a word, the window's stats and its trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Self

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.reactive import var

from gt_tui.engine.snapshot import MetricSummary
from gt_tui.export.charts import FONTS, big_width
from gt_tui.export.metric_view import figure, metric_body
from gt_tui.export.style import (
    SHORT_LABELS,
    TINY_LABELS,
    Palette,
    metric_badge,
    metric_state,
    metric_tooltip,
)
from gt_tui.ui.keymap import zoom_action
from gt_tui.ui.widgets.quiet import QuietStatic, set_border, set_tooltip
from gt_tui.ui.widgets.state import set_state
from gt_tui.ui.widgets.trend_view import TrendView

# Room a pane needs for five-row digits (`888.8 p95` is 23 cells wide).
BIG_PANE_HEIGHT = 18
BIG_PANE_WIDTH = 23
# The wall: the rows a pane keeps besides the digits' own (badge, trend, border), and the widest
# three-digit headline with its captions, which the digits must fit (wider ones fall back a size).
WALL_SPARE_ROWS = BIG_PANE_HEIGHT - 5
WALL_WIDEST = ("88.8", ("p95", "±1", "ms"))


@dataclass(frozen=True)
class PaneData:
    """What the pane's text shows, as it is written (compared: a p95 of 4.12 ms then 4.13 ms
    both read `4.1 ms` and repaint nothing), with the metric and the clock it is drawn from."""

    shown: tuple[object, ...]
    palette: Palette
    wall: bool
    rows: int
    metric: MetricSummary = field(compare=False)
    now: datetime = field(compare=False)


class MetricPane(Vertical, can_focus=True):
    """One of the five metrics; `enter` or a click zooms into it."""

    BINDINGS: ClassVar = [Binding("enter", "zoom", "zoom", show=False)]
    data: var[PaneData | None] = var(None, init=False)
    """The metric's text drawn; rebuilt only when what it shows has changed."""

    _bottom_row_only = False
    _drawn_from: tuple[object, ...] = ()

    def __init__(self, index: int, key: str, label: str) -> None:
        super().__init__(id=f"pane-{key}", classes="-unknown")
        self.index = index
        self.key = key
        self.label = label
        self.body = QuietStatic(Text("waiting for the first refresh…"), classes="body")
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

    def wall_rows(self) -> int:
        """The wall's digits: the tallest font whose rows and width fit this pane's content."""
        width, height = self.content_size.width, self.outer_size.height
        text, side = WALL_WIDEST
        fits = [
            rows
            for rows in FONTS
            if rows + WALL_SPARE_ROWS <= height and big_width(text, side, rows) <= width
        ]
        return max(fits, default=min(FONTS))

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
        # The clock's tick, or a refresh that left the metric as it was: only a stale age
        # can change.
        drawn_from = (metric, palette, wall, rows, self.size, self.trend.size)
        if not metric.stale and _same(drawn_from, self._drawn_from):
            return
        self._drawn_from = drawn_from
        self.trend.update_from(metric, palette)
        self._set_count(f"n {metric.count}")
        self.data = PaneData(
            shown_text(metric, now, palette, wall=wall), palette, wall, rows, metric, now
        )

    def watch_data(self, data: PaneData | None) -> None:
        if data is None:
            return
        metric = data.metric
        self.label = metric.label
        set_state(self, metric_state(metric))
        self._title()
        set_tooltip(self, metric_tooltip(metric))
        body = metric_body(metric, data.now, data.palette, wall=data.wall, big_rows=data.rows)
        self.body.show(body)

    def _set_count(self, subtitle: str) -> None:
        """The sample count on the bottom border, which changes with nearly every refresh:
        Textual's setter repaints the whole pane, so only the bottom row is let repaint."""
        if self.border_subtitle == subtitle:
            return
        self._bottom_row_only = True
        try:
            self.border_subtitle = subtitle
        finally:
            self._bottom_row_only = False

    def refresh(self, *regions: Region, **options: bool) -> Self:
        if self._bottom_row_only and not regions and self.outer_size.height:
            offset, outer = self.content_offset, self.outer_size
            regions = (Region(-offset.x, outer.height - 1 - offset.y, outer.width, 1),)
        return super().refresh(*regions, **options)

    def _title(self) -> None:
        room = max(0, self.outer_size.width - 6)
        label = self.label
        shorter = (SHORT_LABELS.get(self.key, label), TINY_LABELS.get(self.key, label))
        for candidate in (self.label, *shorter):
            label = candidate
            if len(candidate) + 2 <= room:
                break
        set_border(self, title=f"{self.index} {label}")

    def on_resize(self) -> None:
        self._title()

    async def on_click(self) -> None:
        await self.action_zoom()

    async def action_zoom(self) -> None:
        await self.app.run_action(zoom_action(self.index))


def shown_text(
    metric: MetricSummary, now: datetime, palette: Palette, *, wall: bool
) -> tuple[object, ...]:
    """What a pane's body and tooltip say, as written (the wall leaves the p50/max line out)."""
    stats = (
        () if wall else (metric.count == 0, figure(metric, metric.p50), figure(metric, metric.max))
    )
    return (
        *(metric.key, metric.label, metric.unit, metric.health, metric.stale, metric.few_samples),
        *(figure(metric, metric.headline), metric_badge(metric, now, palette), *stats),
        *(metric.error, metric_tooltip(metric)),
    )


def _same(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    """Whether `new` is `old`: its metric the very same object or an equal one (a new summary
    each refresh; a window that did not change hands out the same samples, so comparing
    them is a pass of identity checks), the rest equal."""
    return bool(old) and (new[0] is old[0] or new[0] == old[0]) and new[1:] == old[1:]
