"""The bottleneck map of the spec's section 1 as data and renderables, plus its one-line verdict.

Mayor, Deacon and Mail on top load Dolt, the central bottleneck, which serves Witness, Refinery and
Polecats below. Imports no Textual.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from gt_tui.engine.snapshot import MapNode, Snapshot
from gt_tui.export.style import HEALTH_ICONS, SEPARATOR, Palette, health_badge
from gt_tui.health import Health

# The bottleneck map of the spec's section 1: who loads Dolt (top), Dolt, who Dolt serves (below).
MAP_ROWS: tuple[tuple[str, ...], ...] = (
    ("mayor", "deacon", "mail"),
    ("dolt",),
    ("witness", "refinery", "polecats"),
)
MAP_TITLES = {
    "mayor": "Mayor",
    "deacon": "Deacon",
    "mail": "Mail",
    "dolt": "Dolt server",
    "witness": "Witness",
    "refinery": "Refinery",
    "polecats": "Polecats",
}
# The metric a map box is mostly about (what `enter` on a box zooms into).
NODE_METRIC = {
    "mayor": "convoy_refresh",
    "deacon": "patrol_cycle",
    "mail": "mail_lag",
    "dolt": "dolt_latency",
    "witness": "patrol_cycle",
    "refinery": "patrol_cycle",
    "polecats": "polecat_spawn",
}


def map_rows(snapshot: Snapshot) -> list[list[MapNode]]:
    """The map's boxes in the spec's layout; a box the engine did not send shows `no data`."""
    by_key = {node.key: node for node in snapshot.bottlenecks}
    rows = [
        [by_key.get(key) or MapNode(key, MAP_TITLES[key], Health.UNKNOWN) for key in row]
        for row in MAP_ROWS
    ]
    placed = {key for row in MAP_ROWS for key in row}
    extra = [node for node in snapshot.bottlenecks if node.key not in placed]
    return [*rows, extra] if extra else rows


def bottleneck(snapshot: Snapshot) -> MapNode | None:
    """The part of the town in the worst state (warning or danger); the first in map order wins."""
    nodes = [node for row in map_rows(snapshot) for node in row]
    worst = max(nodes, key=lambda node: node.health.rank, default=None)
    if worst is None or worst.health.rank < Health.WARNING.rank:
        return None
    return worst


def verdict(snapshot: Snapshot, palette: Palette) -> Text:
    """One sentence that answers "which part is slowest, and why"."""
    node = bottleneck(snapshot)
    if node is not None:
        why = SEPARATOR.join(node.facts[:2])
        return Text.assemble(
            (f"{HEALTH_ICONS[node.health]} Bottleneck: {node.title}", palette.of(node.health)),
            (f" — {why}" if why else "", ""),
        )
    if all(node.health is Health.UNKNOWN for row in map_rows(snapshot) for node in row):
        return Text("○ Not enough data yet to name a bottleneck", style=palette.muted)
    return Text("● No bottleneck: every part of the town is healthy", style=palette.healthy)


def map_node_body(node: MapNode, palette: Palette, *, wall: bool = False) -> Text:
    """A box's facts, one a line; the wall shows only the first."""
    facts = node.facts[:1] if wall else node.facts
    if not facts:
        return Text("no data", style=palette.muted)
    return Text("\n".join(facts), overflow="ellipsis", no_wrap=True)


def map_table(snapshot: Snapshot, palette: Palette) -> Table:
    """The map as a compact list, for text: one line a box, in the diagram's order."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for row in map_rows(snapshot):
        for node in row:
            facts = SEPARATOR.join(node.facts) or "no data"
            table.add_row(node.title, health_badge(node.health, palette), facts)
    return table
