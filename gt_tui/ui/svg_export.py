"""The snapshot as a picture: the real console, run headless on one snapshot, exported to SVG.

Textual is imported only when a picture is asked for, so importing this module stays cheap
(`gt-tui --snapshot --format svg` loads Textual; the text and JSON formats never do).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gt_tui.engine.facade import EngineFacade
from gt_tui.engine.snapshot import Snapshot
from gt_tui.health import METRICS

if TYPE_CHECKING:
    from textual.pilot import Pilot

ZOOM_KEYS = {spec.key: index for index, spec in enumerate(METRICS, 1)}
_WAIT_STEPS = 500


class FixedEngine:
    """An engine that returns one snapshot on every refresh and has no actions to run."""

    actions: None = None

    def __init__(self, snapshot: Snapshot, *, read_only: bool = True) -> None:
        self.snapshot = snapshot
        self.read_only = read_only

    def refresh(self) -> Snapshot:
        return self.snapshot

    def close(self) -> None:
        """Nothing to release."""


def render_svg(
    snapshot: Snapshot,
    *,
    wall: bool = False,
    width: int = 120,
    height: int = 40,
    zoom: str | None = None,
) -> str:
    """The console (or its wall, or one zoomed metric by key) as an SVG of `width`×`height` cells.

    The clock is the snapshot's own time, so the same snapshot always gives the same picture.
    """
    from gt_tui.ui.app import GtTuiApp

    if zoom is not None and zoom not in ZOOM_KEYS:
        raise ValueError(f"unknown metric {zoom!r}; one of {', '.join(ZOOM_KEYS)}")
    app = GtTuiApp(
        EngineFacade(FixedEngine(snapshot, read_only=wall)),
        wall=wall,
        refresh_interval=3600,
        clock=lambda: snapshot.generated_at,
    )
    pictures: list[str] = []

    async def autopilot(pilot: Pilot[object]) -> None:
        for _ in range(_WAIT_STEPS):
            if app.snapshot is not None:
                break
            await pilot.pause(0.01)
        if zoom is not None:
            await pilot.press(str(ZOOM_KEYS[zoom]))
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        pictures.append(app.export_screenshot(title=f"gt-tui · {snapshot.town.name}"))
        app.exit(0)

    app.run(headless=True, size=(width, height), auto_pilot=autopilot)
    if not pictures:
        raise RuntimeError("the console did not produce a picture")
    return pictures[0]


_IDS = re.compile(r"terminal-\d+")


def normalise_svg(svg: str) -> str:
    """The SVG with the ids Rich derives from its content replaced by one fixed id."""
    return _IDS.sub("terminal", svg)
