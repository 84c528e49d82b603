"""New connections per second from the processlist's highest connection id (no extra query).

Connection ids grow by one per connection the server accepts, so the growth of the highest
id between two reads, over the seconds between them, is the rate of new connections: the
churn that drives Dolt's load when many short bd runs connect (beads#5965). Only live
connections are listed, so a burst whose newest connection has already closed is counted
at the next read that sees a later one; the baseline is the highest id ever seen, so
nothing is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class ChurnMeter:
    """Feeds on each refresh's highest connection id; None until it has two readings."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._top: int | None = None
        self._at = 0.0

    def rate(self, top_id: int | None) -> float | None:
        """New connections per second since the last reading (None on the first)."""
        now = self._clock()
        if top_id is None:
            return None
        last, last_at = self._top, self._at
        self._top, self._at = max(top_id, last or 0), now
        if last is None or now <= last_at:
            return None
        return max(0, top_id - last) / (now - last_at)
