"""Words, numbers, colours and line fitting: the vocabulary every renderable of a Snapshot shares.

Imports no Textual. Colours come from a `Palette` (the text path uses terminal colours; the console
builds one from its theme), thresholds from the snapshot's metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from gt_tui.engine.snapshot import MetricSummary
from gt_tui.health import Health, Threshold
from gt_tui.units import format_age as format_age
from gt_tui.units import format_duration as format_duration

HEALTH_WORDS = {
    Health.HEALTHY: "HEALTHY",
    Health.WARNING: "WARNING",
    Health.DANGER: "DANGER",
    Health.UNKNOWN: "NO DATA",
}
HEALTH_ICONS = {Health.HEALTHY: "●", Health.WARNING: "▲", Health.DANGER: "✖", Health.UNKNOWN: "○"}
STALE_ICON = "◌"
SEPARATOR = " · "

# Shorter names for panes where words are scarce (the wall, narrow terminals).
TINY_LABELS = {
    "dolt_latency": "Dolt",
    "polecat_spawn": "Spawn",
    "mail_lag": "Mail",
    "convoy_refresh": "Convoy",
    "patrol_cycle": "Patrol",
}
SHORT_LABELS = {
    "dolt_latency": "Dolt latency",
    "polecat_spawn": "Polecat spawn",
    "mail_lag": "Mail lag",
    "convoy_refresh": "Convoy refresh",
    "patrol_cycle": "Patrol cycle",
}


@dataclass(frozen=True)
class Palette:
    """Rich styles for each health and for the quiet parts (labels, units, stale values)."""

    healthy: str = "green"
    healthy_bar: str = "green"
    warning: str = "yellow"
    danger: str = "bold red"
    unknown: str = "bright_black"
    stale: str = "bright_black"
    muted: str = "bright_black"
    strong: str = "bold"
    accent: str = "cyan"

    def of(self, health: Health) -> str:
        style: str = getattr(self, health.value)  # one field per Health value
        return style

    def bar(self, health: Health) -> str:
        """A chart's colour: healthy bars are quieter than the healthy word."""
        return self.healthy_bar if health is Health.HEALTHY else self.of(health)

    def state(self, state: str) -> str:
        return getattr(self, state, self.unknown)


DEFAULT_PALETTE = Palette()


@dataclass(frozen=True)
class ViewState:
    """What the view adds to a snapshot: the clock, pause, an in-flight or failed refresh."""

    now: datetime
    paused: bool = False
    refreshing_for: float | None = None
    failure: str | None = None
    wall: bool = False
    read_only: bool = False
    full_time: bool = False
    demo_load: str | None = None  # the live demo's load level, shown beside its DEMO badge


# ---------------------------------------------------------------- words and numbers


