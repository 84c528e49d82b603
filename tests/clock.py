"""The suite's one fake clock: time that moves only when a test says so.

It serves both kinds of clock the code takes: a monotonic one (seconds as a float, for the
cache, the pool, the limits, the host monitor) and a wall one (an aware `datetime`, for the
engine, the windows, the console). Which one it is follows from `start` (`NOW` unless
given; a float such as `FakeClock(1000.0)` makes it monotonic); `advance(seconds)`
moves either, and `step` moves it on every read (for code that reads the clock in a loop).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

# The engine tests' "now": every timestamp of the fixture towns is relative to it.
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)

T = TypeVar("T", float, datetime)


class FakeClock(Generic[T]):
    """A clock moved by hand: `clock()` reads it, `clock.now` may also be set directly."""

    def __init__(self, start: T = NOW, step: float = 0.0) -> None:  # type: ignore[assignment]
        self.now: T = start
        self.step = step

    def __call__(self) -> T:
        if self.step:
            self.advance(self.step)
        return self.now

    def advance(self, seconds: float) -> None:
        if isinstance(self.now, datetime):
            self.now = self.now + timedelta(seconds=seconds)
        else:
            self.now = self.now + seconds
