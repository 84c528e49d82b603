"""The header line: town, mode, health, tier vs target, Dolt endpoint, state, age, clock."""

from __future__ import annotations

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.header_view import header_line
from gt_tui.export.style import Palette, ViewState
from gt_tui.ui.widgets.line import LineView


class StatusHeader(LineView):
    """One line across the top of every screen."""

    def update_from(self, snapshot: Snapshot | None, view: ViewState, palette: Palette) -> None:
        self.show(lambda width: header_line(snapshot, view, palette, width))
