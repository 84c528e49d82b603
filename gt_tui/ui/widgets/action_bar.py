"""A thin bar that appears while an action runs: its name and a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class ActionBar(Horizontal):
    """Hidden when idle; shows `running: <action>` and its progress (or an indeterminate bar)."""

    def __init__(self) -> None:
        super().__init__(id="action-bar")
        self._shown: object = None

    def compose(self) -> ComposeResult:
        yield Label("", id="action-label")
        yield ProgressBar(total=None, show_eta=False, id="action-progress")

    def update_from(self, status: object) -> None:
        """`status` is the app's ActionStatus (label, fraction) or None when idle."""
        if status == self._shown:
            return
        self._shown = status
        self.set_class(status is not None, "-running")
        if status is None:
            return
        self.query_one(Label).update(f"running: {status.label}")  # type: ignore[attr-defined]
        bar = self.query_one(ProgressBar)
        fraction = status.fraction  # type: ignore[attr-defined]
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(fraction * 100))
