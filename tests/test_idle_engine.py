"""The idle engine derives nothing twice from what did not change (issue 12, deliverable 3).

The patrol cycles are built again only when the patrol rows moved (the `TrackedRows` know),
and `tmux list-sessions` runs again only when the tmux server's panes came or went (its
descriptors and children, engine/tmux_listing.py), at least every `TMUX_LIST_MAX_AGE_S`.
Counted calls, never timing; a real town (both backends) and a real tmux on a private socket.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cadence_fixtures import BACKENDS, STEP, Town, known_town
from clock import NOW, FakeClock
from helpers import tmux
from towns import add_known_patrols

from gt_tui import health as h
from gt_tui.engine import collectors
from gt_tui.engine.proc_table import from_proc
from gt_tui.engine.readers import work
from gt_tui.engine.tmux_listing import TMUX_LIST_MAX_AGE_S, TmuxListing, sessions_now
from gt_tui.engine.tracked import Changes, TrackedRows, by_database_and_id
from gt_tui.town.db import sql_time
from gt_tui.town.tmux import list_sessions


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Town]:
    yield from known_town(request, tmp_path)


@pytest.fixture
def counted_cycles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per build of the patrol cycles (`patrol_samples`, as the reader calls it)."""
    calls: list[int] = []

    def counting(rows, now):  # type: ignore[no-untyped-def]
        calls.append(1)
        return collectors.patrol_samples(rows, now)

    monkeypatch.setattr(work, "patrol_samples", counting)
    return calls


# ---- patrol cycles ------------------------------------------------------------------------


def test_patrol_cycles_are_not_rebuilt_while_no_patrol_row_changed(
    town: Town, counted_cycles: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    queues: list[int] = []
    real_queue = work.queue_reading
    monkeypatch.setattr(work, "queue_reading", lambda *a: queues.append(1) or real_queue(*a))
    add_known_patrols(town.built, NOW)
    engine, clock = town.engine(), town.clock
    first = engine.refresh().metric("patrol_cycle")
    assert counted_cycles == [1] and first.count > 0
    for _ in range(3):
        clock.advance(STEP)
        again = engine.refresh().metric("patrol_cycle")
        assert again.samples == first.samples and again.count == first.count
    assert counted_cycles == [1]  # no patrol bead written: the rows did not move
    assert queues == [1]  # nor a sling context: the queue is not parsed again either


def rows_at(closed: object, *more: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Patrol rows as the reader keeps them: (db, id, assignee, title, status, created,
    closed)."""
    created = sql_time(NOW - timedelta(minutes=5))
    return [("hq", "hq-p1", "deacon", "Patrol", "closed", created, closed), *more]


SCHEMA = object()  # one schema throughout: the rows are read in full only the first time


def read_cycles(tracked: TrackedRows, rows: list, changes: Changes | None, now: datetime):  # type: ignore[no-untyped-def]
    """The reader's two steps: the rows brought up to date, then their cycles."""
    kept = tracked.read(SCHEMA, changes, full=lambda: rows, changed=lambda _ids: rows[1:])  # type: ignore[arg-type]
    return work.patrol_cycles(tracked, kept, now)


def test_patrol_cycles_are_rebuilt_when_a_row_moves(counted_cycles: list[int]) -> None:
    tracked = TrackedRows(by_database_and_id(0, 1))
    closed = sql_time(NOW - timedelta(minutes=1))
    first = read_cycles(tracked, rows_at(closed), None, NOW)
    quiet = Changes(NOW + timedelta(seconds=1), {})
    assert read_cycles(tracked, rows_at(closed), quiet, quiet.at) is first
    assert counted_cycles == [1]
    more = ("hq", "hq-p2", "witness", "Patrol", "closed", closed, closed)
    changed = Changes(NOW + timedelta(seconds=2), {("hq", "issues"): frozenset({"hq-p2"})})
    after = read_cycles(tracked, rows_at(closed, more), changed, changed.at)
    assert counted_cycles == [1, 1] and len(after.samples) == 2


def test_a_reading_that_skipped_a_row_is_judged_again_as_the_clock_moves(
    counted_cycles: list[int],
) -> None:
    tracked = TrackedRows(by_database_and_id(0, 1))
    ahead = NOW + timedelta(seconds=h.CLOCK_SKEW_S + 30)  # closed "in the future"
    first = read_cycles(tracked, rows_at(sql_time(ahead)), None, NOW)
    assert first.skipped == 1 and not first.samples
    later = ahead - timedelta(seconds=h.CLOCK_SKEW_S)
    again = read_cycles(tracked, rows_at(sql_time(ahead)), Changes(later, {}), later)
    assert counted_cycles == [1, 1]  # the rows stood, but the skip was judged again
    assert again.skipped == 0 and len(again.samples) == 1


# ---- tmux list-sessions --------------------------------------------------------------------


class Lister:
    """`sessions_now` step by step on a real tmux socket, one second apart; the listings run
    are counted."""

    def __init__(self, socket: str) -> None:
        self.socket, self.runs, self.clock = socket, 0, FakeClock()
        self.listing: TmuxListing | None = None

    def _list(self):  # type: ignore[no-untyped-def]
        self.runs += 1
        return list_sessions(self.socket)

    def step(self, seconds: float = STEP) -> list[str]:
        self.clock.advance(seconds)
        self.listing = sessions_now(self.listing, from_proc(), self.clock(), self._list)
        return sorted(s.name for s in self.listing.sessions)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="Linux /proc only")
def test_tmux_is_listed_again_only_when_a_pane_comes_or_goes(tmux_socket: str) -> None:
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep", "600")
    lister = Lister(tmux_socket)
    assert lister.step() == ["gt-Toast"] and lister.step() == ["gt-Toast"]
    assert lister.runs == 2  # the first listing, then one with the server's mark before it
    for _ in range(3):
        assert lister.step() == ["gt-Toast"]
    assert lister.runs == 2  # nothing moved: no tmux run (our own runs' sockets do not count)
    # A pane that ignores the hangup outlives its session: the closed pty still says so.
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Nux", "trap '' HUP; sleep 600")
    assert lister.step() == ["gt-Nux", "gt-Toast"] and lister.runs == 3
    tmux(tmux_socket, "kill-session", "-t", "gt-Nux")
    assert lister.step() == ["gt-Toast"] and lister.runs == 4
    tmux(tmux_socket, "rename-session", "-t", "gt-Toast", "gt-Furiosa")  # moves no mark
    assert lister.step() == ["gt-Toast"] and lister.runs == 4
    assert lister.step(TMUX_LIST_MAX_AGE_S) == ["gt-Furiosa"] and lister.runs == 5  # the floor


def test_tmux_is_listed_every_time_without_a_server_to_mark(tmux_socket: str) -> None:
    lister = Lister(tmux_socket)  # no server: nothing to mark, and no tmux run either
    assert lister.step() == [] and lister.step() == [] and lister.runs == 2
