"""The console's action keys: refuse in read-only mode, ask first, run in a worker, report.

Each mutating key of the keymap carries the facade's action it runs (gt_tui.ui.keymap). The
engine's guard, not this view, is what refuses under read-only: the view only says so first.
"""

from __future__ import annotations

import contextlib

from textual import events, work
from textual.screen import ModalScreen

from gt_tui.engine.facade import ActionResult
from gt_tui.errors import ReadOnlyRefused
from gt_tui.ui import keymap
from gt_tui.ui.console_state import ActionStatus, ConsoleState
from gt_tui.ui.messages import ActionFinished, ActionProgress
from gt_tui.ui.refresh_loop import one_line


class ActionKeys(ConsoleState):
    """Mixin for the app: the mutating keys and the demo's load key."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only mode hides every mutating action and refuses to run it; `back` shows only
        where there is something to go back from."""
        if action == "back":
            return len(self.screen_stack) > 1 or self.screen.focused is not None
        if action == "demo_load":
            return bool(self.facade.demo_levels) and not self.read_only
        return not (action == "act" and self.read_only)

    def on_key(self, event: events.Key) -> None:
        spec = self._refused_here(event.key) if self.read_only else None
        if spec is not None and not self._modal_open():
            self.refuse(spec)

    def _refused_here(self, pressed: str) -> keymap.Key | None:
        """The key refused in read-only mode that `pressed` is: an action key, or the demo's
        load key where there is a demo (elsewhere it means nothing)."""
        spec = keymap.REFUSED_READ_ONLY.get(pressed)
        if spec is None or (spec.action == "demo_load" and not self.facade.demo_levels):
            return None
        return spec

    def refuse(self, key: keymap.Key) -> None:
        self.notify(f"read-only: '{key.heading}' is not available here", severity="warning")
        if self.facade.read_only:
            self._engine_refuses(key)

    @work(thread=True, group="refusal", exit_on_error=False)
    def _engine_refuses(self, key: keymap.Key) -> None:
        """A read-only engine's guard refuses the action too, and writes the audit line."""
        with contextlib.suppress(ReadOnlyRefused):
            if key.run is not None:
                key.run(self.facade)
            elif key.action == "demo_load":
                self.facade.set_demo_load(self.facade.next_demo_load())

    def _modal_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    # ------------------------------------------------------------ the demo's load

    def action_demo_load(self) -> None:
        level = self.facade.next_demo_load()
        self._set_demo_load(level)
        self.notify(f"demo load: {level} (the agents follow within a few seconds)")

    @work(thread=True, group="demo", exit_on_error=False)
    def _set_demo_load(self, level: str) -> None:
        """The sandbox's state file is written off the UI thread, through the guarded,
        audited action every change takes (`sandbox.load`, as `gt-tui sandbox load` does)."""
        self.facade.set_demo_load(level)

    # ------------------------------------------------------------ the town's actions

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

        if spec.choices:
            self.push_screen(BenchmarkScreen(spec), lambda kind: self._begin(spec, kind=kind))
        else:
            self.push_screen(ConfirmScreen(spec, self.facade), lambda ok: self._begin(spec, ok=ok))

    def _begin(self, spec: keymap.Key, *, ok: bool | None = None, kind: str | None = None) -> None:
        if not ok and not kind:
            return
        self._action_key = spec.key
        self.action_status = ActionStatus(spec.heading, 0.0 if kind else None)
        self._action_worker(spec, kind)
        self.broadcast()

    @work(thread=True, exclusive=True, group="action", exit_on_error=False)
    def _action_worker(self, spec: keymap.Key, kind: str | None) -> None:
        try:
            result = self._run(spec, kind)
        except ReadOnlyRefused as error:
            self.post_message(ActionFinished(spec.key, error=str(error), refused=True))
        except Exception as error:  # report, never crash the console
            self.post_message(ActionFinished(spec.key, error=one_line(error)))
        else:
            self.post_message(ActionFinished(spec.key, result=result))

    def _run(self, spec: keymap.Key, kind: str | None) -> ActionResult:
        if kind and spec.run_chosen is not None:
            return spec.run_chosen(self.facade, kind, self._progress)
        if spec.run is None:
            raise ValueError(f"key {spec.key!r} runs no action")
        return spec.run(self.facade)

    def _progress(self, fraction: float) -> None:
        self.post_message(ActionProgress(fraction))

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
        result = message.result
        if message.error is not None or result is None:
            self.notify(
                message.error or "no result",
                title=spec.heading,
                severity="warning" if message.refused else "error",
            )
        else:
            self.notify(
                result.summary, title=spec.heading, severity="information" if result.ok else "error"
            )
            if spec.choices or not result.ok:
                self.push_screen(ResultScreen(spec, result))
        self.start_refresh()
        self.broadcast()
