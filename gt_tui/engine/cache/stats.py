"""What the engine cache reports: hits and misses per kind, bytes held, warm-up results."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindStats:
    """Hits, misses and entries held for one kind."""

    kind: str
    tier: str
    hits: int
    misses: int
    size: int

    @property
    def hit_ratio(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


@dataclass(frozen=True)
class CacheStats:
    """The whole cache: per kind, estimated bytes held per tier, and the memory budget."""

    enabled: bool
    kinds: tuple[KindStats, ...]
    tier_bytes: dict[str, int]
    memory_limit: int

    @property
    def hits(self) -> int:
        return sum(k.hits for k in self.kinds)

    @property
    def misses(self) -> int:
        return sum(k.misses for k in self.kinds)

    @property
    def size(self) -> int:
        return sum(k.size for k in self.kinds)

    @property
    def bytes(self) -> int:
        return sum(self.tier_bytes.values())

    @property
    def hit_ratio(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None

    def kind(self, name: str) -> KindStats:
        return next(k for k in self.kinds if k.kind == name)


@dataclass(frozen=True)
class LoadReport:
    """What a warm-up or refresh did for each kind: entries loaded and loaders that failed."""

    loaded: dict[str, int]
    failed: dict[str, int]
