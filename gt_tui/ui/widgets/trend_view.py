"""A metric's trend drawn through Textual's line API: only the rows whose bars changed repaint.

The bars are what `export.charts.Trend` draws (the same characters and styles), built straight
into one `Strip` per row from the cells `Trend.cells` measured, and handed out per line: no
Rich renderable is built, rendered and split into lines per repaint. A new sample shifts every
bar, but on a healthy window most rows read the same (blank above the bars, full below their
lowest top), so a change repaints just the rows that differ, and a row's strip is built once
while it is shown (issue 12: the trends were most of the idle wall's drawing). An empty window's
one-line message goes through `render()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gt_tui.engine.snapshot import MetricSummary
from gt_tui.export.charts import BARS
from gt_tui.export.metric_view import metric_trend
from gt_tui.export.style import Palette
from gt_tui.health import Health

Cells = tuple[tuple[int, Health], ...]
Row = tuple[int, tuple[tuple[str, Health | None], ...]]  # pad width, each column's (char, health)


@dataclass(frozen=True)
class TrendData:
    """What the trend draws (compared): its bars at the size they were measured for (or, before
    the first layout, the samples), stale or not, the palette; the metric rides along. A new
    sample that leaves every bar as it was repaints nothing."""

    bars: tuple[object, ...]
    size: tuple[int, int]
    stale: bool
    palette: Palette
    metric: MetricSummary = field(compare=False)

    @property
    def look(self) -> tuple[bool, Palette]:
        """What colours the bars besides their health: another look repaints them all."""
        return self.stale, self.palette


def bar_rows(cells: Cells, width: int, height: int) -> list[Row]:
    """Each row of the bars, top first, as what it shows (`Trend.__rich_console__`'s cells)."""
    pad = max(0, width - len(cells))
    rows: list[Row] = []
    for row in reversed(range(height)):
        columns: list[tuple[str, Health | None]] = []
        for eighths, health in cells:
            level = min(max(eighths - row * 8, 0), 8)
            columns.append((BARS[level], health) if level else (" ", None))
        rows.append((pad, tuple(columns)))
    return rows


def row_strip(row: Row, width: int, base: Style, style_of: dict[Health, Style]) -> Strip:
    """One row as a strip, with the widget's base style under each cell as Textual's `_Styled`
    puts it; the pad segment stays even when empty, as `Trend` yields it."""
    pad, columns = row
    segments = [Segment(" " * pad, base)]
    for char, health in columns:
        segments.append(Segment(char, base if health is None else base + style_of[health]))
    return Strip(Segment.simplify(segments), width)


class TrendView(Widget):
    """The metric's window as threshold-coloured bars filling the space it is given."""

    data: reactive[TrendData | None] = reactive(None, repaint=False)
    """The window drawn; its changed rows are repainted by `watch_data`."""

    _rows: list[Row] | None = None
    _rows_for: tuple[object, ...] = ()
    _look: tuple[object, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._strips: dict[Row, Strip] = {}

    def update_from(self, metric: MetricSummary, palette: Palette) -> None:
        width, height = self.size
        if width and height:
            bars: tuple[object, ...] = metric_trend(metric, palette).cells(width, height)
        else:
            bars = metric.samples
        self.data = TrendData(bars, (width, height), metric.stale, palette, metric)

    def watch_data(self, old: TrendData | None, new: TrendData | None) -> None:
        before = self._rows
        after = self._bar_rows()
        same_look = old is not None and new is not None and old.look == new.look
        if before is None or after is None or len(before) != len(after) or not same_look:
            self.refresh()
            return
        width = self.size.width
        pairs = enumerate(zip(before, after, strict=True))
        changed = [Region(0, y, width, 1) for y, (a, b) in pairs if a != b]
        if changed:
            self.refresh(*changed)

    def render(self) -> RenderableType:
        data = self.data
        if data is None:
            return Text("")
        return metric_trend(data.metric, data.palette, height=max(1, self.size.height))

    def render_line(self, y: int) -> Strip:
        rows = self._bar_rows()
        if rows is None:
            return super().render_line(y)
        if not 0 <= y < len(rows):
            return Strip.blank(self.size.width)
        return self._strip(rows[y])

    def _bar_rows(self) -> list[Row] | None:
        """The bars' rows at this size, measured once per drawing; None when there are no bars
        to draw (no data, an empty window: `render()` says so)."""
        data, (width, height) = self.data, self.size
        if data is None or not data.metric.samples or not width or not height:
            self._rows = None
            return None
        key = (data, width, height)
        if self._rows is None or key != self._rows_for:
            if data.size == (width, height):
                cells = data.bars
            else:  # measured before this size was known: measure again
                cells = metric_trend(data.metric, data.palette).cells(width, height)
            self._rows = bar_rows(cells, width, height) if cells else None  # type: ignore[arg-type]
            self._rows_for = key
            shown = set(self._rows or ())  # keep only the strips of rows still shown
            self._strips = {row: strip for row, strip in self._strips.items() if row in shown}
        return self._rows

    def _strip(self, row: Row) -> Strip:
        data, base = self.data, self.visual_style.rich_style
        assert data is not None
        look = (data.palette, data.stale, self.size.width, base)
        if look != self._look:
            self._strips, self._look = {}, look
        strip = self._strips.get(row)
        if strip is None:
            palette, stale = data.palette, data.stale
            style_of = {
                h: Style.parse((palette.stale if stale else palette.bar(h)) or "none")
                for h in {health for _, health in row[1] if health is not None}
            }
            strip = self._strips[row] = row_strip(row, self.size.width, base, style_of)
        return strip
