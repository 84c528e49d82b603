"""Rate limit and concurrency gates in front of every engine query and every spawn (spec §3).

`Limits` bundles the token bucket (`token_bucket`) and the three gates (`gate`) from
settings and takes new settings live; `query_slot` is what each engine statement passes
through (`limited_db.LimitedDatabase` puts it in front of every statement).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gt_tui.engine.limits.gate import WAIT_TIMEOUT, Gate, GateStats
from gt_tui.engine.limits.token_bucket import BucketStats, Clock, TokenBucket
from gt_tui.errors import SourceUnavailable
from gt_tui.settings import Settings

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


@dataclass(frozen=True)
class LimitsConfig:
    """The rate limit's settings and each gate's limit, typed, read once from settings."""

    rate: float
    burst: int
    gates: tuple[tuple[str, int], ...]  # (gate name, its max_concurrent), GATE_SETTINGS order

    @classmethod
    def from_settings(cls, settings: Settings) -> LimitsConfig:
        return cls(
            rate=settings.number("rate.requests_per_second"),
            burst=settings.integer("rate.burst_size"),
            gates=tuple((name, settings.integer(key)) for name, key in GATE_SETTINGS.items()),
        )


class Limits:
    """The token bucket and the three gates, built from settings and re-tuned live."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        config = LimitsConfig.from_settings(settings)
        self.bucket = TokenBucket(config.rate, config.burst, clock)
        self.gates = {name: Gate(name, limit) for name, limit in config.gates}

    def reconfigure(self, settings: Settings) -> None:
        config = LimitsConfig.from_settings(settings)
        self.bucket.reconfigure(config.rate, config.burst)
        for name, limit in config.gates:
            self.gates[name].resize(limit)

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
