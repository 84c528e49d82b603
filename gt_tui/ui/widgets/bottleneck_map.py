"""The bottleneck map of the spec's section 1, live: each box coloured by its health.

Mayor, Deacon and Mail on top load Dolt, the central bottleneck, which serves Witness, Refinery and
Polecats below. A one-line verdict above the boxes names the worst part and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Static

from gt_tui.engine.snapshot import MapNode, Snapshot
from gt_tui.export.map_view import (
    MAP_ROWS,
    MAP_TITLES,
    NODE_METRIC,
    bottleneck,
    map_node_body,
    map_rows,
    verdict,
)
from gt_tui.export.style import HEALTH_ICONS, HEALTH_WORDS, Palette
from gt_tui.health import METRICS, Health
from gt_tui.ui.keymap import zoom_action
from gt_tui.ui.widgets.quiet import QuietStatic, set_border
from gt_tui.ui.widgets.state import set_state

METRIC_INDEX = {spec.key: index for index, spec in enumerate(METRICS, 1)}


@dataclass(frozen=True)
class BoxData:
    """What a box shows (compared): title, health, the facts it has room for, the palette and
    whether it is the worst; the whole node rides along uncompared (the wall's boxes have room
    for one fact, so a change in the others must not repaint them)."""

    title: str
    health: Health
    facts: tuple[str, ...]
    palette: Palette
    worst: bool
    node: MapNode = field(compare=False)


@dataclass(frozen=True)
class MapData:
    """What the map shows: the bottlenecks and the room its boxes have for facts (compared),
    and the snapshot they came from."""

    bottlenecks: tuple[MapNode, ...]
    palette: Palette
    rooms: tuple[int, ...]
    snapshot: Snapshot = field(compare=False)


class MapBox(QuietStatic, can_focus=True):
    """A part of the town: its title, health word and a few facts."""

    BINDINGS: ClassVar = [
        Binding("left", "move(0, -1)", "left", show=False),
        Binding("right", "move(0, 1)", "right", show=False),
        Binding("up", "move(-1, 0)", "up", show=False),
        Binding("down", "move(1, 0)", "down", show=False),
        Binding("enter", "zoom", "zoom", show=False),
    ]

    data: var[BoxData | None] = var(None, init=False)
    """The node drawn; redrawn only when it changes."""

    def __init__(self, key: str, row: int, col: int) -> None:
        super().__init__("", id=f"node-{key}", classes="-unknown")
        self.key = key
        self.row = row
        self.col = col
        self.border_title = MAP_TITLES.get(key, key)

    def update_from(self, node: MapNode, palette: Palette, *, worst: bool) -> None:
        room = self.content_size.height or len(node.facts)
        facts = node.facts[: max(1, room)]
        self.data = BoxData(node.title, node.health, facts, palette, worst, node)

    def watch_data(self, data: BoxData | None) -> None:
        if data is None:
            return
        node, palette, worst = data.node, data.palette, data.worst
        set_state(self, node.health.value)
        self.set_class(worst, "-bottleneck")
        set_border(
            self,
            title=f"{node.title}  ◀ bottleneck" if worst else node.title,
            subtitle=f"{HEALTH_ICONS[node.health]} {HEALTH_WORDS[node.health]}",
        )
        self.show(map_node_body(node, palette))  # the box's height decides how many facts show

    def action_move(self, drow: int, dcol: int) -> None:
        self.parent_map.move_focus(self, drow, dcol)

    async def action_zoom(self) -> None:
        metric = NODE_METRIC.get(self.key)
        if metric in METRIC_INDEX:
            await self.app.run_action(zoom_action(METRIC_INDEX[metric]))

    def on_click(self) -> None:
        self.focus()

    @property
    def parent_map(self) -> BottleneckMap:
        return self.query_ancestor(BottleneckMap)


class BottleneckMap(Vertical):
    """The map: verdict line, then the three rows of boxes joined by arrows."""

    def __init__(self) -> None:
        super().__init__(id="map")
        self.border_title = "Bottleneck map"
        self.boxes: list[list[MapBox]] = [
            [MapBox(key, r, c) for c, key in enumerate(row)] for r, row in enumerate(MAP_ROWS)
        ]

    def compose(self) -> ComposeResult:
        yield QuietStatic("", id="verdict")
        for index, row in enumerate(self.boxes):
            if index:
                with Horizontal(classes="map-arrows"):
                    yield from (Static("↓") for _ in range(3))
            with Horizontal(classes=f"map-row map-row-{len(row)}"):
                yield from row

    data: var[MapData | None] = var(None, init=False)
    """The bottlenecks drawn; redrawn only when they change."""

    def update_from(self, snapshot: Snapshot | None, palette: Palette) -> None:
        if snapshot is not None:
            rooms = tuple(box.content_size.height for row in self.boxes for box in row)
            self.data = MapData(snapshot.bottlenecks, palette, rooms, snapshot)

    def watch_data(self, data: MapData | None) -> None:
        if data is None:
            return
        snapshot, palette = data.snapshot, data.palette
        self.query_one("#verdict", QuietStatic).show(verdict(snapshot, palette))
        worst = bottleneck(snapshot)
        for row in map_rows(snapshot)[: len(self.boxes)]:
            for node in row:
                box = self.box(node.key)
                if box is not None:
                    is_worst = worst is not None and node.key == worst.key
                    box.update_from(node, palette, worst=is_worst)

    def box(self, key: str) -> MapBox | None:
        return next((b for row in self.boxes for b in row if b.key == key), None)

    def focus_bottleneck(self, snapshot: Snapshot | None) -> None:
        """Focus the worst box (the bottleneck), or Dolt when nothing is wrong."""
        worst = bottleneck(snapshot) if snapshot is not None else None
        box = self.box(worst.key if worst else "dolt") or self.boxes[1][0]
        box.focus()

    def move_focus(self, box: MapBox, drow: int, dcol: int) -> None:
        row = min(max(box.row + drow, 0), len(self.boxes) - 1)
        target_row = self.boxes[row]
        source_width = len(self.boxes[box.row])
        if drow and source_width == 1:
            col = len(target_row) // 2
        elif drow:
            col = round(box.col * (len(target_row) - 1) / (source_width - 1))
        else:
            col = min(max(box.col + dcol, 0), len(target_row) - 1)
        target_row[col].focus()
