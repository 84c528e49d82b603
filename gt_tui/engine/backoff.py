"""When a failing source is tried again: doubling from the refresh interval up to a cap.

A source that keeps failing (a database file that is no database, an events path that is a
FIFO) must not be retried in a tight loop, yet the console must notice by itself when it
works again. After the k-th failure in a row a source waits `base * 2**(k-1)` seconds, at
most BACKOFF_CAP_S, before it is tried again; one success clears its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BACKOFF_CAP_S = 60.0  # the longest wait between two tries of a failing source
# A refresh that starts this fraction of the base interval early still counts as due:
# refresh timers fire with jitter, and a retry must not slip a whole interval for it.
BACKOFF_SLACK = 0.5


@dataclass(frozen=True)
class Retry:
    """A failing source's state: failures in a row, and when it may next be tried."""

    failures: int
    next_try: datetime


class Backoff:
    """Per-source retry schedule; `base` is the refresh interval in seconds."""

    def __init__(self, base: float, cap: float = BACKOFF_CAP_S) -> None:
        self.base, self.cap = base, cap
        self._retries: dict[str, Retry] = {}

    def due(self, source: str, now: datetime) -> bool:
        """Whether `source` should be read in the refresh that starts at `now`."""
        retry = self._retries.get(source)
        slack = timedelta(seconds=self.base * BACKOFF_SLACK)
        return retry is None or now >= retry.next_try - slack

    def failed(self, source: str, now: datetime) -> Retry:
        """Record a failure of `source` in the refresh that started at `now`."""
        failures = self._retries[source].failures + 1 if source in self._retries else 1
        delay = min(self.cap, self.base * 2.0 ** min(failures - 1, 30))
        retry = Retry(failures, now + timedelta(seconds=delay))
        self._retries[source] = retry
        return retry

    def succeeded(self, source: str) -> None:
        self._retries.pop(source, None)

    def retry(self, source: str) -> Retry | None:
        """The source's retry state, None when it is not failing."""
        return self._retries.get(source)
