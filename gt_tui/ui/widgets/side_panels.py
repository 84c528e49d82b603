"""The column beside the map: the town's size and shape, and what is over its threshold."""

from __future__ import annotations

from textual.widgets import Static

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.header_view import town_facts
from gt_tui.export.style import Palette
from gt_tui.export.window import attention_table, over_threshold

ATTENTION_ROWS = 12


class TownPanel(Static):
    """Rigs, polecats, convoys, mail backlog, tmux, scale tier, root."""

    def __init__(self) -> None:
        super().__init__("", id="town")
        self.border_title = "Town"
        self._shown: object = None

    def update_from(self, snapshot: Snapshot | None, palette: Palette) -> None:
        if snapshot is None or (snapshot.town, palette) == self._shown:
            return
        self._shown = (snapshot.town, palette)
        self.update(town_facts(snapshot, palette))


class AttentionPanel(Static):
    """The slowest subjects over their thresholds, worst first: where to look next."""

    def __init__(self) -> None:
        super().__init__("", id="attention")
        self.border_title = "Over threshold"
        self._shown: object = None

    def update_from(self, snapshot: Snapshot | None, palette: Palette) -> None:
        if snapshot is None:
            return
        shown = (over_threshold(snapshot)[:ATTENTION_ROWS], palette)
        if shown == self._shown:
            return
        self._shown = shown
        self.update(attention_table(snapshot, palette, limit=ATTENTION_ROWS))
