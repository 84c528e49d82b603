"""The engine's two cache tiers (spec §4): L1 hot beads and L2 query results.

Kinds: `bead` lives in L1 (`cache.ttl`, `cache.l1_size` entries); `agent` and `status`
live in L2 (`cache.l2_ttl`, `cache.l2_size` entries). Each tier is a `bounded.BoundedTier`
(bounded in entries and estimated bytes): `cache.memory_size` is split between the tiers
in proportion to their entry capacities. One lock guards both tiers (cachetools caches are
not thread-safe); loaders run outside it. Its statistics are `stats`'.

The refresh path calls `read_through(kind, key, loader)`. The cache remembers each key's
loader, so warm-up (load what is missing) and refresh (load again) work for whatever the
refresh path has read, without the cache knowing any SQL; `register` gives a key a loader
before any refresh has read it (so a warm-up warms from a cold start). `invalidate_on` drops
an entry when a token of what it depends on changes (a new polecat directory, a new session).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from gt_tui.engine.cache.bounded import BoundedTier
from gt_tui.engine.cache.stats import CacheStats, KindStats, LoadReport
from gt_tui.settings import Settings

KINDS = ("bead", "agent", "status")
TIER_OF = {"bead": "L1", "agent": "L2", "status": "L2"}
_MISSING = object()
Loader = Callable[[], Any]
ManyLoader = Callable[[list[Hashable]], dict[Hashable, Any]]  # missing keys -> values


@dataclass(frozen=True)
class CacheConfig:
    """The cache settings (spec §4, validated by gt_tui.settings): bytes and seconds."""

    enabled: bool
    memory_size: int
    l1_ttl: float
    l1_size: int
    l2_ttl: float
    l2_size: int

    @classmethod
    def from_settings(cls, settings: Settings) -> CacheConfig:
        return cls(
            enabled=settings.flag("cache.enabled"),
            memory_size=settings.integer("cache.memory_size"),
            l1_ttl=settings.number("cache.ttl"),
            l1_size=settings.integer("cache.l1_size"),
            l2_ttl=settings.number("cache.l2_ttl"),
            l2_size=settings.integer("cache.l2_size"),
        )

    def tier(self, name: str) -> tuple[float, int, int]:
        """(ttl, entry capacity, byte budget) of tier "L1" or "L2"."""
        total = self.l1_size + self.l2_size
        if name == "L1":
            return self.l1_ttl, self.l1_size, self.memory_size * self.l1_size // total
        return self.l2_ttl, self.l2_size, self.memory_size * self.l2_size // total


class EngineCache:
    """L1 and L2 behind one lock, with per-kind statistics and remembered loaders."""

    def __init__(self, config: CacheConfig, timer: Callable[[], float] = time.monotonic) -> None:
        self._timer = timer
        self._lock = threading.RLock()
        self._hits = dict.fromkeys(KINDS, 0)
        self._misses = dict.fromkeys(KINDS, 0)
        self._tokens: dict[tuple[str, Hashable], Hashable] = {}
        self._apply(config)

    @classmethod
    def from_settings(
        cls, settings: Settings, timer: Callable[[], float] = time.monotonic
    ) -> EngineCache:
        return cls(CacheConfig.from_settings(settings), timer)

    def _apply(self, config: CacheConfig) -> None:
        self.config = config
        self._tiers = {name: self._new_tier(name) for name in ("L1", "L2")}
        self._loaders: dict[str, LRUCache[Hashable, Loader]] = {
            kind: LRUCache(config.tier(TIER_OF[kind])[1]) for kind in KINDS
        }

    def _new_tier(self, name: str) -> BoundedTier:
        ttl, capacity, budget = self.config.tier(name)
        return BoundedTier(ttl, capacity, budget, self._timer)

    def reconfigure(self, settings: Settings) -> None:
        """Take new settings now; loaders carry over, entries too unless now disabled.

        A carried entry is stored again, so its new TTL counts from now.
        """
        config = CacheConfig.from_settings(settings)
        with self._lock:
            old_tiers, old_loaders = self._tiers, self._loaders
            self._apply(config)
            for kind, loaders in old_loaders.items():
                for key in list(loaders)[-int(self._loaders[kind].maxsize) :]:
                    self._loaders[kind][key] = loaders[key]
            if not config.enabled:
                return
            for tier in old_tiers.values():
                for full_key in list(tier):
                    value = tier.get(full_key, _MISSING)
                    if value is not _MISSING:
                        self._put(full_key[0], full_key[1], value)

    def get(self, kind: str, key: Hashable) -> Any:
        """The cached value or None; counts a hit or a miss."""
        value = self._lookup(_check_kind(kind), key)
        return None if value is _MISSING else value

    def put(self, kind: str, key: Hashable, value: Any) -> None:
        with self._lock:
            if self.config.enabled:
                self._put(_check_kind(kind), key, value)

    def read_through(self, kind: str, key: Hashable, loader: Loader) -> Any:
        """The cached value, or `loader()`'s result, stored; the loader is remembered."""
        _check_kind(kind)
        if not self.config.enabled:
            return loader()
        with self._lock:
            self._loaders[kind][key] = loader
        value = self._lookup(kind, key)
        if value is _MISSING:
            value = loader()
            self.put(kind, key, value)
        return value

    def register(self, kind: str, key: Hashable, loader: Loader) -> None:
        """Remember `loader` for `key` unless one is remembered already (for warm-up)."""
        with self._lock:
            loaders = self._loaders[_check_kind(kind)]
            if key not in loaders:
                loaders[key] = loader

    def invalidate_on(self, kind: str, key: Hashable, token: Hashable) -> bool:
        """Drop the entry when `token` differs from the one given last time; True if dropped.

        The token stands for what the entry depends on that the engine sees change (the
        polecat directories, the tmux sessions); the first token given drops nothing.
        """
        full_key = (_check_kind(kind), key)
        with self._lock:
            before = self._tokens.get(full_key, token)
            self._tokens[full_key] = token
            if before == token:
                return False
            return self._tiers[TIER_OF[kind]].pop(full_key, _MISSING) is not _MISSING

    def read_many(
        self, kind: str, keys: Iterable[Hashable], load: ManyLoader
    ) -> dict[Hashable, Any]:
        """Cached values for many keys; the misses are loaded by ONE call of `load(missing)`.

        Each key's loader is remembered as a one-key call of `load`, for warm-up and refresh.
        A key that `load` does not return is not cached (and not in the answer).
        """
        _check_kind(kind)
        wanted = list(dict.fromkeys(keys))
        if not self.config.enabled:
            return load(wanted) if wanted else {}
        found = {key: self._lookup(kind, key) for key in wanted}
        missing = [key for key, value in found.items() if value is _MISSING]
        loaded = load(missing) if missing else {}
        with self._lock:
            for key in wanted:
                self._loaders[kind][key] = functools.partial(_one_of, load, key)
        for key, value in loaded.items():
            self.put(kind, key, value)
        hits = {key: value for key, value in found.items() if value is not _MISSING}
        return {**hits, **loaded}

    def _lookup(self, kind: str, key: Hashable) -> Any:
        with self._lock:
            value = self._tiers[TIER_OF[kind]].get((kind, key), _MISSING)
            counter = self._misses if value is _MISSING else self._hits
            counter[kind] += 1
            return value

    def _put(self, kind: str, key: Hashable, value: Any) -> None:
        self._tiers[TIER_OF[kind]].store((kind, key), value)

    def clear(self, kind: str = "all") -> int:
        """Drop the cached values of a kind (or all); loaders stay for warm-up. Returns count."""
        kinds = _kinds(kind)
        with self._lock:
            dropped = 0
            for tier in self._tiers.values():
                for full_key in [k for k in tier if k[0] in kinds]:
                    tier.pop(full_key, None)
                    dropped += 1
            return dropped

    def warm(self, kind: str = "all") -> LoadReport:
        """Load every remembered key of the kind that is not cached now."""
        return self._load(_kinds(kind), only_missing=True)

    def refresh(self, kind: str = "all") -> LoadReport:
        """Load every remembered key of the kind again, replacing what is cached."""
        return self._load(_kinds(kind), only_missing=False)

    def _load(self, kinds: tuple[str, ...], only_missing: bool) -> LoadReport:
        loaded, failed = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0)
        if not self.config.enabled:
            return LoadReport(loaded, failed)
        for kind in kinds:
            with self._lock:
                tier = self._tiers[TIER_OF[kind]]
                jobs = [
                    (k, f)
                    for k, f in self._loaders[kind].items()
                    if not only_missing or (kind, k) not in tier
                ]
            for key, loader in jobs:
                try:
                    value = loader()
                except Exception:  # one failing source must not stop the others
                    failed[kind] += 1
                    continue
                self.put(kind, key, value)
                loaded[kind] += 1
        return LoadReport(loaded, failed)

    def stats(self) -> CacheStats:
        with self._lock:
            for tier in self._tiers.values():
                tier.expire()
            kinds = tuple(self._kind_stats(kind) for kind in KINDS)
            held = {name: int(tier.currsize) for name, tier in self._tiers.items()}
            return CacheStats(self.config.enabled, kinds, held, self.config.memory_size)

    def _kind_stats(self, kind: str) -> KindStats:
        size = sum(1 for k in self._tiers[TIER_OF[kind]] if k[0] == kind)
        return KindStats(kind, TIER_OF[kind], self._hits[kind], self._misses[kind], size)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r}; one of {', '.join(KINDS)}")
    return kind


def _kinds(kind: str) -> tuple[str, ...]:
    """`all` or one kind, as a tuple of kinds."""
    return KINDS if kind == "all" else (_check_kind(kind),)


def _one_of(load: ManyLoader, key: Hashable) -> Any:
    """One key through a many-keys loader; a key it does not return is an error."""
    return load([key])[key]
