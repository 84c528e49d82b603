"""The L1/L2 engine cache: read-through, TTLs on a fake clock, capacity, memory, stats."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from clock import FakeClock

from gt_tui.engine.cache.bounded import estimate_bytes
from gt_tui.engine.cache.tiers import CacheConfig, EngineCache
from gt_tui.settings import Settings


class Loader:
    """Counts its calls; returns `value` (or raises when `fail`)."""

    def __init__(self, value: object) -> None:
        self.value, self.calls, self.fail = value, 0, False

    def __call__(self) -> object:
        self.calls += 1
        if self.fail:
            raise RuntimeError("source down")
        return self.value


def make(clock: FakeClock | None = None, **changes: object) -> EngineCache:
    config = replace(CacheConfig.from_settings(Settings.defaults()), **changes)
    return EngineCache(config, timer=clock or FakeClock(0.0))


def test_defaults_come_from_the_spec_settings() -> None:
    config = CacheConfig.from_settings(Settings.defaults())
    assert (config.l1_ttl, config.l1_size, config.l2_ttl, config.l2_size) == (
        300.0,
        1000,
        900.0,
        10000,
    )
    assert config.memory_size == 256 * 10**6
    assert config.tier("L1")[2] + config.tier("L2")[2] <= config.memory_size


def test_read_through_loads_once_then_hits() -> None:
    cache = make()
    load = Loader({"id": "gt-1"})
    assert cache.read_through("bead", "gt-1", load) == {"id": "gt-1"}
    assert cache.read_through("bead", "gt-1", load) == {"id": "gt-1"}
    assert load.calls == 1
    bead = cache.stats().kind("bead")
    assert (bead.hits, bead.misses, bead.size, bead.tier) == (1, 1, 1, "L1")
    assert bead.hit_ratio == 0.5
    assert cache.stats().kind("agent").hit_ratio is None


def test_l1_expires_after_cache_ttl_and_l2_after_its_own() -> None:
    clock = FakeClock(0.0)
    cache = make(clock)
    bead, agents = Loader("b"), Loader(["a"])
    cache.read_through("bead", 1, bead)
    cache.read_through("agent", "list", agents)
    clock.now = 301.0
    cache.read_through("bead", 1, bead)
    cache.read_through("agent", "list", agents)
    assert (bead.calls, agents.calls) == (2, 1)
    clock.now = 902.0
    cache.read_through("agent", "list", agents)
    assert agents.calls == 2


def test_capacity_evicts_the_least_recently_used() -> None:
    cache = make(l1_size=3)
    for key in "abc":
        cache.put("bead", key, key)
    assert cache.get("bead", "a") == "a"  # a is now recent; b is the oldest
    cache.put("bead", "d", "d")
    assert cache.stats().kind("bead").size == 3
    assert cache.get("bead", "b") is None
    assert cache.get("bead", "a") == "a"


def test_memory_budget_bounds_the_bytes_held() -> None:
    cache = make(memory_size=200_000, l1_size=1000, l2_size=1000)
    budget = cache.config.tier("L1")[2]
    for n in range(100):
        cache.put("bead", n, "x" * 10_000)
    stats = cache.stats()
    assert 0 < stats.tier_bytes["L1"] <= budget
    assert stats.kind("bead").size < 100
    cache.put("bead", "huge", "y" * (budget + 1))  # larger than the tier: not cached
    assert cache.get("bead", "huge") is None


def test_estimate_bytes_counts_contents() -> None:
    small, big = estimate_bytes(["a"]), estimate_bytes(["a" * 10_000])
    assert big - small >= 9_999
    assert estimate_bytes({"k": ("v" * 1000,)}) > 1000


def test_clear_by_kind_keeps_loaders_for_warm_up() -> None:
    cache = make()
    bead, status = Loader("b"), Loader("s")
    cache.read_through("bead", 1, bead)
    cache.read_through("status", "town", status)
    assert cache.clear("bead") == 1
    assert cache.stats().kind("status").size == 1
    report = cache.warm("all")
    assert report.loaded == {"bead": 1, "agent": 0, "status": 0}  # status was still cached
    assert (bead.calls, status.calls) == (2, 1)
    assert cache.clear() == 2


def test_refresh_reloads_cached_values() -> None:
    cache = make()
    load = Loader("old")
    cache.read_through("agent", "list", load)
    load.value = "new"
    report = cache.refresh("agent")
    assert report.loaded == {"agent": 1}
    assert cache.get("agent", "list") == "new"


def test_a_failing_loader_is_counted_not_raised() -> None:
    cache = make()
    good, bad = Loader(1), Loader(2)
    cache.read_through("status", "a", good)
    cache.read_through("status", "b", bad)
    bad.fail = True
    report = cache.refresh("status")
    assert (report.loaded["status"], report.failed["status"]) == (1, 1)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown cache kind"):
        make().clear("mail")


def test_disabled_cache_always_loads_and_holds_nothing() -> None:
    cache = make(enabled=False)
    load = Loader("v")
    cache.read_through("bead", 1, load)
    cache.read_through("bead", 1, load)
    assert load.calls == 2
    assert cache.stats().size == 0 and cache.stats().enabled is False


def test_reconfigure_takes_new_settings_live() -> None:
    clock = FakeClock(0.0)
    cache = make(clock)
    load = Loader("v")
    cache.read_through("bead", 1, load)
    settings = Settings.defaults().with_value("cache.ttl", "10")
    cache.reconfigure(settings)
    assert cache.config.l1_ttl == 10.0
    assert cache.get("bead", 1) == "v"  # carried over
    clock.now = 11.0
    assert cache.get("bead", 1) is None  # under the new TTL
    cache.reconfigure(settings.with_value("cache.enabled", "false"))
    assert cache.stats().size == 0
    cache.reconfigure(settings.with_value("cache.enabled", "true"))
    assert cache.warm("bead").loaded == {"bead": 1}  # the loader survived


def test_threads_share_the_cache_safely() -> None:
    cache = make(l1_size=50)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(500):
                key = (n + offset) % 80
                cache.read_through("bead", key, lambda key=key: key)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i * 7,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats().kind("bead")
    assert errors == []
    assert stats.hits + stats.misses == 2000
    assert stats.size <= 50


def test_read_many_loads_only_the_misses_in_one_call():
    clock = FakeClock(0.0)
    cache = EngineCache(CacheConfig.from_settings(Settings.defaults()), clock)
    calls: list[list[str]] = []

    def load(keys):
        calls.append(list(keys))
        return {key: key.upper() for key in keys if key != "gone"}

    assert cache.read_many("bead", ["a", "b"], load) == {"a": "A", "b": "B"}
    assert cache.read_many("bead", ["a", "b", "c", "gone"], load) == {"a": "A", "b": "B", "c": "C"}
    assert calls == [["a", "b"], ["c", "gone"]]
    stats = cache.stats().kind("bead")
    assert (stats.hits, stats.misses) == (2, 4)
    cache.clear("bead")
    report = cache.warm("bead")
    assert report.loaded["bead"] == 3 and report.failed["bead"] == 1  # "gone" has no value
    assert calls[-4:] == [["a"], ["b"], ["c"], ["gone"]]  # each key's own loader


def test_invalidate_on_drops_the_entry_when_its_token_changes() -> None:
    cache = make()
    loader = Loader(["a"])
    assert cache.invalidate_on("agent", "list", ("Toast",)) is False  # the first token
    cache.read_through("agent", "list", loader)
    assert cache.invalidate_on("agent", "list", ("Toast",)) is False
    cache.read_through("agent", "list", loader)
    assert loader.calls == 1  # same token: the entry stands
    assert cache.invalidate_on("agent", "list", ("Nux", "Toast")) is True
    cache.read_through("agent", "list", loader)
    assert loader.calls == 2  # a new polecat: read afresh, not after the TTL


def test_registered_loaders_warm_a_cold_cache_and_yield_to_the_refresh_path() -> None:
    cache = make()
    cold, refresh = Loader("cold"), Loader("refresh")
    cache.register("status", "server", cold)
    assert cache.warm("status").loaded == {"status": 1}  # nothing read yet, still warmed
    cache.clear()
    cache.read_through("status", "server", refresh)
    cache.register("status", "server", cold)  # a registered loader never replaces one
    cache.clear()
    cache.warm()
    assert (cold.calls, refresh.calls) == (1, 2)
