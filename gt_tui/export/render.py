"""Rich renderables of a Snapshot: header, metric panes, engine strip, errors, text tables.

The Textual console's widgets are thin views over these (and over `map_view` and `window`), and
the text snapshot prints them too, so both say the same thing the same way. Imports no Textual.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import EngineInfo, MetricSummary, Snapshot, SourceError, TownInfo
from gt_tui.export.charts import BigNumber, Trend
from gt_tui.export.dolt_view import dolt_text as _dolt_text
from gt_tui.export.style import (
    SEPARATOR,
    FitLine,
    Palette,
    Part,
    ViewState,
    fit_line,
    fit_spread,
    format_age,
    format_duration,
    format_value,
    health_badge,
    metric_badge,
    threshold_of,
)
from gt_tui.health import TIER_BY_NAME, Health

# ---------------------------------------------------------------- header line


def _mode_badge(mode: str, palette: Palette) -> Text:
    return Text(f" {mode.upper()} ", style=f"reverse {palette.accent}")


def tier_forms(snapshot: Snapshot, palette: Palette) -> tuple[Text, Text, Text]:
    """The scale tier and the spec's target time against the engine's own refresh time.

    Long, medium and short: `medium town · target <5s · refresh 0.18s ✓`,
    `medium · refresh 0.18s ≤ target 5s ✓`, `medium 0.18s ≤ 5s ✓`.
    """
    town, target = snapshot.town, snapshot.town.scale_target_s
    tier = TIER_BY_NAME.get(town.scale)
    name = tier.label if tier else town.scale
    refresh = format_duration(snapshot.engine.refresh_ms / 1000)
    within = snapshot.engine.refresh_ms / 1000 <= target
    style = palette.healthy if within else palette.danger
    mark, compare = ("✓", "≤") if within else ("✖", ">")
    muted = palette.muted
    return (
        Text.assemble(
            f"{name} town",
            (f"{SEPARATOR}target <{target:g}s{SEPARATOR}refresh ", muted),
            f"{refresh} ",
            (mark if within else "✖ over target", style),
        ),
        Text.assemble(
            f"{name}",
            (f"{SEPARATOR}refresh ", muted),
            refresh,
            (f" {compare} target ", muted),
            f"{target:g}s ",
            (mark, style),
        ),
        Text.assemble(f"{name} ", (f"{refresh} {compare} {target:g}s ", muted), (mark, style)),
    )


def _state_text(view: ViewState, palette: Palette) -> Text:
    if view.failure:
        return Text(f"✖ refresh failed: {view.failure}", style=palette.danger)
    if view.paused:
        return Text("⏸ PAUSED", style=f"reverse {palette.warning}")
    if view.refreshing_for is not None and view.refreshing_for >= 2:
        return Text(f"⟳ refreshing {format_age(view.refreshing_for)}", style=palette.warning)
    return Text("")


def _clock_text(snapshot: Snapshot | None, view: ViewState, palette: Palette) -> Text:
    moment = snapshot.generated_at if view.full_time and snapshot else view.now
    clock = moment.strftime("%Y-%m-%d %H:%M:%S %Z" if view.full_time else "%H:%M:%S")
    return Text(clock.strip(), style=palette.strong)


def count_text(town: TownInfo, name: str, unit: str) -> str:
    """`3 open`; `3 open (stale)` when its source failed this refresh; `? open` when unknown."""
    value = town.count(name)
    if value is None:
        return f"? {unit}"
    return f"{value} {unit} (stale)" if name in town.stale else f"{value} {unit}"


def convoy_counts(town: TownInfo) -> str:
    """`3 open`, or `3 open · 1 staged` where gt has staged convoys not yet launched."""
    open_ = count_text(town, "convoys_open", "open")
    if not town.convoys_staged:
        return open_
    return f"{open_}{SEPARATOR}{count_text(town, 'convoys_staged', 'staged')}"


def town_line(snapshot: Snapshot, palette: Palette, width: int) -> Text:
    """The scale tier against its target, the Dolt server, and the town's size in one line."""
    town = snapshot.town
    running = "" if town.polecats_running is None else f"{town.polecats_running} running / "
    size = (
        f"polecats {running}{town.polecats}   convoys {convoy_counts(town)}   "
        f"mail {count_text(town, 'mail_backlog', 'pending')}"
    )
    parts = [
        Part.of(0, *tier_forms(snapshot, palette)),
        Part.of(1, *(_dolt_text(snapshot, palette, detail=d) for d in (True, False))),
        Part.of(2, Text(size, style=palette.muted)),
    ]
    return fit_line(parts, width)


def header_line(
    snapshot: Snapshot | None,
    view: ViewState,
    palette: Palette,
    width: int,
    *,
    details: bool = True,
) -> Text:
    """Town, mode, health, scale tier against its target, Dolt endpoint, state, age and clock."""
    left: list[Part] = []
    right = [Part.of(0, _state_text(view, palette))]
    if view.read_only:
        right.append(Part.of(2, Text("READ-ONLY", style=palette.muted)))
    if snapshot is None:
        left.append(Part.of(0, Text("gt-tui  waiting for the first refresh…", style=palette.muted)))
    else:
        left += [
            Part.of(0, Text(snapshot.town.name, style=palette.strong)),
            Part.of(1, _mode_badge(snapshot.town.mode, palette)),
            Part.of(0, health_badge(snapshot.health, palette)),
        ]
        if details and not view.wall:
            dolt = (_dolt_text(snapshot, palette, detail=d) for d in (True, False))
            left += [Part.of(3, *tier_forms(snapshot, palette)), Part.of(5, *dolt)]
        if snapshot.dolt.error_since is not None:  # the data is as old as the outage
            since = snapshot.dolt.error_since.astimezone().strftime("%H:%M:%S")
            down = (f"DB UNREACHABLE since {since}", f"DB down {since}")
            right.append(Part.of(0, *(Text(t, style=palette.danger) for t in down)))
        elif not view.full_time:
            age = format_age((view.now - snapshot.generated_at).total_seconds())
            ages = (Text(f"updated {age} ago", style=palette.muted), Text(f"{age} ago"))
            right.append(Part.of(2, *ages, grow=9))
    right.append(Part.of(1, _clock_text(snapshot, view, palette)))
    return fit_spread(left, right, width)


