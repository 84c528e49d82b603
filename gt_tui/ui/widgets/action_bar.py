"""A thin bar that appears while an action runs: its name and a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Label, ProgressBar

from gt_tui.ui.console_state import ActionStatus


class ActionBar(Horizontal):
    """Hidden when idle; shows `running: <action>` and its progress (or an indeterminate bar)."""

    status: var[ActionStatus | None] = var(None, init=False)
    """The action running, or None when idle (redrawn only when it changes)."""

    def __init__(self) -> None:
        super().__init__(id="action-bar")

    def compose(self) -> ComposeResult:
        yield Label("", id="action-label")
        yield ProgressBar(total=None, show_eta=False, id="action-progress")

    def update_from(self, status: ActionStatus | None) -> None:
        self.status = status

    def watch_status(self, status: ActionStatus | None) -> None:
        self.set_class(status is not None, "-running")
        if status is None:
            return
        self.query_one(Label).update(f"running: {status.label}")
        bar = self.query_one(ProgressBar)
        if status.fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(status.fraction * 100))
