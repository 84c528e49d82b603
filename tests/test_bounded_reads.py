"""Server reads that follow the town's change (issue 12): the readers that keep rows across
refreshes show exactly what a fresh read shows, after every kind of write bd makes, late
closes included; and a steady refresh reads what changed, not the town's history.

The figures of an engine that has been following the town are compared with those of a
new engine's first (full) read of the same town at the same moment: any drift is a bug.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clock import NOW, FakeClock
from sqlserver import SQLServer
from towns import (
    CONVOY_QUERIES,
    MAIL_QUERIES,
    BuiltTown,
    add_known_mail,
    add_known_patrols,
    build_town,
)

from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.db import Database
from gt_tui.town.server_reads import ServerReads

BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]


class Fleet:
    """The town under test and the engines opened on it (all closed afterwards)."""

    def __init__(self, built: BuiltTown) -> None:
        self.built, self.engines = built, list[Engine]()

    def engine(self, clock: FakeClock[datetime]) -> Engine:
        settings = Settings.defaults()
        town = self.built.town()
        db = open_database(town, settings, read_only=True)
        engine = Engine(town, db, settings, read_only=True, clock=clock)
        self.engines.append(engine)
        return engine

    def fresh_figures(self, clock: FakeClock[datetime]) -> dict[str, Any]:
        """What a new engine's first refresh reads at this moment."""
        return figures(self.engine(clock).refresh())


@pytest.fixture(params=BACKENDS)
def fleet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fleet]:
    server = request.getfixturevalue("mariadb") if request.param == "mysql" else None
    built = build_town(tmp_path / "town", request.param, server=server)
    add_known_mail(built, NOW)
    add_known_patrols(built, NOW)
    made = Fleet(built)
    yield made
    for engine in made.engines:
        engine.close()
    built.close()


def figures(snap: Snapshot) -> dict[str, Any]:
    """Every figure the tracked readers feed, in a form two snapshots compare by."""
    metric = {m.key: sorted((s.subject, s.value) for s in m.samples) for m in snap.metrics}
    facts = snap.town
    return {
        "mail_lag": metric["mail_lag"],
        "patrol_cycle": sorted(
            (s.group, s.value) for m in snap.metrics if m.key == "patrol_cycle" for s in m.samples
        ),
        "mail_backlog": facts.mail_backlog,
        "errors": [e.source for e in snap.errors],
    }