def format_value(value: float | None) -> str:
    """A count or rate with as many digits as a person can use: 0.42, 8.2, 42.1, 420.

    Durations go through `format_duration`/`format_age` and a metric's values through
    `gt_tui.units.format_figure`, which pick the unit per value."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude < 1:
        return f"{value:.2f}"
    if magnitude < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def age_since(since: datetime | None, now: datetime) -> str | None:
    return None if since is None else format_age((now - since).total_seconds())


def metric_state(metric: MetricSummary) -> str:
    """The state class of a metric: its health, or `stale` when its source failed."""
    return "stale" if metric.stale else metric.health.value


def health_badge(health: Health, palette: Palette) -> Text:
    """The health as an icon and a word: colour is never the only signal."""
    return Text(f"{HEALTH_ICONS[health]} {HEALTH_WORDS[health]}", style=palette.of(health))


def metric_badge(metric: MetricSummary, now: datetime, palette: Palette) -> Text:
    if not metric.stale:
        return health_badge(metric.health, palette)
    age = age_since(metric.error_since, now)
    return Text(f"{STALE_ICON} STALE{f' {age}' if age else ''}", style=palette.stale)


def threshold_of(metric: MetricSummary) -> Threshold:
    return Threshold(metric.warning, metric.danger)


def thresholds_text(metric: MetricSummary, palette: Palette) -> Text:
    """healthy < 10 ms · warning 10–50 ms · danger > 50 ms, each word in its colour."""
    warn, danger, unit = f"{metric.warning:g}", f"{metric.danger:g}", metric.unit
    return Text.assemble(
        ("healthy", palette.healthy),
        f" < {warn} {unit}{SEPARATOR}",
        ("warning", palette.warning),
        f" {warn}–{danger} {unit}{SEPARATOR}",
        ("danger", palette.danger),
        f" > {danger} {unit}",
    )


def metric_tooltip(metric: MetricSummary) -> str:
    """Plain text for a hover: where the number comes from and how exact it is."""
    lines = [metric.label, f"source: {metric.source}"]
    if metric.precision_note:
        lines.append(f"precision: {metric.precision_note}")
    lines.append(thresholds_text(metric, DEFAULT_PALETTE).plain)
    if metric.error:
        lines.append(f"error: {metric.error}")
    return "\n".join(lines)


# ---------------------------------------------------------------- fitting parts into a line


@dataclass(frozen=True)
class Part:
    """A piece of a status line: lower `priority` is kept first; `forms` run long to short."""

    priority: int
    forms: tuple[Text, ...]
    grow: int | None = None  # when to lengthen it, if not in `priority` order

    @property
    def growth_rank(self) -> int:
        """When this part lengthens: `grow` if given, else its `priority`."""
        return self.priority if self.grow is None else self.grow

    @classmethod
    def of(cls, priority: int, *forms: Text, grow: int | None = None) -> Part:
        return cls(priority, forms, grow)


def choose_forms(parts: Sequence[Part], width: int, sep: int = 3) -> list[Text | None]:
    """Which form of each part to show in `width` cells.

    First as many parts as fit, in their shortest forms, by strict priority (a lesser part is
    never kept in place of a greater one); then each kept part, most important first, grows to
    the longest form that still fits.
    """
    order = sorted(range(len(parts)), key=lambda i: parts[i].priority)
    forms = [[f for f in part.forms if f.plain] for part in parts]
    chosen: list[Text | None] = [None] * len(parts)
    used = 0
    for index in (i for i in order if forms[i]):
        cost = cell_len(forms[index][-1].plain) + (sep if used else 0)
        if used + cost > width:
            break
        chosen[index] = forms[index][-1]
        used += cost
    growth = sorted(order, key=lambda i: parts[i].growth_rank)
    for index in growth:
        kept = chosen[index]
        if kept is None:
            continue
        current = cell_len(kept.plain)
        for form in forms[index]:
            extra = cell_len(form.plain) - current
            if extra <= 0 or used + extra <= width:
                used += max(extra, 0)
                chosen[index] = form if extra > 0 else kept
                break
    return chosen


def fit_line(parts: Sequence[Part], width: int, sep: str = "   ") -> Text:
    """The parts that fit in `width`, in their given order."""
    chosen = choose_forms(parts, width, cell_len(sep))
    return Text(sep).join(form for form in chosen if form is not None)


def fit_spread(left: Sequence[Part], right: Sequence[Part], width: int, sep: str = "   ") -> Text:
    """Left parts flush left, right parts flush right, dropping the least important to fit."""
    chosen = choose_forms([*left, *right], width - 1, cell_len(sep))
    left_text = Text(sep).join(t for t in chosen[: len(left)] if t is not None)
    right_text = Text(sep).join(t for t in chosen[len(left) :] if t is not None)
    gap = max(1, width - cell_len(left_text.plain) - cell_len(right_text.plain))
    return Text.assemble(left_text, " " * gap, right_text)


class FitLine:
    """Parts fitted to whatever width the line is given when it is drawn."""

    def __init__(self, parts: Sequence[Part], sep: str = "  ") -> None:
        self.parts = parts
        self.sep = sep

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fit_line(self.parts, options.max_width, self.sep)
