"""Text-mode charts drawn with Rich alone: big digits (3, 5, 7 rows) and a threshold-coloured trend.

The trend is scaled from zero up to the larger of the window's maximum and the warning threshold,
so a healthy window sits low and calm; each bar takes the colour its own value earns against the
thresholds. A near-constant window (the bars' spread under a quarter of their maximum) is scaled
from below its minimum to its maximum, so its variation shows; every sample draws at least the
lowest bar, so a window with samples is never blank (the bars' colours still say the health).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import pairwise

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from gt_tui.health import Health, Threshold

# Three rows per glyph, in heavy box-drawing strokes: legible across a room and in any font.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("┏━┓", "┃ ┃", "┗━┛"),
    "1": ("╺┓ ", " ┃ ", "╺┻╸"),
    "2": ("╺━┓", "┏━┛", "┗━╸"),
    "3": ("╺━┓", " ━┫", "╺━┛"),
    "4": ("╻ ╻", "┗━┫", "  ╹"),
    "5": ("┏━╸", "┗━┓", "╺━┛"),
    "6": ("┏━╸", "┣━┓", "┗━┛"),
    "7": ("╺━┓", "  ┃", "  ╹"),
    "8": ("┏━┓", "┣━┫", "┗━┛"),
    "9": ("┏━┓", "┗━┫", "╺━┛"),
    ".": (" ", " ", "•"),
    ":": ("•", " ", "•"),
    "-": ("   ", "╺━╸", "   "),
    "—": ("   ", "╺━╸", "   "),
    " ": (" ", " ", " "),
}
# Five rows per glyph, for large panes (the wall on a big screen).
_GLYPHS5: dict[str, tuple[str, ...]] = {
    "0": ("┏━━━┓", "┃   ┃", "┃   ┃", "┃   ┃", "┗━━━┛"),
    "1": (" ╺┓  ", "  ┃  ", "  ┃  ", "  ┃  ", " ╺┻╸ "),
    "2": ("╺━━━┓", "    ┃", "┏━━━┛", "┃    ", "┗━━━╸"),
    "3": ("╺━━━┓", "    ┃", " ━━━┫", "    ┃", "╺━━━┛"),
    "4": ("╻   ╻", "┃   ┃", "┗━━━┫", "    ┃", "    ╹"),
    "5": ("┏━━━╸", "┃    ", "┗━━━┓", "    ┃", "╺━━━┛"),
    "6": ("┏━━━╸", "┃    ", "┣━━━┓", "┃   ┃", "┗━━━┛"),
    "7": ("╺━━━┓", "    ┃", "    ┃", "    ┃", "    ╹"),
    "8": ("┏━━━┓", "┃   ┃", "┣━━━┫", "┃   ┃", "┗━━━┛"),
    "9": ("┏━━━┓", "┃   ┃", "┗━━━┫", "    ┃", "╺━━━┛"),
    ".": (" ", " ", " ", " ", "•"),
    ":": (" ", "•", " ", "•", " "),
    "-": ("     ", "     ", "╺━━━╸", "     ", "     "),
    "—": ("     ", "     ", "╺━━━╸", "     ", "     "),
    " ": ("  ", "  ", "  ", "  ", "  "),
}
# Seven rows per glyph, for the wall across a room when its panes are big enough.
_GLYPHS7: dict[str, tuple[str, ...]] = {
    "0": ("┏━━━━━┓", "┃     ┃", "┃     ┃", "┃     ┃", "┃     ┃", "┃     ┃", "┗━━━━━┛"),
    "1": (" ╺━┓   ", "   ┃   ", "   ┃   ", "   ┃   ", "   ┃   ", "   ┃   ", " ╺━┻━╸ "),
    "2": ("╺━━━━━┓", "      ┃", "      ┃", "┏━━━━━┛", "┃      ", "┃      ", "┗━━━━━╸"),
    "3": ("╺━━━━━┓", "      ┃", "      ┃", " ━━━━━┫", "      ┃", "      ┃", "╺━━━━━┛"),
    "4": ("╻     ╻", "┃     ┃", "┃     ┃", "┗━━━━━┫", "      ┃", "      ┃", "      ╹"),
    "5": ("┏━━━━━╸", "┃      ", "┃      ", "┗━━━━━┓", "      ┃", "      ┃", "╺━━━━━┛"),
    "6": ("┏━━━━━╸", "┃      ", "┃      ", "┣━━━━━┓", "┃     ┃", "┃     ┃", "┗━━━━━┛"),
    "7": ("╺━━━━━┓", "      ┃", "      ┃", "      ┃", "      ┃", "      ┃", "      ╹"),
    "8": ("┏━━━━━┓", "┃     ┃", "┃     ┃", "┣━━━━━┫", "┃     ┃", "┃     ┃", "┗━━━━━┛"),
    "9": ("┏━━━━━┓", "┃     ┃", "┃     ┃", "┗━━━━━┫", "      ┃", "      ┃", "╺━━━━━┛"),
    ".": (" ", " ", " ", " ", " ", " ", "•"),
    ":": (" ", " ", "•", " ", "•", " ", " "),
    "-": ("       ", "       ", "       ", "╺━━━━━╸", "       ", "       ", "       "),
    "—": ("       ", "       ", "       ", "╺━━━━━╸", "       ", "       ", "       "),
    " ": ("   ", "   ", "   ", "   ", "   ", "   ", "   "),
}
FONTS: dict[int, dict[str, tuple[str, ...]]] = {3: _GLYPHS, 5: _GLYPHS5, 7: _GLYPHS7}
BARS = " ▁▂▃▄▅▆▇█"


def _gaps(text: str) -> int:
    """Gaps between neighbouring glyphs of the big font: none next to the decimal point."""
    return sum(1 for a, b in pairwise(text) if "." not in (a, b))


def _join(text: str, font: dict[str, tuple[str, ...]], row: int, gap: str) -> str:
    pieces = []
    for index, ch in enumerate(text):
        if index and gap and "." not in (ch, text[index - 1]):
            pieces.append(gap)
        pieces.append(font.get(ch, font[" "])[row])
    return "".join(pieces)


def big_width(text: str, side: tuple[str, str, str] = ("", "", ""), rows: int = 3) -> int:
    """How many cells `BigNumber(text, side=side, rows=rows)` needs."""
    font = FONTS[rows]
    glyphs = sum(len(font.get(ch, font[" "])[0]) for ch in text)
    gaps = _gaps(text) if rows >= 5 else 0
    widest = max(cell_len(caption) for caption in side)
    return glyphs + gaps + (widest + 1 if widest else 0)


class BigNumber:
    """A number drawn three, five or seven rows tall, with small captions to its right.

    The captions sit on the first, middle and last rows (`p95` on top, the unit at the bottom).
    Falls back to the next smaller font, then to one bold line, when the space it is given is
    narrower than the big form.
    """

    def __init__(
        self,
        text: str,
        style: str = "",
        *,
        side: tuple[str, str, str] = ("", "", ""),
        side_style: str = "",
        rows: int = 3,
    ) -> None:
        self.text = text
        self.style = style
        self.side = side
        self.side_style = side_style
        self.rows = rows if rows in FONTS else 3

    def small(self) -> Text:
        """The one-line form: `8.2 ms p95`."""
        small = Text(self.text, style=Style.parse(self.style or "none") + Style(bold=True))
        for caption in (self.side[2], self.side[0], self.side[1]):
            if caption:
                small.append(f" {caption}", style=self.side_style)
        return small

    def _caption(self, row: int, rows: int) -> str:
        return {0: self.side[0], rows // 2: self.side[1], rows - 1: self.side[2]}.get(row, "")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = next(
            (
                r
                for r in sorted(FONTS, reverse=True)
                if r <= self.rows and big_width(self.text, self.side, r) <= options.max_width
            ),
            None,
        )
        if rows is None:
            yield self.small()
            return
        yield from self._big(rows)

    def _big(self, rows: int) -> RenderResult:
        font, gap = FONTS[rows], " " if rows >= 5 else ""
        widest = max(cell_len(caption) for caption in self.side)
        for row in range(rows):
            glyphs = _join(self.text, font, row, gap)
            line = Text(glyphs, style=self.style, no_wrap=True)
            if widest:
                line.append(" " + self._caption(row, rows).ljust(widest), style=self.side_style)
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(cell_len(self.small().plain), big_width(self.text, self.side, self.rows))


def _buckets(values: Sequence[float], width: int) -> list[float]:
    """One value per column: every value when they fit, else the worst (max) of each bucket."""
    if len(values) <= width:
        return list(values)
    step = Fraction(len(values), width)
    return [max(values[int(step * i) : int(step * (i + 1))] or (0.0,)) for i in range(width)]


NEAR_CONSTANT_SPREAD = 0.25  # a window whose spread is under this share of its maximum


def trend_scale(values: Sequence[float], warning: float) -> tuple[float, float]:
    """The (floor, top) a window of non-negative values is drawn between.

    From zero to the larger of its maximum and the warning line; a near-constant (not constant)
    window from three spreads below its minimum to its maximum, so its values fill the top three
    quarters of the height.
    """
    if not values:
        return 0.0, warning or 1.0
    low, high = min(values), max(values)
    spread = high - low
    if 0 < spread < NEAR_CONSTANT_SPREAD * high:
        return max(0.0, low - 3 * spread), high
    return 0.0, max(high, warning) or 1.0


class Trend:
    """Bars of a metric's window, oldest left, newest right, one colour per bar by threshold."""

    def __init__(
        self,
        values: Sequence[float],
        threshold: Threshold,
        style_of: Callable[[Health], str],
        *,
        height: int | None = None,
        empty_text: str = "no samples in window",
        empty_style: str = "",
    ) -> None:
        self.values = [max(0.0, float(v)) for v in values if math.isfinite(v)]
        self.threshold = threshold
        self.style_of = style_of
        self.height = height
        self.empty_text = empty_text
        self.empty_style = empty_style

    def columns(self, width: int, height: int) -> list[tuple[int, float]]:
        """Each column's bar height in eighths of a row (at least 1), and the value that drew it."""
        columns = _buckets(self.values, width)
        floor, top = trend_scale(
            self.values, self.threshold.warning
        )  # the window's, not a bucket's
        levels = height * 8
        span = (top - floor) or 1.0
        return [(max(1, round((value - floor) / span * levels)), value) for value in columns]

    def cells(self, width: int, height: int) -> tuple[tuple[int, Health], ...]:
        """What the bars look like at this size, cheaply: each column's height in eighths and
        its health. Two trends (of one style) with equal cells draw the same."""
        columns = self.columns(width, height) if self.values else []
        return tuple((eighths, self.threshold.judge(value)) for eighths, value in columns)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        height = self.height or options.height or 1
        if not self.values:
            yield Text(self.empty_text, style=self.empty_style, no_wrap=True, overflow="ellipsis")
            return
        columns = self.columns(width, height)
        styles = [Style.parse(self.style_of(self.threshold.judge(v)) or "none") for _, v in columns]
        pad = Segment(" " * (width - len(columns)))
        for row in reversed(range(height)):
            line = [pad]
            for (eighths, _), style in zip(columns, styles, strict=True):
                level = min(max(eighths - row * 8, 0), 8)
                line.append(Segment(BARS[level], style if level else None))
            yield from Segment.simplify(line)
            yield Segment.line()


