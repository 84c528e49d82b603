"""The console's refresh loop: one refresh at a time, in a thread that quitting never waits for.

A refresh is armed only after the previous one has finished, so a slow server never piles
refreshes up. It runs in a daemon thread of its own, not a Textual thread worker: those run in
asyncio's default executor, which is joined when the app's loop closes and again at interpreter
exit, so `q` would wait out a query stuck on the server (up to the read timeout). Threads cannot
be killed; this one is abandoned instead: its late result is dropped, and the process exits.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable

from textual.message import Message

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.engine_view import stale_copy
from gt_tui.ui.console_state import ConsoleState
from gt_tui.ui.messages import RefreshFailed, SnapshotArrived


def one_line(error: BaseException) -> str:
    """An exception as one short line a person can read."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


def start_abandonable(name: str, job: Callable[[], None]) -> threading.Thread:
    """Run `job` in a daemon thread (in this context, so Textual's active app is known there)."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(job,), name=name, daemon=True)
    thread.start()
    return thread


class RefreshLoop(ConsoleState):
    """Mixin for the app: `start_refresh`, and the handlers of what a refresh posts back."""

    _refresh_thread: threading.Thread | None = None

    def start_refresh(self) -> None:
        """Run one refresh now, unless one is in flight (then run again right after it)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._refresh_started is not None:
            self._refresh_again = True
            return
        self._refresh_started = time.monotonic()
        self._refresh_thread = start_abandonable("gt-tui-refresh", self._refresh_job)

    def _refresh_job(self) -> None:
        message: Message
        try:
            snapshot = self.facade.refresh()
            if not isinstance(snapshot, Snapshot):
                raise TypeError(f"the engine returned {type(snapshot).__name__}, not a Snapshot")
            message = SnapshotArrived(snapshot)
        except Exception as error:  # the engine should not raise; the console must not die of it
            message = RefreshFailed(one_line(error))
        if self.is_running:  # after quit the result has nowhere to go: drop it
            # RuntimeError: the app's loop closed between the check and the post.
            with contextlib.suppress(RuntimeError):
                self.post_message(message)

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        self.snapshot = self._last_good = message.snapshot
        self.failure = self._failure_since = None
        self._refresh_finished()

    def on_refresh_failed(self, message: RefreshFailed) -> None:
        self._failure_since = self._failure_since or self.clock()
        self.failure = message.error
        if self._last_good is not None:
            self.snapshot = stale_copy(self._last_good, message.error, self._failure_since)
        self._refresh_finished()

    def _refresh_finished(self) -> None:
        self.refreshes += 1
        self._refresh_started = None
        if self._refresh_again:
            self._refresh_again = False
            self.start_refresh()
        elif not self.paused:
            self._timer = self.set_timer(self.refresh_interval, self.start_refresh)
        self.broadcast()
