"""Rate limit and concurrency gates in front of every engine query and every spawn (spec §3).

`TokenBucket` holds `rate.burst_size` tokens refilled at `rate.requests_per_second`;
`Gate` is a FIFO semaphore whose limit can change while callers wait (`bd.max_concurrent`,
`polecat.max_concurrent`, `sling.max_concurrent`). `Limits` bundles them from settings
and takes new settings live; `LimitedDatabase` puts a token and the `bd` gate in front of
each statement, so a query that passes through it has passed the limits.
Clocks are injectable; waits use real time, and `wake()` re-checks after a fake clock moves.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gt_tui.errors import SettingError, SourceUnavailable
from gt_tui.safe_text import safe_rows
from gt_tui.town.db import Database, Row
from gt_tui.town.pool import PoolStats

Clock = Callable[[], float]
GATE_SETTINGS = {
    "bd": "bd.max_concurrent",
    "polecat": "polecat.max_concurrent",
    "sling": "sling.max_concurrent",
}
WAIT_TIMEOUT = 30.0  # seconds a query waits for a token or a gate before it is refused
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


@dataclass(frozen=True)
class LimitsStats:
    """The rate limit and every gate, for the console and the snapshot."""

    rate: BucketStats
    gates: tuple[GateStats, ...]


class Limits:
    """The token bucket and the three gates, built from settings and re-tuned live."""

    def __init__(self, settings: Mapping[str, Any], clock: Clock = time.monotonic) -> None:
        rate, burst = _rate_settings(settings)
        self.bucket = TokenBucket(rate, burst, clock)
        self.gates = {name: Gate(name, int(settings[key])) for name, key in GATE_SETTINGS.items()}

    def reconfigure(self, settings: Mapping[str, Any]) -> None:
        self.bucket.reconfigure(*_rate_settings(settings))
        for name, key in GATE_SETTINGS.items():
            self.gates[name].resize(int(settings[key]))

    def gate(self, name: str) -> Gate:
        return self.gates[name]

    @contextmanager
    def query_slot(self, timeout: float = WAIT_TIMEOUT) -> Iterator[None]:
        """A token, then a `bd` slot: what each engine statement passes through."""
        if not self.bucket.acquire(timeout):
            raise SourceUnavailable(
                f"rate.requests_per_second: no token within {timeout:g}s"
                f" ({self.bucket.stats().waiters} waiting)"
            )
        with self.gates["bd"].slot(timeout):
            yield

    def stats(self) -> LimitsStats:
        return LimitsStats(self.bucket.stats(), tuple(g.stats() for g in self.gates.values()))


def _rate_settings(settings: Mapping[str, Any]) -> tuple[float, int]:
    return float(settings["rate.requests_per_second"]), int(settings["rate.burst_size"])


class LimitedDatabase:
    """A Database whose every statement first passes `Limits.query_slot()`; the rows it
    returns have their text made safe to show (gt_tui/safe_text.py): the console's one door."""

    def __init__(self, db: Database, limits: Limits, timeout: float = WAIT_TIMEOUT) -> None:
        self.inner = db
        self.limits = limits
        self.timeout = timeout

    @property
    def dialect(self) -> str:
        return self.inner.dialect

    @property
    def read_only(self) -> bool:
        return self.inner.read_only

    @property
    def round_trips(self) -> int:
        return self.inner.round_trips

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.limits.query_slot(self.timeout):
            return safe_rows(self.inner.query(sql, params))

    def timed_query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], float]:
        """Rows and the round trip in ms, timed after the limits let it through: a wait for
        a token or a gate is the console's own, not the server's, and is not counted."""
        with self.limits.query_slot(self.timeout):
            started = time.perf_counter()
            rows = self.inner.query(sql, params)
            return safe_rows(rows), (time.perf_counter() - started) * 1000.0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.limits.query_slot(self.timeout):
            return self.inner.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.limits.query_slot(self.timeout):
            return self.inner.executemany(sql, rows)

    def table_columns(self, databases: Sequence[str]) -> dict[tuple[str, str], set[str]]:
        with self.limits.query_slot(self.timeout):
            return self.inner.table_columns(databases)

    def pool_stats(self) -> PoolStats | None:
        return self.inner.pool_stats()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        """Anything else (`endpoint`, `pool`, `files`) is the wrapped database's."""
        return getattr(self.inner, name)
