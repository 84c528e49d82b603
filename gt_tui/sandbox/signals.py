"""The demo's signals: SIGTERM/SIGHUP end it through its clean-up, and nothing interrupts that.

Only the main thread may set handlers; elsewhere every method does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_Handler = Callable[[int, FrameType | None], object] | int | None


class SandboxSignal(SystemExit):
    """Raised in the owning process on SIGTERM/SIGHUP so that the sandbox is cleaned up."""


class SignalGuard:
    """Turns SIGTERM/SIGHUP into `SandboxSignal` while installed; holds them (and Ctrl-C)
    while a clean-up runs; `restore` puts the previous handlers back."""

    def __init__(self) -> None:
        self._saved: dict[int, _Handler] = {}

    def install(self) -> None:
        """SIGTERM/SIGHUP become an exception, so `__exit__` (and `finally`) runs."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in HANDLED_SIGNALS:
            self._saved[sig] = signal.signal(sig, _raise_exit)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """No signal interrupts the clean-up half way (Ctrl-C included)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        held = (*HANDLED_SIGNALS, signal.SIGINT)
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in held}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def restore(self) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        self._saved.clear()


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SandboxSignal(128 + signum)
