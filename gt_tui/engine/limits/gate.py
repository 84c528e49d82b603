"""A concurrency gate: a FIFO semaphore whose limit can change while callers wait.

One per `bd.max_concurrent`, `polecat.max_concurrent` and `sling.max_concurrent`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gt_tui.errors import SettingError, SourceUnavailable

WAIT_TIMEOUT = 30.0  # seconds a query waits for a token or a gate before it is refused


@dataclass(frozen=True)
class GateStats:
    """A concurrency gate: its limit, how many hold it, how many wait."""

    name: str
    limit: int
    in_use: int
    waiters: int


class Gate:
    """A first-come-first-served semaphore whose limit can change while callers wait.

    Shrinking never takes a slot from a holder: newcomers wait until enough are released.
    Growing lets the waiters at the head of the line in at once.
    """

    def __init__(self, name: str, limit: int) -> None:
        _check_limit(name, limit)
        self.name = name
        self._limit = int(limit)
        self._in_use = 0
        self._line: deque[object] = deque()
        self._cond = threading.Condition()

    def try_acquire(self) -> bool:
        with self._cond:
            if self._line or self._in_use >= self._limit:
                return False
            self._in_use += 1
            return True

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for a slot in arrival order, up to `timeout` seconds; False on timeout."""
        ticket = object()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._line.append(ticket)
            try:
                while not (self._line[0] is ticket and self._in_use < self._limit):
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                self._in_use += 1
                return True
            finally:
                self._line.remove(ticket)
                self._cond.notify_all()  # the next in line re-checks

    def release(self) -> None:
        with self._cond:
            if self._in_use <= 0:
                raise RuntimeError(f"gate {self.name}: release without acquire")
            self._in_use -= 1
            self._cond.notify_all()

    def resize(self, limit: int) -> None:
        _check_limit(self.name, limit)
        with self._cond:
            self._limit = int(limit)
            self._cond.notify_all()

    @contextmanager
    def slot(self, timeout: float | None = WAIT_TIMEOUT) -> Iterator[None]:
        """Hold a slot for the block; SourceUnavailable when none frees up in time."""
        if not self.acquire(timeout):
            raise SourceUnavailable(
                f"{self.name}.max_concurrent: all {self._limit} slots busy for {timeout or 0:g}s"
            )
        try:
            yield
        finally:
            self.release()

    def stats(self) -> GateStats:
        with self._cond:
            return GateStats(self.name, self._limit, self._in_use, len(self._line))


def _check_limit(name: str, limit: int) -> None:
    if int(limit) < 1:
        raise SettingError(f"{name}.max_concurrent must be at least 1, not {limit!r}")
