"""The one way tests build the console: `console(engine, ...)`.

Every UI test (Pilot) gets its `GtTuiApp` here, whether over a `FakeEngine` of canned
snapshots or a real engine from `modes`, so a change in how the app is handed its engine
(for instance an engine facade) is made in this one function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gt_tui.engine.facade import Demo, EngineFacade
from gt_tui.modes import console_facade
from gt_tui.ui.app import GtTuiApp

NEVER = 3600.0  # a refresh interval no test waits out: refreshes happen when a test asks


def console(
    engine: Any,
    *,
    demo: Demo | None = None,
    wall: bool = False,
    refresh_interval: float = NEVER,
    clock: Callable[[], datetime] | None = None,
) -> GtTuiApp:
    """The console (or, with `wall`, the read-only wall) over `engine` through the facade
    the real console gets (with `demo`, the demo's load key too); `clock` defaults to the
    app's own local time."""
    facade = engine if isinstance(engine, EngineFacade) else console_facade(engine, demo)
    return GtTuiApp(facade, wall=wall, refresh_interval=refresh_interval, clock=clock)
