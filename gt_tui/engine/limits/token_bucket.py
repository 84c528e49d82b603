"""The rate limit: `rate.burst_size` tokens, refilled at `rate.requests_per_second`.

The clock is injectable; waits use real time, and `wake()` re-checks after a fake clock moves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gt_tui.errors import SettingError

Clock = Callable[[], float]
_IDLE_WAIT = 1.0  # longest single sleep: waiters re-check at least this often


@dataclass(frozen=True)
class BucketStats:
    """What the console shows about the rate limit."""

    rate: float
    burst: int
    tokens: float
    waiters: int
    granted: int
    refused: int


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; one token per request."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic) -> None:
        _check_rate(rate, burst)
        self._clock = clock
        self._rate, self._burst = float(rate), int(burst)
        self._tokens, self._stamp = float(burst), clock()
        self._cond = threading.Condition()
        self._waiters = self._granted = self._refused = 0

    def try_acquire(self) -> bool:
        """Take a token if one is there now; never waits."""
        with self._cond:
            return self._take()

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a token, waiting up to `timeout` seconds (None: forever); False on timeout."""
        with self._cond:
            deadline = None if timeout is None else self._clock() + timeout
            self._waiters += 1
            try:
                while not self._take():
                    delay = self._delay(deadline)
                    if delay <= 0:
                        self._refused += 1
                        return False
                    self._cond.wait(delay)
                return True
            finally:
                self._waiters -= 1

    def reconfigure(self, rate: float, burst: int) -> None:
        """New rate and burst from now on; tokens above the new burst are dropped."""
        _check_rate(rate, burst)
        with self._cond:
            self._refill()
            self._rate, self._burst = float(rate), int(burst)
            self._tokens = min(self._tokens, self._burst)
            self._cond.notify_all()

    def wake(self) -> None:
        """Make waiters look at the clock again (after a fake clock was moved)."""
        with self._cond:
            self._cond.notify_all()

    def stats(self) -> BucketStats:
        with self._cond:
            self._refill()
            return BucketStats(
                self._rate, self._burst, self._tokens, self._waiters, self._granted, self._refused
            )

    def _take(self) -> bool:
        self._refill()
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        self._granted += 1
        return True

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._tokens = min(float(self._burst), self._tokens + elapsed * self._rate)
        self._stamp = now

    def _delay(self, deadline: float | None) -> float:
        """How long to sleep before the next token, capped by the deadline; <= 0: give up."""
        until_token = (1.0 - self._tokens) / self._rate
        if deadline is None:
            return min(until_token, _IDLE_WAIT)
        remaining = deadline - self._clock()
        if remaining <= 0:
            return 0.0
        return min(until_token, remaining, _IDLE_WAIT)


def _check_rate(rate: float, burst: int) -> None:
    if not rate > 0:
        raise SettingError(f"rate.requests_per_second must be above 0, not {rate!r}")
    if int(burst) < 1:
        raise SettingError(f"rate.burst_size must be at least 1, not {burst!r}")
