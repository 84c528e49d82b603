"""One cache tier: a TTL cache bounded both in entries and in the estimated bytes it holds.

A cachetools `TTLCache` whose `getsizeof` is `estimate_bytes`, so its `maxsize` is a byte
budget; `store` enforces the entry capacity too (the least recently used entry makes
room) and skips a value larger than the whole budget. Not thread-safe (cachetools caches
are not): the caller holds a lock.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from cachetools import TTLCache

TierKey = tuple[str, Hashable]  # (kind, key)


def estimate_bytes(value: Any, _seen: set[int] | None = None) -> int:
    """A deep estimate of what `value` holds in memory (containers, dataclasses, strings)."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, str | bytes | bytearray | int | float | bool) or value is None:
        return size
    if isinstance(value, Mapping):
        parts = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        parts = list(value)
    elif dataclasses.is_dataclass(value):
        parts = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        parts = list(getattr(value, "__dict__", {}).values())
    return size + sum(estimate_bytes(part, seen) for part in parts)


class BoundedTier(TTLCache[TierKey, Any]):
    """`capacity` entries and `budget` estimated bytes at most, each living `ttl` seconds."""

    def __init__(self, ttl: float, capacity: int, budget: int, timer: Callable[[], float]) -> None:
        super().__init__(budget, ttl, timer=timer, getsizeof=estimate_bytes)
        self.capacity = capacity

    def store(self, key: TierKey, value: Any) -> None:
        """Cache `value` under `key`, making room by entry count; too large: not cached."""
        self.expire()
        if key not in self and len(self) >= self.capacity:
            self.popitem()  # the least recently used entry makes room
        try:
            self[key] = value
        except ValueError:  # larger than the tier's whole byte budget: not cached
            self.pop(key, None)
