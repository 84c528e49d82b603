"""The column beside the map: the town's size and shape, and what is over its threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.reactive import var

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.header_view import town_facts
from gt_tui.export.style import Palette
from gt_tui.export.window import attention_shown, attention_table
from gt_tui.ui.widgets.quiet import QuietStatic

ATTENTION_ROWS = 12


@dataclass(frozen=True)
class PanelData:
    """What a panel shows: the part of the snapshot it draws (compared) and the palette; the
    whole snapshot rides along uncompared, for the renderable that reads it."""

    shown: object
    palette: Palette
    snapshot: Snapshot = field(compare=False)


class TownPanel(QuietStatic):
    """Rigs, polecats, convoys, mail backlog, tmux, scale tier, root."""

    data: var[PanelData | None] = var(None, init=False)
    """The town's facts and palette; redrawn only when they change."""

    def __init__(self) -> None:
        super().__init__("", id="town")
        self.border_title = "Town"

    def update_from(self, snapshot: Snapshot | None, palette: Palette) -> None:
        if snapshot is not None:
            self.data = PanelData(snapshot.town, palette, snapshot)

    def watch_data(self, data: PanelData | None) -> None:
        if data is not None:
            self.show(town_facts(data.snapshot, data.palette))


class AttentionPanel(QuietStatic):
    """The slowest subjects over their thresholds, worst first: where to look next."""

    data: var[PanelData | None] = var(None, init=False)
    """The rows over threshold and palette; redrawn only when they change."""

    def __init__(self) -> None:
        super().__init__("", id="attention")
        self.border_title = "Over threshold"

    _read: tuple[Snapshot, Palette] | None = None

    def update_from(self, snapshot: Snapshot | None, palette: Palette) -> None:
        if snapshot is None:
            return
        read = self._read
        if read is not None and read[0] is snapshot and read[1] == palette:
            return  # the clock's tick, the same snapshot: its samples are not scanned again
        self._read = (snapshot, palette)
        # What it reads, not the metrics it is read from: those are new every refresh.
        self.data = PanelData(attention_shown(snapshot, ATTENTION_ROWS), palette, snapshot)

    def watch_data(self, data: PanelData | None) -> None:
        if data is not None:
            self.show(attention_table(data.snapshot, data.palette, limit=ATTENTION_ROWS))
