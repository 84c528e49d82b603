"""Unit tests of the bounded connection pool, with a fake clock and fake connections.

A fake is right here: what is tested is the pool's bookkeeping, not any database.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import pytest
from clock import FakeClock

from gt_tui.errors import SourceUnavailable
from gt_tui.town.pool import ConnectionPool, PoolLimits, PoolStats


class FakeConn:
    """A connection that knows its number and whether it was closed."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False


class Factory:
    """Opens and closes FakeConns, counting how many are open at once (thread-safe)."""

    def __init__(self) -> None:
        self.made: list[FakeConn] = []
        self.live = self.peak = 0
        self.fail_next = False
        self._lock = threading.Lock()

    def connect(self) -> FakeConn:
        with self._lock:
            if self.fail_next:
                self.fail_next = False
                raise SourceUnavailable("fake server down")
            conn = FakeConn(len(self.made))
            self.made.append(conn)
            self.live += 1
            self.peak = max(self.peak, self.live)
            return conn

    def close(self, conn: FakeConn) -> None:
        with self._lock:
            assert not conn.closed, "closed twice"
            conn.closed = True
            self.live -= 1


def make_pool(factory: Factory, clock: Callable[[], float] = time.monotonic, **limits: float):
    return ConnectionPool(factory.connect, factory.close, PoolLimits(**limits), clock=clock)


def borrow(pool: ConnectionPool[FakeConn]) -> FakeConn:
    with pool.connection() as conn:
        return conn


def test_idle_connection_is_reused() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0))
    first, second = borrow(pool), borrow(pool)
    assert first is second
    assert not first.closed
    assert pool.stats() == PoolStats(open=1, idle=1, in_use=0, waiting=0, created=1, closed=0)


def test_stats_while_in_use() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0), max_open=3, max_idle=3)
    with pool.connection(), pool.connection():
        assert pool.stats() == PoolStats(2, 0, 2, 0, 2, 0)
    assert pool.stats() == PoolStats(2, 2, 0, 0, 2, 0)


def test_exhausted_pool_times_out_with_source_unavailable() -> None:
    factory = Factory()
    # Every read of the clock moves it 1 ms: the 3 ms acquire timeout runs out after a few reads.
    pool = make_pool(factory, FakeClock(1000.0, step=0.001), max_open=1, acquire_timeout=0.003)
    with pool.connection():
        with pytest.raises(SourceUnavailable, match=r"exhausted \(1 open\)"):
            borrow(pool)
        assert pool.stats().waiting == 0
    assert len(factory.made) == 1


def test_waiter_gets_the_connection_when_it_is_returned() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0), max_open=1, acquire_timeout=60.0)
    got: list[FakeConn] = []
    with pool.connection() as held:
        waiter = threading.Thread(target=lambda: got.append(borrow(pool)))
        waiter.start()
        wait_until(lambda: pool.stats().waiting == 1)
        assert got == []  # still blocked: max_open is 1 and we hold it
    waiter.join(timeout=60)
    assert got == [held]
    assert pool.stats().created == 1


def test_failed_connect_frees_its_place() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0), max_open=1, acquire_timeout=0.0)
    factory.fail_next = True
    with pytest.raises(SourceUnavailable, match="fake server down"):
        borrow(pool)
    assert pool.stats() == PoolStats(0, 0, 0, 0, 0, 0)
    assert borrow(pool).number == 0  # the one place is free again


def test_max_idle_is_respected() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0), max_open=5, max_idle=2)
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(pool.connection()) for _ in range(4)]
    # returned last-in first-out: the first two back fill the idle list, the others close
    assert [conn.closed for conn in held] == [True, True, False, False]
    assert pool.stats() == PoolStats(2, 2, 0, 0, 4, 2)


def test_idle_time_expiry_closes_the_connection() -> None:
    factory, clock = Factory(), FakeClock(1000.0)
    pool = make_pool(factory, clock, max_idle_time=10.0)
    first = borrow(pool)
    clock.advance(9.9)
    assert borrow(pool) is first
    clock.advance(10.0)
    second = borrow(pool)
    assert second is not first
    assert first.closed and not second.closed
    assert pool.stats().closed == 1


def test_lifetime_expiry_closes_an_idle_connection() -> None:
    factory, clock = Factory(), FakeClock(1000.0)
    pool = make_pool(factory, clock, max_lifetime=100.0, max_idle_time=1000.0)
    first = borrow(pool)
    clock.advance(99.0)
    assert borrow(pool) is first
    clock.advance(1.0)
    assert borrow(pool) is not first
    assert first.closed


def test_lifetime_expiry_closes_on_return() -> None:
    factory, clock = Factory(), FakeClock(1000.0)
    pool = make_pool(factory, clock, max_lifetime=100.0, max_idle_time=1000.0)
    with pool.connection() as conn:
        clock.advance(100.0)
    assert conn.closed
    assert pool.stats() == PoolStats(0, 0, 0, 0, 1, 1)


def test_connection_whose_body_raised_is_discarded() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0))
    with pytest.raises(ValueError), pool.connection() as conn:
        raise ValueError("query failed")
    assert conn.closed
    assert pool.stats() == PoolStats(0, 0, 0, 0, 1, 1)
    assert borrow(pool) is not conn


def test_close_all_closes_idle_now_and_in_use_on_return() -> None:
    factory = Factory()
    pool = make_pool(factory, FakeClock(1000.0), max_open=3, max_idle=3)
    with pool.connection() as busy:
        idle = borrow(pool)
        pool.close_all()
        assert idle.closed and not busy.closed
    assert busy.closed
    assert pool.stats() == PoolStats(0, 0, 0, 0, 2, 2)
    assert borrow(pool) not in (idle, busy)  # the pool still works afterwards


def test_threads_never_exceed_max_open() -> None:
    factory = Factory()
    pool = make_pool(factory, max_open=3, max_idle=1, acquire_timeout=60.0)
    inside = peak = uses = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak, uses
        for _ in range(200):
            with pool.connection():
                with lock:
                    inside += 1
                    peak = max(peak, inside)
                    uses += 1
                time.sleep(0)  # let other threads in while this one holds a connection
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert uses == 8 * 200
    assert peak <= 3
    assert factory.peak <= 3  # open connections, idle ones included, never above max_open
    stats = pool.stats()
    assert (stats.in_use, stats.waiting) == (0, 0)
    assert stats.open == factory.live == stats.created - stats.closed


def wait_until(condition: Callable[[], bool], attempts: int = 10_000) -> None:
    """Yield to other threads until `condition` holds (bounded by attempts, not by time)."""
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.001)
    raise AssertionError("condition never became true")
