"""What every full screen of the console shares: the header, the action bar, the wall class."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from gt_tui.engine.snapshot import Snapshot
from gt_tui.ui.widgets.action_bar import ActionBar
from gt_tui.ui.widgets.header import StatusHeader


class SnapshotScreen(Screen):
    """A screen drawn from the app's snapshot and view state; subclasses draw the rest in `show`."""

    AUTO_FOCUS = ""  # nothing focused until asked: no ring on a pane at start
    ready = False

    def on_mount(self) -> None:
        self.ready = True
        self.set_class(self.app.wall, "-wall")  # type: ignore[attr-defined]
        self.show_state()

    def show_state(self) -> None:
        """Pull the app's snapshot and view state into every widget (each skips no-ops)."""
        if not self.ready:
            return
        headers = self.query(StatusHeader)
        if not headers:  # the app is exiting and has pruned this screen's widgets
            return
        app = self.app
        snapshot, view, palette = app.snapshot, app.view, app.palette  # type: ignore[attr-defined]
        headers.first().update_from(snapshot, view, palette)
        self.query_one(ActionBar).update_from(app.action_status)  # type: ignore[attr-defined]
        self.show(snapshot, view, palette)

    def show(self, snapshot: Snapshot | None, view: Any, palette: Any) -> None:
        """Draw this screen's own widgets."""
