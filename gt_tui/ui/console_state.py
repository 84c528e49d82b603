"""The console's state, shared by the app and its two mixins (refresh loop, action keys).

`ConsoleState` is the Textual App with what every part of the console reads: the engine's
facade, the snapshot shown, the view state, the action in flight. Typed here once, so the
mixins need no casts; screens read it through `ConsoleHost` (and are redrawn through
`ShowsState`), so neither this module nor the screens import one another or the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from textual.app import App
from textual.timer import Timer

from gt_tui.engine.facade import EngineFacade
from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.style import DEFAULT_PALETTE, Palette, ViewState

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ActionStatus:
    """An action in flight: its label and, when it reports one, how far along it is (0..1)."""

    label: str
    fraction: float | None = None


def local_now() -> datetime:
    return datetime.now().astimezone()


@runtime_checkable
class ShowsState(Protocol):
    """A screen drawn from the console's state (gt_tui.ui.screens.base.SnapshotScreen)."""

    @property
    def showing(self) -> bool:
        """Composed and not closing: its widgets are there to be drawn."""
        ...

    def show_state(self) -> None:
        """Pull the console's state into its widgets."""
        ...


@runtime_checkable
class ConsoleHost(Protocol):
    """What the screens read of the console (ConsoleState is one), so they never import the app."""

    wall: bool
    read_only: bool
    palette: Palette
    snapshot: Snapshot | None
    action_status: ActionStatus | None

    @property
    def view(self) -> ViewState:
        """The view's side of the picture (see ConsoleState.view)."""
        ...


def console_host(app: object) -> ConsoleHost:
    """`app` narrowed to the console a screen reads; one clear error for any other app."""
    if isinstance(app, ConsoleHost):
        return app
    raise TypeError(f"gt-tui's screens need the console, not {type(app).__name__}")


class ConsoleState(App[int]):
    """The console's state: facade, snapshot, failure, pause, the action running."""

    def __init__(
        self,
        facade: EngineFacade,
        *,
        wall: bool = False,
        refresh_interval: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.facade = facade
        self.wall = wall
        self.read_only = wall or facade.read_only
        self.refresh_interval = max(0.05, float(refresh_interval))
        self.clock = clock or local_now
        self.palette: Palette = DEFAULT_PALETTE
        self.snapshot: Snapshot | None = None
        self.paused = False
        self.failure: str | None = None
        self.action_status: ActionStatus | None = None
        self.refreshes = 0
        self._last_good: Snapshot | None = None
        self._failure_since: datetime | None = None
        self._refresh_started: float | None = None
        self._refresh_again = False
        self._timer: Timer | None = None
        self._action_key: str | None = None

    @property
    def view(self) -> ViewState:
        """The view's side of the picture: clock, pause, refresh in flight or failed."""
        started = self._refresh_started
        return ViewState(
            now=self.clock(),
            paused=self.paused,
            refreshing_for=None if started is None else time.monotonic() - started,
            failure=self.failure,
            wall=self.wall,
            read_only=self.read_only,
            demo_load=self.facade.demo_load,
        )

    def broadcast(self) -> None:
        """Let every screen that shows the snapshot, and is composed and not closing, redraw."""
        for screen in self.screen_stack:
            if isinstance(screen, ShowsState) and screen.showing:
                screen.show_state()

    def start_refresh(self) -> None:
        """Run one refresh now (gt_tui.ui.refresh_loop)."""
        raise NotImplementedError