PLOT_FIT_BELOW = 0.1  # a window whose maximum is under this share of the warning is fitted
_TIME_UNITS = (("µs", 1e-6), ("ms", 1e-3), ("s", 1.0))


def plot_scale(values: Sequence[float], warning: float) -> tuple[float, float]:
    """The y range of the zoomed chart: zero to above the larger of the maximum and the warning
    line; fitted to the data, with a margin, when it is near-constant or lies far below the
    warning line, so its shape shows."""
    if not values:
        return 0.0, warning * 1.2 or 1.0
    low, high = min(values), max(values)
    near_constant = 0 < high - low < NEAR_CONSTANT_SPREAD * high
    if not near_constant and high >= PLOT_FIT_BELOW * warning:
        return 0.0, max(high, warning) * 1.2 or 1.0
    margin = (high - low) * 0.2 or high * 0.2 or 1.0
    return max(0.0, low - margin), high + margin


def plot_unit(values: Sequence[float], unit: str) -> tuple[str, float]:
    """The time unit the chart's axis reads best in, and the factor from the metric's unit."""
    seconds_per = dict(_TIME_UNITS).get(unit)
    if seconds_per is None:
        return unit, 1.0
    largest = max((abs(v) for v in values), default=0.0) * seconds_per
    name, size = next((n, z) for n, z in _TIME_UNITS if largest < z * 1000 or n == "s")
    return name, seconds_per / size
