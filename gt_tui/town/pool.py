"""A small bounded connection pool honouring the four `dolt.*` pool settings.

We weighed DBUtils' PooledDB and SQLAlchemy's QueuePool: neither expires idle
connections by idle time *and* lifetime the way `dolt.conn_max_idle_time` and
`dolt.conn_max_lifetime` ask, and SQLAlchemy is a heavy dependency for four knobs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gt_tui.errors import SourceUnavailable
from gt_tui.settings import Settings

C = TypeVar("C")


@dataclass(frozen=True)
class PoolLimits:
    """The pool's bounds, named after the spec's `dolt.*` settings (seconds for times)."""

    max_open: int = 25
    max_idle: int = 5
    max_lifetime: float = 3600.0
    max_idle_time: float = 600.0
    acquire_timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PoolLimits:
        """The bounds from the four `dolt.*` settings."""
        return cls(
            max_open=settings.integer("dolt.max_open_conns"),
            max_idle=settings.integer("dolt.max_idle_conns"),
            max_lifetime=settings.number("dolt.conn_max_lifetime"),
            max_idle_time=settings.number("dolt.conn_max_idle_time"),
        )


@dataclass
class _Slot(Generic[C]):
    conn: C
    born: float
    idle_since: float = field(default=0.0)
    generation: int = 0


@dataclass(frozen=True)
class PoolStats:
    """What the console shows about the pool."""

    open: int
    idle: int
    in_use: int
    waiting: int
    created: int
    closed: int


class ConnectionPool(Generic[C]):
    """Hands out at most `max_open` connections; keeps at most `max_idle` idle ones."""

    def __init__(
        self,
        connect: Callable[[], C],
        close: Callable[[C], Any],
        limits: PoolLimits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect, self._close, self._clock = connect, close, clock
        self.limits = limits
        self._idle: deque[_Slot[C]] = deque()
        self._in_use: dict[int, _Slot[C]] = {}
        self._cond = threading.Condition()
        self._waiting = self._created = self._closed = 0
        self._generation = 0  # bumped by close_all: older connections close when returned

    @contextmanager
    def connection(self, fresh: bool = False) -> Iterator[C]:
        """Borrow a connection; a connection that raised is discarded, not reused.

        `fresh`: open a new one rather than reuse an idle one (a retry after a connection
        proved dead: its idle siblings may be dead too); the oldest idle one makes room.
        """
        slot = self._acquire(fresh)
        try:
            yield slot.conn
        except BaseException:
            self._discard(slot)
            raise
        self._release(slot)

    def stats(self) -> PoolStats:
        with self._cond:
            idle, used = len(self._idle), len(self._in_use)
            return PoolStats(idle + used, idle, used, self._waiting, self._created, self._closed)

    def close_all(self) -> None:
        """Close every idle connection; connections in use close when returned."""
        with self._cond:
            doomed, self._idle = list(self._idle), deque()
            self._generation += 1
        for slot in doomed:
            self._close_slot(slot)

    def _acquire(self, fresh: bool = False) -> _Slot[C]:
        with self._cond:
            doomed = self._expire_idle()
        for slot in doomed:
            self._close_slot(slot)
        deadline = self._clock() + self.limits.acquire_timeout
        with self._cond:
            while (fresh or not self._idle) and len(self._in_use) >= self.limits.max_open:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise SourceUnavailable(
                        f"connection pool exhausted ({self.limits.max_open} open)"
                    )
                self._waiting += 1
                self._cond.wait(remaining)
                self._waiting -= 1
            if self._idle and not fresh:
                slot = self._idle.pop()
                self._in_use[id(slot)] = slot
                return slot
            full = len(self._idle) + len(self._in_use) >= self.limits.max_open
            room = [self._idle.popleft()] if fresh and self._idle and full else []
            placeholder = _Slot[Any](None, self._clock())
            self._in_use[id(placeholder)] = placeholder
        for slot in room:
            self._close_slot(slot)
        return self._open_into(placeholder)

    def _open_into(self, placeholder: _Slot[Any]) -> _Slot[C]:
        try:
            conn = self._connect()
        except BaseException:
            with self._cond:
                del self._in_use[id(placeholder)]
                self._cond.notify()
            raise
        with self._cond:
            del self._in_use[id(placeholder)]
            slot = _Slot(conn, self._clock(), generation=self._generation)
            self._in_use[id(slot)] = slot
            self._created += 1
        return slot

    def _release(self, slot: _Slot[C]) -> None:
        now = self._clock()
        with self._cond:
            self._in_use.pop(id(slot), None)
            keep = (
                len(self._idle) < self.limits.max_idle
                and now - slot.born < self.limits.max_lifetime
                and slot.generation == self._generation
            )
            if keep:
                slot.idle_since = now
                self._idle.append(slot)
            self._cond.notify()
        if not keep:
            self._close_slot(slot)

    def _discard(self, slot: _Slot[C]) -> None:
        with self._cond:
            self._in_use.pop(id(slot), None)
            self._cond.notify()
        self._close_slot(slot)

    def _expire_idle(self) -> list[_Slot[C]]:
        """Drop idle connections past their lifetime or idle time; return them to close."""
        now = self._clock()
        doomed = [slot for slot in self._idle if self._expired(slot, now)]
        self._idle = deque(slot for slot in self._idle if not self._expired(slot, now))
        return doomed

    def _expired(self, slot: _Slot[C], now: float) -> bool:
        too_old = now - slot.born >= self.limits.max_lifetime
        return too_old or now - slot.idle_since >= self.limits.max_idle_time

    def _close_slot(self, slot: _Slot[C]) -> None:
        with suppress(Exception):  # closing a broken connection must never fail a caller
            self._close(slot.conn)
        with self._cond:
            self._closed += 1
