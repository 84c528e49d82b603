"""The bottom strips: the engine's own cost, and the sources that are failing."""

from __future__ import annotations

from datetime import datetime

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.engine_view import all_errors, engine_strip, errors_text
from gt_tui.export.style import Palette
from gt_tui.ui.widgets.line import LineView


class EngineStrip(LineView):
    """Refresh time, queries, pool, caches, rate tokens, queue depth."""

    def update_from(self, snapshot: Snapshot | None, palette: Palette, *, wall: bool) -> None:
        if snapshot is not None:
            self.show(lambda width: engine_strip(snapshot.engine, palette, width, wall=wall))


class ErrorsBar(LineView):
    """Every failing source with its reason and age; hidden while everything answers, and
    then it builds no line (nor keeps a builder a resize would run)."""

    def update_from(self, snapshot: Snapshot | None, now: datetime, palette: Palette) -> None:
        failing = snapshot is not None and bool(all_errors(snapshot))
        self.set_class(failing, "-visible")
        if not failing:
            self.forget()
        elif snapshot is not None:
            self.show(lambda _width: errors_text(snapshot, now, palette, one_line=True))