# ---------------------------------------------------------------- metric panes


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
            Part.of(1, Text.assemble(("max ", palette.muted), (format_value(metric.max), style))),
        ]
    )


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


# ---------------------------------------------------------------- engine strip and errors


def engine_strip(engine: EngineInfo, palette: Palette, width: int, *, wall: bool = False) -> Text:
    """The console's own cost: refresh, queries, pool, caches, rate tokens, queue."""

    def seg(label: str, value: str, style: str = "") -> Text:
        return Text.assemble((label, palette.muted), (value, style))

    lookups = engine.cache_hits + engine.cache_misses
    ratio = f"  {engine.cache_hits * 100 // lookups}%" if lookups else ""
    queue_full = engine.queue_limit and engine.queue_depth >= 0.8 * engine.queue_limit
    parts = [
        Part.of(0, seg("refresh ", f"{engine.refresh_ms:.0f} ms")),
        Part.of(2, seg("queries ", str(engine.queries))),
        Part.of(3, seg("pool ", _pool_text(engine))),
        Part.of(
            1,
            seg(
                "cache ",
                f"{engine.cache_hits} hit / {engine.cache_misses} miss{ratio}"
                f"  {engine.cache_size} held",
            ),
            seg("cache ", f"{engine.cache_hits} hit / {engine.cache_misses} miss{ratio}"),
            seg("cache ", ratio.strip() or "—"),
        ),
        Part.of(
            1,
            seg(
                "queue ",
                f"{engine.queue_depth}/{engine.queue_limit}",
                palette.warning if queue_full else "",
            ),
        ),
    ]
    if engine.rate_tokens is not None:
        tokens = f"{engine.rate_tokens:.0f} tokens"
        parts.insert(
            4,
            Part.of(
                4,
                seg("rate ", f"{tokens}, {engine.rate_waiters} waiting"),
                seg("rate ", tokens),
            ),
        )
    if not wall:
        parts.insert(0, Part.of(0, Text("engine", style=palette.strong)))
    return fit_line(parts, width)


def _pool_text(engine: EngineInfo) -> str:
    if engine.pool_open is None:
        return "—"
    idle = "" if engine.pool_idle is None else f" / {engine.pool_idle} idle"
    return f"{engine.pool_open} open{idle}"


def all_errors(snapshot: Snapshot) -> list[SourceError]:
    """The snapshot's source errors, plus metric errors not already reported by a source."""
    errors = list(snapshot.errors)
    known = {e.message for e in errors}
    for metric in snapshot.metrics:
        if metric.error and metric.error not in known and metric.error_since:
            errors.append(SourceError(metric.label, metric.error, metric.error_since))
            known.add(metric.error)
    return errors


def errors_text(snapshot: Snapshot, now: datetime, palette: Palette, *, one_line: bool) -> Text:
    """Every failing source: `✖ source: reason (42s)`."""
    lines = [
        Text.assemble(
            ("✖ ", palette.danger),
            (f"{error.source}: ", palette.strong),
            error.message,
            (f"  {format_age((now - error.since).total_seconds())}", palette.muted),
        )
        for error in all_errors(snapshot)
    ]
    return Text("     " if one_line else "\n").join(lines)


def town_facts(snapshot: Snapshot, palette: Palette) -> Table:
    """The town's size and shape: rigs, polecats, convoys, mail, tmux, scale tier."""
    town = snapshot.town
    tier = TIER_BY_NAME.get(town.scale)
    running = "—" if town.polecats_running is None else str(town.polecats_running)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style=palette.muted, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("rigs", ", ".join(town.rigs) or "—")
    grid.add_row("polecats", f"{running} running / {town.polecats}")
    grid.add_row("convoys", convoy_counts(town))
    grid.add_row("mail", count_text(town, "mail_backlog", "pending"))
    grid.add_row("tmux", Text(town.tmux, style="" if town.tmux == "ok" else palette.warning))
    grid.add_row(
        "scale", f"{tier.label if tier else town.scale} (target <{town.scale_target_s:g}s)"
    )
    grid.add_row("root", Text(town.root, overflow="ellipsis", no_wrap=True))
    return grid


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
        Text(str(metric.count), style=value_style),
        metric_badge(metric, now, palette),
        metric_trend(metric, palette, height=1, empty_text="—"),
    ]


# ---------------------------------------------------------------- a failed refresh


def stale_copy(snapshot: Snapshot, error: str, since: datetime) -> Snapshot:
    """The last good snapshot with every metric marked stale: what to show when refresh fails."""
    metrics = tuple(
        m if m.stale else replace(m, stale=True, error=error, error_since=since)
        for m in snapshot.metrics
    )
    errors = (*snapshot.errors, SourceError("refresh", error, since))
    return replace(snapshot, metrics=metrics, errors=errors)
