"""Rate limit and concurrency gates in front of every engine query and every spawn (spec §3).

`Limits` bundles the token bucket (`token_bucket`) and the three gates (`gate`) from
settings and takes new settings live; `query_slot` is what each engine statement passes
through (`limited_db.LimitedDatabase` puts it in front of every statement).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gt_tui.engine.gate import WAIT_TIMEOUT, Gate, GateStats
from gt_tui.engine.token_bucket import BucketStats, Clock, TokenBucket
from gt_tui.errors import SourceUnavailable

GATE_SETTINGS = {
    "bd": "bd.max_concurrent",
    "polecat": "polecat.max_concurrent",
    "sling": "sling.max_concurrent",
}


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
