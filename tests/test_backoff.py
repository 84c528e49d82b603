"""A failing source is retried on a doubling backoff, never every refresh, and recovers.

The engine's injectable clock drives it: refreshes every `ui.refresh_interval` (2 s), a
source whose file is a directory fails; it must be tried at 0, 2, 6, 14, 30, 62 s, then
every BACKOFF_CAP_S, and its next due retry after the file comes back clears the error.
The probe ("dolt") is tried every refresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from builder.files import write_dolt_config
from clock import FakeClock
from sqlserver import SQLServer, free_port
from test_engine import Towns
from towns import NOW

from gt_tui.engine.backoff import BACKOFF_CAP_S, Backoff
from gt_tui.engine.engine import Engine
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.events import Event, EventsTail

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

STEP = 2.0  # the default ui.refresh_interval
ONE_S = timedelta(seconds=1)


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path):
    made = Towns(request, tmp_path)
    yield made
    made.close()


class CountingTail(EventsTail):
    """The real tail, counting how often the engine asks it to read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.attempts: list[datetime] = []
        self.clock: FakeClock | None = None

    def read_new(self, since: datetime | None = None) -> list[Event]:
        assert self.clock is not None
        self.attempts.append(self.clock.now)
        return super().read_new(since)


def seconds(times: list[datetime]) -> list[float]:
    return [(t - NOW).total_seconds() for t in times]


def counting_engine(towns: Towns, clock: FakeClock) -> tuple[Engine, CountingTail, Path]:
    built = towns.known("sqlite", "v1.0.0")
    engine = towns.engine(built.town(), clock)
    tail = CountingTail(built.root / ".events.jsonl")
    tail.clock = clock
    engine.events = tail
    return engine, tail, tail.path


def test_a_failing_source_backs_off_and_recovers(towns: Towns) -> None:
    clock = FakeClock()
    engine, tail, events = counting_engine(towns, clock)
    saved = events.read_bytes()
    events.unlink()
    events.mkdir()  # not a regular file: the events source fails
    snaps = []
    while clock.now < NOW + 200 * ONE_S:  # a refresh every 2 s for 200 s
        snaps.append(engine.refresh())
        clock.advance(STEP)
    assert seconds(tail.attempts) == [0, 2, 6, 14, 30, 62, 122, 182]
    assert all(s.metric("polecat_spawn").stale for s in snaps)
    assert all(not s.metric("mail_lag").stale for s in snaps)  # the others read every time
    assert {e.since for s in snaps for e in s.errors} == {NOW}

    events.rmdir()
    events.write_bytes(saved)
    while clock.now < NOW + 242 * ONE_S:  # not due yet: still the old error
        assert engine.refresh().metric("polecat_spawn").stale
        clock.advance(STEP)
    back = engine.refresh()  # the next due retry succeeds and clears the error
    assert seconds(tail.attempts)[-1] == 242
    assert back.errors == () and back.metric("polecat_spawn").count == 3

    clock.advance(STEP)
    engine.refresh()  # 244: read as usual
    events.unlink()
    events.mkdir()
    for _ in range(4):  # 246, 248, 250, 252: a new failure starts again from 2 s
        clock.advance(STEP)
        engine.refresh()
    assert seconds(tail.attempts)[-4:] == [244, 246, 248, 252]


def test_schedule_doubles_to_the_cap() -> None:
    backoff = Backoff(STEP)
    delays = [(backoff.failed("x", NOW).next_try - NOW).total_seconds() for _ in range(8)]
    assert delays == [2, 4, 8, 16, 32, BACKOFF_CAP_S, BACKOFF_CAP_S, BACKOFF_CAP_S]
    assert not backoff.due("x", NOW) and backoff.due("y", NOW)
    backoff.succeeded("x")
    assert backoff.due("x", NOW) and backoff.retry("x") is None
    for _ in range(5000):  # no overflow however long a source stays dead
        retry = backoff.failed("x", NOW)
    assert (retry.failures, retry.next_try) == (5000, NOW + BACKOFF_CAP_S * ONE_S)


@pytest.mark.mariadb
def test_the_probe_is_tried_every_refresh(towns: Towns, mariadb: SQLServer) -> None:
    built = towns.known("mysql", "v1.0.0")
    write_dolt_config(built.root, Endpoint("127.0.0.1", free_port()))  # nothing listens
    clock = FakeClock()
    engine = towns.engine(built.town(), clock)
    queries = []
    for _ in range(10):
        snap = engine.refresh()
        assert snap.dolt.error and snap.metric("mail_lag").stale
        queries.append(snap.engine.queries)
        clock.advance(STEP)
    assert queries == [1] * 10  # the probe each time; the database readers skipped
