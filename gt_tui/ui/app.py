"""The Textual console: refresh loop, keys, actions; the screens draw what it holds.

All I/O runs in threads: the refresh loop (gt_tui.ui.refresh_loop) in one that quitting never
waits for, actions in Textual thread workers. The UI keeps answering keys while a refresh hangs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from textual import events, work
from textual.app import App, SystemCommand
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from gt_tui.engine.snapshot import Snapshot
from gt_tui.errors import ReadOnlyRefused
from gt_tui.export.style import DEFAULT_PALETTE, Palette, ViewState
from gt_tui.ui import keymap
from gt_tui.ui.messages import ActionFinished, ActionProgress
from gt_tui.ui.refresh_loop import RefreshLoop, one_line
from gt_tui.ui.theme import THEME, palette_for

Clock = Callable[[], datetime]


class Engine(Protocol):
    """What the console needs from the engine (see gt_tui.engine)."""

    read_only: bool
    actions: Any

    def refresh(self) -> Snapshot: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ActionStatus:
    """An action in flight: its label and, when it reports one, how far along it is (0..1)."""

    label: str
    fraction: float | None = None


def local_now() -> datetime:
    return datetime.now().astimezone()


class GtTuiApp(RefreshLoop, App[int]):
    """The gt-tui console: interactive, or a read-only wall monitor with `wall=True`."""

    CSS_PATH = "app.tcss"
    TITLE = "gt-tui"
    BINDINGS = keymap.bindings()
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-normal"), (160, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-short"), (32, "-tall"), (56, "-huge")]

    def __init__(
        self,
        engine: Engine,
        *,
        wall: bool = False,
        refresh_interval: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.wall = wall
        self.read_only = wall or bool(getattr(engine, "read_only", False))
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
        self.register_theme(THEME)
        self.theme = THEME.name

    # ------------------------------------------------------------ lifecycle and views

    def get_default_screen(self) -> Screen:
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
        )

    def broadcast(self) -> None:
        """Let every screen that shows the snapshot, and is composed and not closing, redraw."""
        from gt_tui.ui.screens.base import SnapshotScreen

        for screen in self.screen_stack:
            if isinstance(screen, SnapshotScreen) and screen.showing:
                screen.show_state()

    # ------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only mode hides every mutating action and refuses to run it; `back` shows only
        where there is something to go back from."""
        if action == "back":
            return len(self.screen_stack) > 1 or self.screen.focused is not None
        if action == "demo_load":
            return getattr(self.engine, "demo", None) is not None and not self.read_only
        return not (action == "act" and self.read_only)

    def on_key(self, event: events.Key) -> None:
        if self.read_only and event.key in keymap.MUTATING and not self._modal_open():
            self.refuse(keymap.MUTATING[event.key])

    def refuse(self, key: keymap.Key) -> None:
        self.notify(f"read-only: '{key.heading}' is not available here", severity="warning")
        if getattr(self.engine.actions, "read_only", False):
            self._engine_refuses(key)

    @work(thread=True, group="refusal", exit_on_error=False)
    def _engine_refuses(self, key: keymap.Key) -> None:
        """A read-only engine's guard refuses the action too, and writes the audit line."""
        with contextlib.suppress(ReadOnlyRefused):
            getattr(self.engine.actions, key.method)()

    def _modal_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

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
        self.broadcast()

    def action_zoom(self, index: int) -> None:
        from gt_tui.ui.screens.zoom import ZoomScreen

        if isinstance(self.screen, ZoomScreen):
            self.screen.set_metric(index)
        else:
            self.push_screen(ZoomScreen(index))

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.screen.set_focus(None)

    def action_focus_map(self) -> None:
        from gt_tui.ui.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        self.call_after_refresh(lambda: self.screen.focus_map())

    def action_help(self) -> None:
        from gt_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Any:
        """The command palette offers every key of the keymap (minus refused ones)."""
        yield from super().get_system_commands(screen)
        for key in keymap.KEYS:
            if key.show and self.check_action(key.action.split("(")[0], ()):
                callback = self._palette_callback(key.action)
                yield SystemCommand(f"{key.heading}  [{key.display}]", key.help, callback)

    def _palette_callback(self, action: str) -> Callable[[], object]:
        return lambda: self.run_action(action)

    def action_demo_load(self) -> None:
        demo = self.engine.demo
        loads = keymap.DEMO_LOADS
        level = loads[(loads.index(demo.load) + 1) % len(loads)]
        self._set_demo_load(demo, level)
        self.notify(f"demo load: {level} (the agents follow within a few seconds)")

    @work(thread=True, group="demo", exit_on_error=False)
    def _set_demo_load(self, demo: Any, level: str) -> None:
        """The sandbox's state file is written off the UI thread, through the guarded,
        audited action every change takes (`sandbox.load`, as `gt-tui sandbox load` does)."""
        from gt_tui.local_actions import LocalActions

        actions = LocalActions(f"demo {demo.root}", read_only=self.read_only)
        if actions.set_sandbox_load(demo.root, level).ok:
            demo.load = level

    # ------------------------------------------------------------ actions

    def action_act(self, key: str) -> None:
        spec = keymap.MUTATING[key]
        if self.read_only:
            self.refuse(spec)
        elif self._action_key is not None:
            running = keymap.MUTATING[self._action_key].heading
            self.notify(f"busy: '{running}' is still running", severity="warning")
        else:
            self._ask(spec)

    def _ask(self, spec: keymap.Key) -> None:
        from gt_tui.ui.screens.confirm import BenchmarkScreen, ConfirmScreen

        if spec.method == "run_benchmark":
            self.push_screen(BenchmarkScreen(spec), lambda kind: self._begin(spec, kind=kind))
        else:
            self.push_screen(ConfirmScreen(spec), lambda ok: self._begin(spec, ok=ok))

    def _begin(self, spec: keymap.Key, *, ok: bool | None = None, kind: str | None = None) -> None:
        if not ok and not kind:
            return
        kwargs: dict[str, Any] = {"kind": kind} if kind else {}
        self._action_key = spec.key
        self.action_status = ActionStatus(spec.heading, 0.0 if kind else None)
        self._action_worker(spec, kwargs)
        self.broadcast()

    @work(thread=True, exclusive=True, group="action", exit_on_error=False)
    def _action_worker(self, spec: keymap.Key, kwargs: dict[str, Any]) -> None:
        if spec.method == "run_benchmark":
            kwargs["progress"] = lambda fraction: self.post_message(ActionProgress(fraction))
        try:
            result = getattr(self.engine.actions, spec.method)(**kwargs)
        except ReadOnlyRefused as error:
            self.post_message(ActionFinished(spec.key, error=str(error), refused=True))
        except Exception as error:  # report, never crash the console
            self.post_message(ActionFinished(spec.key, error=one_line(error)))
        else:
            self.post_message(ActionFinished(spec.key, result=result))

    def on_action_progress(self, message: ActionProgress) -> None:
        if self.action_status is not None:
            fraction = min(1.0, max(0.0, message.fraction))
            self.action_status = ActionStatus(self.action_status.label, fraction)
            self.broadcast()

    def on_action_finished(self, message: ActionFinished) -> None:
        from gt_tui.ui.screens.confirm import ResultScreen

        spec = keymap.MUTATING[message.key]
        self._action_key = None
        self.action_status = None
        if message.error is not None:
            self.notify(
                message.error,
                title=spec.heading,
                severity="warning" if message.refused else "error",
            )
        else:
            result = message.result
            self.notify(
                result.summary, title=spec.heading, severity="information" if result.ok else "error"
            )
            if spec.method == "run_benchmark" or not result.ok:
                self.push_screen(ResultScreen(spec, result))
        self.start_refresh()
        self.broadcast()


def run_console(engine: Engine, *, wall: bool = False, refresh_interval: float = 2.0) -> int:
    """Run the console full screen until the user quits; returns the process exit code.

    The caller owns the engine (and closes it); quitting does not wait for an in-flight refresh,
    which is abandoned (see gt_tui.ui.refresh_loop): closing the engine must not wait for it either.
    """
    app = GtTuiApp(engine, wall=wall, refresh_interval=refresh_interval)
    app.run()
    return app.return_code or 0
