"""Messages the worker threads post to the app (Textual's `post_message` is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from gt_tui.engine.facade import ActionResult
from gt_tui.engine.snapshot import Snapshot


@dataclass
class SnapshotArrived(Message):
    """A refresh finished with a snapshot."""

    snapshot: Snapshot


@dataclass
class RefreshFailed(Message):
    """A refresh raised instead of returning a snapshot; `error` is one line."""

    error: str


@dataclass
class ActionProgress(Message):
    """A running action reports how far it is (0..1)."""

    fraction: float


@dataclass
class ActionFinished(Message):
    """An action ended: its result object, or one line saying why it did not run."""

    key: str
    result: ActionResult | None = None
    error: str | None = None
    refused: bool = False
