"""The Textual console: refresh loop, keys, actions; the screens draw what it holds.

All I/O runs in threads: the refresh loop (gt_tui.ui.refresh_loop) in one that quitting never
waits for, actions in Textual thread workers (gt_tui.ui.action_keys). The UI keeps answering
keys while a refresh hangs. The engine is reached only through its facade
(gt_tui.engine.facade.EngineFacade).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.screen import Screen

from gt_tui.engine.facade import EngineFacade
from gt_tui.health import METRICS
from gt_tui.ui import keymap
from gt_tui.ui.action_keys import ActionKeys
from gt_tui.ui.console_state import Clock
from gt_tui.ui.refresh_loop import RefreshLoop
from gt_tui.ui.theme import THEME, palette_for


class GtTuiApp(RefreshLoop, ActionKeys):
    """The gt-tui console: interactive, or a read-only wall monitor with `wall=True`."""

    CSS_PATH = "app.tcss"
    TITLE = "gt-tui"
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings()
    # Textual types these `ClassVar[...] | None`, which mypy reads as instance variables.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-normal"), (160, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall"), (56, "-huge")]  # noqa: RUF012

    def __init__(
        self,
        facade: EngineFacade,
        *,
        wall: bool = False,
        refresh_interval: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(facade, wall=wall, refresh_interval=refresh_interval, clock=clock)
        self.register_theme(THEME)
        self.theme = THEME.name

    # ------------------------------------------------------------ lifecycle and views

    def get_default_screen(self) -> Screen[None]:
        from gt_tui.ui.screens.dashboard import DashboardScreen

        return DashboardScreen()

    def on_mount(self) -> None:
        self.palette = palette_for(self)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(1.0, self.broadcast)
        self.start_refresh()

    def _theme_changed(self, _theme: object) -> None:
        self.palette = palette_for(self)
        self.broadcast()

    # ------------------------------------------------------------ view keys

    def action_refresh_now(self) -> None:
        self.start_refresh()
        self.broadcast()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused and self._timer is not None:
            self._timer.stop()
            self._timer = None
        elif not self.paused:
            self.start_refresh()
        self.refresh_bindings()  # the footer's `space` reads pause or resume
        self.broadcast()

    def action_zoom(self, index: int) -> None:
        from gt_tui.ui.screens.zoom import ZoomScreen

        if isinstance(self.screen, ZoomScreen):
            self.screen.set_metric(index)
        else:
            self.push_screen(ZoomScreen(index))

    async def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.screen.set_focus(None)

    def action_focus_map(self) -> None:
        from gt_tui.ui.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        self.call_after_refresh(self._focus_map)

    def _focus_map(self) -> None:
        from gt_tui.ui.screens.dashboard import DashboardScreen

        if isinstance(self.screen, DashboardScreen):
            self.screen.focus_map()

    def action_help(self) -> None:
        from gt_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette: every key of the keymap that runs here (refused ones left
        out), each zoom by its metric, and of Textual's own only those in `PALETTE_BUILTINS`."""
        for command in super().get_system_commands(screen):
            if command.title in PALETTE_BUILTINS:
                yield command
        for key in keymap.KEYS:
            if self.check_action(key.action.split("(")[0], ()):
                callback = self._palette_callback(key.action)
                yield SystemCommand(palette_title(key), key.help, callback)

    def _palette_callback(self, action: str) -> Callable[[], object]:
        return lambda: self.run_action(action)


# Textual's own palette commands worth keeping: "Quit" is the keymap's `q`, "Keys" a second
# help beside `?`, "Maximize" means nothing here and "Screenshot" writes files (from the wall).
PALETTE_BUILTINS = ("Theme",)


def palette_title(key: keymap.Key) -> str:
    """A key's palette entry: its heading and key; a zoom key names its metric."""
    if key.action.startswith("zoom("):
        index = int(key.key)
        return f"Zoom {index}: {METRICS[index - 1].label}  [{key.key}]"
    return f"{key.heading}  [{key.display}]"


def run_console(facade: EngineFacade, *, wall: bool = False, refresh_interval: float = 2.0) -> int:
    """Run the console full screen until the user quits; returns the process exit code.

    The caller owns the facade's engine (and closes it); quitting does not wait for an in-flight
    refresh, which is abandoned (see gt_tui.ui.refresh_loop): closing must not wait for it either.
    """
    app = GtTuiApp(facade, wall=wall, refresh_interval=refresh_interval)
    app.run()
    return app.return_code or 0
