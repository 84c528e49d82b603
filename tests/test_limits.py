"""Rate limit, concurrency gates and the limited database wrapper."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from clock import FakeClock

from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.limits.gate import Gate
from gt_tui.engine.limits.limited_db import LimitedDatabase
from gt_tui.engine.limits.token_bucket import TokenBucket
from gt_tui.errors import SourceUnavailable
from gt_tui.settings import Settings
from gt_tui.town.sqlite_db import SQLiteDatabase

PATIENCE = 30.0  # generous bound for a thread to reach a state; never a timing assertion


def wait_until(check: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(int(PATIENCE / 0.01)):
        if check():
            return
        done.wait(0.01)
    raise AssertionError("condition never became true")


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


def test_bucket_grants_a_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock(1000.0)
    bucket = TokenBucket(rate=10, burst=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.advance(0.1)  # one token at 10/s
    assert bucket.try_acquire() is True
    assert bucket.try_acquire() is False
    clock.advance(60)  # never more than the burst
    assert bucket.stats().tokens == pytest.approx(3.0)


def test_blocking_acquire_waits_for_the_clock_and_counts_waiters() -> None:
    clock = FakeClock(1000.0)
    bucket = TokenBucket(rate=1, burst=1, clock=clock)
    assert bucket.acquire(timeout=0) is True
    thread, result = in_thread(lambda: bucket.acquire(timeout=100))
    wait_until(lambda: bucket.stats().waiters == 1)
    assert result == []
    clock.advance(1.0)
    bucket.wake()
    thread.join(PATIENCE)
    assert result == [True]
    assert bucket.stats().waiters == 0 and bucket.stats().granted == 2


def test_acquire_times_out_on_the_clock() -> None:
    clock = FakeClock(1000.0)
    bucket = TokenBucket(rate=0.1, burst=1, clock=clock)  # a token every 10 s
    bucket.acquire()
    thread, result = in_thread(lambda: bucket.acquire(timeout=5))
    wait_until(lambda: bucket.stats().waiters == 1)
    clock.advance(6.0)  # past the deadline, still short of a token
    bucket.wake()
    thread.join(PATIENCE)
    assert result == [False]
    assert bucket.stats().refused == 1
    assert bucket.acquire(timeout=0) is False


def test_real_clock_blocking_acquire_is_served() -> None:
    bucket = TokenBucket(rate=200, burst=2)
    assert all(bucket.acquire(timeout=PATIENCE) for _ in range(6))
    assert bucket.stats().granted == 6


def test_reconfigure_drops_tokens_above_the_new_burst() -> None:
    clock = FakeClock(1000.0)
    bucket = TokenBucket(rate=10, burst=50, clock=clock)
    bucket.reconfigure(rate=5, burst=2)
    stats = bucket.stats()
    assert (stats.rate, stats.burst, stats.tokens) == (5.0, 2, 2.0)


def test_gate_is_first_come_first_served_and_resizes_live() -> None:
    gate = Gate("bd", 1)
    assert gate.acquire(timeout=0) is True
    order: list[str] = []
    first, _ = in_thread(lambda: gate.acquire(PATIENCE) and order.append("first"))
    wait_until(lambda: gate.stats().waiters == 1)
    second, _ = in_thread(lambda: gate.acquire(PATIENCE) and order.append("second"))
    wait_until(lambda: gate.stats().waiters == 2)
    assert gate.try_acquire() is False  # waiters go first
    gate.resize(3)  # two more slots: both waiters get in, in order
    first.join(PATIENCE)
    second.join(PATIENCE)
    assert order == ["first", "second"]
    assert gate.stats().in_use == 3 and gate.stats().waiters == 0


def test_shrinking_a_gate_keeps_holders_and_makes_newcomers_wait() -> None:
    gate = Gate("sling", 3)
    for _ in range(3):
        gate.acquire()
    gate.resize(1)
    assert gate.try_acquire() is False
    gate.release()
    gate.release()
    assert gate.try_acquire() is False  # 1 held, limit 1
    gate.release()
    assert gate.try_acquire() is True


def test_gate_timeout_and_slot_refusal() -> None:
    gate = Gate("polecat", 1)
    gate.acquire()
    assert gate.acquire(timeout=0.01) is False
    assert gate.stats().waiters == 0
    with pytest.raises(SourceUnavailable, match=r"polecat\.max_concurrent"), gate.slot(0.01):
        pass
    with pytest.raises(RuntimeError):
        Gate("x", 1).release()


def test_limits_follow_settings_live() -> None:
    settings = Settings.defaults()
    limits = Limits(settings, clock=FakeClock(1000.0))
    assert [g.limit for g in limits.stats().gates] == [10, 10, 5]
    assert limits.stats().rate.burst == 50
    changed = settings.with_value("bd.max_concurrent", 2).with_value("rate.burst_size", 7)
    limits.reconfigure(changed)
    assert limits.gate("bd").stats().limit == 2
    assert limits.stats().rate.burst == 7


def test_limited_database_spends_a_token_per_statement(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    settings = Settings.defaults().with_value("rate.burst_size", 3)
    settings = settings.with_value("rate.requests_per_second", 1)
    limits = Limits(settings, clock=clock)
    inner = SQLiteDatabase({"hq": tmp_path / "hq.db"})
    db = LimitedDatabase(inner, limits, timeout=0)
    try:
        db.execute("CREATE TABLE `hq`.`t` (x INTEGER)")
        db.executemany("INSERT INTO `hq`.`t` (x) VALUES (%s)", [(1,), (2,)])
        assert db.query("SELECT COUNT(*) FROM `hq`.`t`") == [(2,)]
        assert limits.stats().rate.granted == 3
        with pytest.raises(SourceUnavailable, match="no token"):
            db.query("SELECT 1")
        assert inner.round_trips == db.round_trips == 3  # the refused query never ran
        assert (db.dialect, db.read_only) == ("sqlite", False)
        assert db.files == inner.files  # the rest of the wrapped database shows through
    finally:
        db.close()


def test_limited_database_holds_the_bd_gate_during_a_statement(tmp_path: Path) -> None:
    limits = Limits(Settings.defaults().with_value("bd.max_concurrent", 1))
    seen: list[int] = []

    class Probe(SQLiteDatabase):
        def query(self, sql, params=()):
            seen.append(limits.gate("bd").stats().in_use)
            return super().query(sql, params)

    db = LimitedDatabase(Probe({"hq": tmp_path / "hq.db"}), limits)
    try:
        db.query("SELECT 1")
        assert seen == [1]
        assert limits.gate("bd").stats().in_use == 0
    finally:
        db.close()


def test_timed_query_counts_the_server_not_the_wait_for_a_token(tmp_path: Path) -> None:
    """The Dolt probe's latency must not include the console's own rate-limit wait."""
    settings = Settings.defaults().with_value("rate.burst_size", 1)
    settings = settings.with_value("rate.requests_per_second", 2)  # a token every 500 ms
    db = LimitedDatabase(SQLiteDatabase({"hq": tmp_path / "hq.db"}), Limits(settings))
    try:
        db.query("SELECT 1")  # spends the only token: the next waits for the refill
        before = time.perf_counter()
        rows, latency_ms = db.timed_query("SELECT 1")
        waited_ms = (time.perf_counter() - before) * 1000.0
        assert rows == [(1,)]
        assert waited_ms >= 300  # the bucket held it back (by construction, not a speed claim)
        assert latency_ms < waited_ms - 250  # and that wait is not reported as the server's
    finally:
        db.close()