def sling_context(built: BuiltTown, bead: str, at: datetime) -> None:
    """A sling context as gt's scheduler writes it (an ephemeral bead in hq)."""
    description = json.dumps({"work_bead_id": "gt-w1", "target_rig": "gastown",
                              "enqueued_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})  # fmt: skip
    built.writer().add_issue(
        built.hq, bead, "sling", created_at=at, table="wisps", labels=["gt:sling-context"],
        description=description,
    )  # fmt: skip


def merge_request(built: BuiltTown, bead: str, at: datetime) -> None:
    built.writer("gastown").add_issue(
        built.databases["gastown"], bead, "merge gt-w1", created_at=at,
        labels=["gt:merge-request"],
    )  # fmt: skip


def test_every_write_is_followed_exactly_late_closes_included(fleet: Fleet) -> None:
    clock = FakeClock()
    engine = fleet.engine(clock)
    engine.refresh()
    hq, built = fleet.built.writer(), fleet.built

    def step(write: Any) -> Snapshot:
        clock.advance(2)
        write(clock.now)
        snap = engine.refresh()
        assert figures(snap) == fleet.fresh_figures(clock), write.__name__
        return snap

    def close_the_running_patrol(now: datetime) -> None:  # hooked at now-300 s: a late close
        running = [r for r in built.db.query(f"SELECT id, status FROM `{built.hq}`.wisps")
                   if r[1] == "hooked"]  # fmt: skip
        hq.close_patrol(running[0][0], now, "all green")

    def send_a_message(now: datetime) -> None:
        hq.send_mail(sender="mayor/", recipient="deacon/", subject="new", created_at=now,
                     id="hq-new1")  # fmt: skip

    def ack_it(now: datetime) -> None:
        hq.ack_mail("hq-new1", "deacon/", now)

    def send_and_close_one_unread(now: datetime) -> None:
        hq.send_mail(sender="mayor/", recipient="deacon/", subject="gone", created_at=now,
                     id="hq-gone")  # fmt: skip
        hq.close_issue(built.hq, "hq-gone", now, "archived")

    before = engine.refresh().town.mail_backlog or 0
    snap = step(close_the_running_patrol)
    assert ("deacon/", 302.0) in figures(snap)["patrol_cycle"]  # created before the window
    assert step(send_a_message).town.mail_backlog == before + 1
    snap = step(ack_it)
    assert snap.town.mail_backlog == before and ("hq-new1", 2.0) in figures(snap)["mail_lag"]
    assert step(send_and_close_one_unread).town.mail_backlog == before


def test_the_queue_and_merge_requests_follow_each_write(fleet: Fleet) -> None:
    clock = FakeClock()
    engine = fleet.engine(clock)
    built = fleet.built
    assert engine.refresh().engine.queue_depth == 0
    clock.advance(2)
    sling_context(built, "hq-wisp-s1", clock.now)
    merge_request(built, "gt-mr1", clock.now)
    engine.refresh()
    assert (engine.facts.queue_depth, len(engine.facts.merge_requests)) == (1, 1)
    clock.advance(2)
    built.writer().close_issue(built.hq, "hq-wisp-s1", clock.now, "circuit-broken", table="wisps")
    built.writer("gastown").close_issue(built.databases["gastown"], "gt-mr1", clock.now, "merged")
    engine.refresh()
    assert (engine.facts.queue_depth, engine.facts.dispatch_failures) == (0, 1)
    assert engine.facts.merge_requests == []
    # The failure leaves the count once the window has moved past it, with no write at all.
    clock.advance(Settings.defaults().number("metrics.window") + 2)
    engine.refresh()
    assert engine.facts.dispatch_failures == 0


def test_a_steady_refresh_in_which_nothing_changed_reads_no_tracked_table(fleet: Fleet) -> None:
    clock = FakeClock()
    engine = fleet.engine(clock)
    engine.refresh()
    clock.advance(2)
    first = engine.refresh().engine.queries  # the events stamped at the baseline are seen
    clock.advance(2)
    steady = engine.refresh().engine.queries
    clock.advance(2)
    fleet.built.writer().send_mail(sender="mayor/", recipient="deacon/", subject="s",
                                   created_at=clock.now)  # fmt: skip
    snap = engine.refresh()
    # A change costs the lookups of the readers that keep rows (4 at most), no more, and a
    # change in hq the reads of mail and of the convoy view (a new bead there may be one).
    assert not {"mail", "convoys"} & set(snap.engine.held)
    changed = snap.engine.queries - MAIL_QUERIES - CONVOY_QUERIES
    assert first == steady and steady < changed <= steady + 4


def test_a_deleted_bead_is_healed_by_the_next_full_read(fleet: Fleet) -> None:
    """A bead deleted outright leaves no event behind (its events go with it): the kept
    rows hold it until the schema is read again (15 min, or a cache clear)."""
    clock = FakeClock()
    engine = fleet.engine(clock)
    built = fleet.built
    backlog = engine.refresh().town.mail_backlog
    pending = built.db.query(
        f"SELECT m.id FROM `{built.hq}`.issues m JOIN `{built.hq}`.labels l"
        " ON l.issue_id = m.id AND l.label = %s WHERE m.status <> %s"
        f" AND NOT EXISTS (SELECT 1 FROM `{built.hq}`.labels k WHERE k.issue_id = m.id"
        " AND k.label = %s)",
        ["delivery:pending", "closed", "delivery:acked"],
    )
    delete_bead(built.db, built.hq, str(pending[0][0]))
    clock.advance(2)
    assert engine.refresh().town.mail_backlog == backlog
    engine.cache.clear()
    assert engine.refresh().town.mail_backlog == (backlog or 0) - 1


def delete_bead(db: Database, database: str, bead: str) -> None:
    for table in ("labels", "events"):
        db.execute(f"DELETE FROM `{database}`.{table} WHERE issue_id = %s", [bead])
    db.execute(f"DELETE FROM `{database}`.issues WHERE id = %s", [bead])


# -- what the server reads -----------------------------------------------------------------


def rows_read(reads: ServerReads, engine: Engine) -> int:
    """Rows the server read during one refresh (server-wide; this test is alone on it)."""
    before = reads.total()
    engine.refresh()
    return reads.since(before).rows


def add_history(built: BuiltTown, count: int) -> None:
    """`count` old patrol cycles, closed long before the window, and as many messages
    acked long ago and left open (never read): a full backlog read must look at those."""
    hq, old = built.writer(), NOW - timedelta(days=3)
    hq.past_events = True  # stamped when it happened, as a town's history is
    for i in range(count):
        at = old - timedelta(minutes=i)
        wisp = hq.open_patrol("deacon", "deacon/", at)
        hq.close_patrol(wisp, at + timedelta(seconds=20), "all green")
        mail = hq.send_mail(sender="mayor/", recipient="deacon/", subject=f"old {i}",
                            created_at=at)  # fmt: skip
        hq.ack_mail(mail, "deacon/", at + timedelta(seconds=1))
    hq.past_events = False


@pytest.mark.mariadb
def test_steady_server_reads_follow_change_not_history(mariadb: SQLServer, tmp_path: Path) -> None:
    towns = []
    try:
        for name, history in (("short", 0), ("long", 100)):
            built = build_town(tmp_path / name, "mysql", server=mariadb)
            towns.append(built)
            add_known_mail(built, NOW)
            add_known_patrols(built, NOW)
            add_history(built, history)
        reads = {}
        for built in towns:
            fleet = Fleet(built)
            clock = FakeClock()
            engine = fleet.engine(clock)
            counters = ServerReads.beside(engine.db)
            assert counters is not None
            counters.calibrate()
            first = rows_read(counters, engine)
            clock.advance(2)
            engine.refresh()  # the baseline's own margin
            steady = []
            for _ in range(3):  # the least: a plan MariaDB picks on a small table's fresh
                clock.advance(2)  # statistics now and then scans it whole
                steady.append(rows_read(counters, engine))
            reads[built.root.name] = (first, min(steady))
            counters.close()
            engine.close()
        # The first read of the long history costs more (the backlog's full read looks at
        # every open message); the steady refresh does not see the history at all.
        assert reads["long"][0] > reads["short"][0] + 100
        assert abs(reads["long"][1] - reads["short"][1]) <= 20, reads
    finally:
        for built in towns:
            built.close()


def test_a_write_committed_after_a_later_stamp_is_still_seen(fleet: Fleet) -> None:
    """bd's transactions commit after their events are stamped: an event stamped a few
    seconds before the last read is read all the same (engine MARGIN)."""
    clock = FakeClock()
    engine = fleet.engine(clock)
    hq = fleet.built.writer()
    engine.refresh()
    clock.advance(10)
    hq.send_mail(sender="mayor/", recipient="deacon/", subject="a", created_at=clock.now)
    backlog = engine.refresh().town.mail_backlog or 0
    late = hq.send_mail(sender="mayor/", recipient="deacon/", subject="b", created_at=clock.now)
    stamp_before_now(fleet.built, late, seconds=5)
    clock.advance(2)
    assert engine.refresh().town.mail_backlog == backlog + 1
    assert figures(engine.refresh()) == fleet.fresh_figures(clock)


def stamp_before_now(built: BuiltTown, bead: str, seconds: int) -> None:
    """Stamp a bead's events `seconds` before the server's clock, in the server's frame."""
    if built.backend == "mysql":
        moment, params = "CURRENT_TIMESTAMP - INTERVAL %s SECOND", [seconds]
    else:
        moment, params = "datetime('now', %s)", [f"-{seconds} seconds"]
    built.db.execute(
        f"UPDATE `{built.hq}`.events SET created_at = {moment} WHERE issue_id = %s",
        [*params, bead],
    )
