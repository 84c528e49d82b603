"""The town at a glance: the header line, the town line under it, and the town-facts panel.

Rich renderables the console's header and side panel show and the text snapshot prints, so
both say the same thing the same way. Imports no Textual.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import Snapshot, TownInfo
from gt_tui.export.dolt_view import dolt_text as _dolt_text
from gt_tui.export.dolt_view import endpoint_text
from gt_tui.export.style import (
    SEPARATOR,
    Palette,
    Part,
    ViewState,
    fit_line,
    fit_spread,
    format_age,
    format_duration,
    health_badge,
)
from gt_tui.health import TIER_BY_NAME


def _mode_badges(mode: str, view: ViewState, palette: Palette) -> tuple[Text, ...]:
    """` DEMO · heavy ` while the demo runs (its load always in sight), else ` LIVE `."""
    style = f"reverse {palette.accent}"
    short = Text(f" {mode.upper()} ", style=style)
    if view.demo_load is None:
        return (short,)
    return Text(f" {mode.upper()} · {view.demo_load} ", style=style), short


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


def polecat_counts(town: TownInfo, *, unknown: str = "") -> str:
    """`2 running / 16 (14 idle)`: idle pool polecats said apart, as they are no load."""
    running = unknown if town.polecats_running is None else f"{town.polecats_running} running / "
    idle = f" ({town.polecats_idle} idle)" if town.polecats_idle else ""
    return f"{running}{town.polecats}{idle}"


def town_line(snapshot: Snapshot, palette: Palette, width: int) -> Text:
    """The scale tier against its target, the Dolt server, and the town's size in one line."""
    town = snapshot.town
    size = (
        f"polecats {polecat_counts(town)}   convoys {convoy_counts(town)}   "
        f"mail {count_text(town, 'mail_backlog', 'pending')}"
    )
    parts = [
        Part.of(0, *tier_forms(snapshot, palette)),
        Part.of(2, Text(size, style=palette.muted)),
    ]
    if not snapshot.unreachable:  # else the header line above says it, with the endpoint
        parts.insert(
            1, Part.of(1, *(_dolt_text(snapshot, palette, detail=d) for d in (True, False)))
        )
    return fit_line(parts, width)


def outage_parts(snapshot: Snapshot, palette: Palette) -> list[Part]:
    """The overall verdict while the database does not answer: since when (kept first), then
    the endpoint (kept before anything else) with the reason, once, where there is room."""
    dolt = snapshot.dolt
    since = dolt.error_since.astimezone().strftime("%H:%M:%S") if dolt.error_since else "?"
    down = (f"✖ DB UNREACHABLE since {since}", f"✖ UNREACHABLE since {since}", f"✖ DB down {since}")
    where = endpoint_text(dolt)
    places = (f"{where}{SEPARATOR}{dolt.error}", where) if dolt.error else (where,)
    return [
        Part.of(0, *(Text(form, style=palette.danger) for form in down)),
        Part.of(1, *(Text(form, style=palette.danger) for form in places)),
    ]


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
            Part.of(1, *_mode_badges(snapshot.town.mode, view, palette)),
        ]
        if snapshot.unreachable:  # the health, the endpoint and the reason in one part
            left += outage_parts(snapshot, palette)
        else:
            left.append(Part.of(0, health_badge(snapshot.health, palette)))
        if details and not view.wall:
            left.append(Part.of(3, *tier_forms(snapshot, palette)))
            if not snapshot.unreachable:
                dolt = (_dolt_text(snapshot, palette, detail=d) for d in (True, False))
                left.append(Part.of(5, *dolt))
        if not snapshot.unreachable and not view.full_time:  # old data has no "updated" age
            age = format_age((view.now - snapshot.generated_at).total_seconds())
            ages = (Text(f"updated {age} ago", style=palette.muted), Text(f"{age} ago"))
            right.append(Part.of(2, *ages, grow=9))
    right.append(Part.of(1, _clock_text(snapshot, view, palette)))
    return fit_spread(left, right, width)


def town_facts(snapshot: Snapshot, palette: Palette) -> Table:
    """The town's size and shape: rigs, polecats, convoys, mail, tmux, scale tier."""
    town = snapshot.town
    tier = TIER_BY_NAME.get(town.scale)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style=palette.muted, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("rigs", ", ".join(town.rigs) or "—")
    grid.add_row("polecats", polecat_counts(town, unknown="— running / "))
    grid.add_row("convoys", convoy_counts(town))
    grid.add_row("mail", count_text(town, "mail_backlog", "pending"))
    grid.add_row("tmux", Text(town.tmux, style="" if town.tmux == "ok" else palette.warning))
    grid.add_row(
        "scale", f"{tier.label if tier else town.scale} (target <{town.scale_target_s:g}s)"
    )
    grid.add_row("root", Text(town.root, overflow="ellipsis", no_wrap=True))
    return grid
