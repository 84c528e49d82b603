"""Sources read on a cadence (issue 12): not read between their due times, read at once when
their signal fires, figures equal to a fresh full read after every write, and a failure
shown at once (engine/cadence.py, `CADENCES` beside `READERS`).

Counts, never time: the engine's clock is a FakeClock, and reads are counted (round trips,
the convoy view's samples, the names of the held sources). Mail: test_cadence_mail.py; the
host side: test_cadence_host.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cadence_fixtures import BACKENDS, STEP, Town, convoy_figures, known_town
from towns import CONVOY_QUERIES, MAIL_QUERIES, QUERIES_PER_REFRESH

from gt_tui.engine.engine import Engine
from gt_tui.engine.readers import CADENCES
from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.json import render_json
from gt_tui.sandbox.rows import tracking_target
from gt_tui.town.heartbeats import IDLE, WORKING, write_heartbeat
from gt_tui.town.layout import heartbeat_file


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Town]:
    yield from known_town(request, tmp_path)


def convoys_of(engine: Engine) -> list[Any]:
    return sorted(engine.facts.convoys, key=lambda c: c.id)


# ---- not read between its due times --------------------------------------------------------


def test_a_source_on_a_cadence_is_not_read_between_its_due_times(town: Town) -> None:
    engine, clock = town.engine(), town.clock
    backend = town.built.backend
    engine.refresh()
    period = CADENCES["convoys"].max_age_s
    assert {c.max_age_s for c in CADENCES.values()} == {period}  # the loop steps through all
    for _ in range(int(period / STEP) - 1):
        clock.advance(STEP)
        before = engine.db.round_trips
        snap = engine.refresh()
        assert snap.engine.held == ("mail", "convoys", "files")
        assert engine.db.round_trips - before == snap.engine.queries
        assert snap.engine.queries == QUERIES_PER_REFRESH[backend]  # no mail, no convoy query
        assert snap.metric("convoy_refresh").count == 1  # no sample made up for a hold
        assert snap.town.convoys_open == 2 and snap.town.polecats == 3  # the last reading
        assert json.loads(render_json(snap))["engine"]["held"] == ["mail", "convoys", "files"]
    clock.advance(STEP)  # the last read is now `max_age_s` old: all are read again
    snap = engine.refresh()
    assert snap.engine.held == ()
    assert snap.engine.queries == QUERIES_PER_REFRESH[backend] + MAIL_QUERIES + CONVOY_QUERIES
    assert snap.metric("convoy_refresh").count == 2  # a real rebuild, a real timing


def test_a_clock_that_goes_back_reads_again(town: Town) -> None:
    engine, clock = town.engine(), town.clock
    engine.refresh()
    clock.advance(-STEP)
    assert engine.refresh().engine.held == ()


# ---- the convoy view: read at once when the feed names its beads ---------------------------


def test_the_convoy_view_follows_every_write_exactly(town: Town) -> None:
    built, clock = town.built, town.clock
    engine = town.engine()
    engine.refresh()
    hq, gastown = built.writer(), built.writer("gastown")
    rig = built.databases["gastown"]

    def step(write: Any, *, rebuilt: bool) -> Snapshot:
        clock.advance(STEP)
        write(clock.now)
        snap = engine.refresh()
        assert ("convoys" not in snap.engine.held) is rebuilt, write.__name__
        assert convoy_figures(snap) == town.fresh(), write.__name__
        assert convoys_of(engine) == convoys_of(town.engines[-1]), write.__name__
        return snap

    def close_a_tracked_rig_issue(now: datetime) -> None:  # hq-cv-a's gt-a2
        gastown.close_issue(rig, "gt-a2", now, "done")

    def change_an_untracked_rig_issue(now: datetime) -> None:  # nothing the view rests on
        gastown.add_issue(rig, "gt-loose", "not tracked", created_at=now)

    def launch_a_convoy_on_an_issue_not_created_yet(now: datetime) -> None:
        hq.create_convoy("hq-cv-d", "Work: D", ["gt-later"], created_at=now)

    def create_that_issue(now: datetime) -> None:  # a rig write the view rests on
        gastown.add_issue(rig, "gt-later", "later", created_at=now, status="closed",
                          closed_at=now)  # fmt: skip

    def track_one_more(now: datetime) -> None:  # `bd dep add`: the edge and its event
        hq.add_dependency(built.hq, "hq-cv-b", tracking_target("gt-loose"), "tracks",
                          created_at=now)  # fmt: skip
        hq._event(built.hq, "", "hq-cv-b", "dependency_added", "mayor", now)  # bd's, on the convoy

    def stage_a_convoy(now: datetime) -> None:
        hq.create_convoy("hq-cv-e", "Work: E", ["gt-a1"], created_at=now, status="staged_ready")

    def land_a_convoy(now: datetime) -> None:
        hq.close_issue(built.hq, "hq-cv-a", now, "landed")

    assert convoys_of(engine)[0].closed == 2
    step(close_a_tracked_rig_issue, rebuilt=True)
    assert convoys_of(engine)[0].closed == 3
    step(change_an_untracked_rig_issue, rebuilt=False)
    step(launch_a_convoy_on_an_issue_not_created_yet, rebuilt=True)
    step(create_that_issue, rebuilt=True)
    assert [c.closed for c in convoys_of(engine) if c.id == "hq-cv-d"] == [1]
    step(track_one_more, rebuilt=True)
    assert [c.tracked for c in convoys_of(engine) if c.id == "hq-cv-b"] == [2]
    assert step(stage_a_convoy, rebuilt=True).town.convoys_staged == 1
    assert step(land_a_convoy, rebuilt=True).town.convoys_open == 2  # hq-cv-b and hq-cv-d


def test_a_quiet_town_keeps_the_convoy_metric_sampled_by_real_rebuilds(town: Town) -> None:
    engine, clock = town.engine(), town.clock
    period = CADENCES["convoys"].max_age_s
    for _ in range(3):
        engine.refresh()
        clock.advance(period)
    snap = engine.refresh()
    assert snap.metric("convoy_refresh").count == 4  # one per period, each a rebuild
    assert all(
        s.subject == "convoy view" and s.value > 0 for s in snap.metric("convoy_refresh").samples
    )


# ---- the files reader: read at once when a stat says a file changed -------------------------


def test_the_files_reader_follows_directories_and_heartbeats(town: Town) -> None:
    engine, clock = town.engine(), town.clock
    model = engine.town
    rig = model.rigs[0]
    assert engine.refresh().town.polecats == 3

    def refresh() -> Snapshot:
        clock.advance(STEP)
        return engine.refresh()

    assert "files" in refresh().engine.held
    (model.polecats_dir(rig) / "Pool0").mkdir()
    snap = refresh()
    assert "files" not in snap.engine.held and snap.town.polecats == 4
    write_heartbeat(model, rig.session_name("Pool0"), IDLE, "pooled")
    snap = refresh()
    assert "files" not in snap.engine.held and snap.town.polecats_idle == 1
    assert "files" in refresh().engine.held
    write_heartbeat(model, rig.session_name("Pool0"), WORKING, "taken")
    assert refresh().town.polecats_idle == 0
    in_place = heartbeat_file(model.root, rig.session_name("Pool0"))  # no rename: its own mark
    in_place.write_text(json.dumps({"timestamp": "2026-03-02T12:00:00Z", "state": IDLE}))
    assert refresh().town.polecats_idle == 1
    heartbeat = model.root / "deacon" / "heartbeat.json"
    heartbeat.write_text(json.dumps({"timestamp": "2026-03-02T11:59:00Z"}))
    clock.advance(STEP)
    engine.refresh()
    assert engine.facts.deacon_heartbeat == datetime.fromisoformat("2026-03-02T11:59:00+00:00")
    (model.polecats_dir(rig) / "Pool0").rmdir()
    assert refresh().town.polecats == 3


# ---- a failure shows at once ----------------------------------------------------------------


def test_a_failing_source_on_a_cadence_shows_at_once_and_is_never_held(town: Town) -> None:
    engine, clock = town.engine(), town.clock
    engine.refresh()
    heartbeat = engine.town.root / "deacon" / "heartbeat.json"
    heartbeat.unlink(missing_ok=True)
    os.mkfifo(heartbeat)
    clock.advance(STEP)
    snap = engine.refresh()
    assert [e.source for e in snap.errors] == ["files"]
    snap = engine.refresh()  # the same moment: still shown, not held behind a cadence
    assert [e.source for e in snap.errors] == ["files"] and "files" not in snap.engine.held
    heartbeat.unlink()
    clock.advance(60)  # past the failing source's backoff
    snap = engine.refresh()
    assert snap.errors == () and snap.engine.held == ()
    clock.advance(STEP)
    assert engine.refresh().engine.held == ("mail", "convoys", "files")


def test_a_database_failure_reaches_the_held_convoy_view_at_once(town: Town) -> None:
    """A table gone fails the change feed (it vouches for each issues table), so the view
    is read, and fails, in the same refresh."""
    built, clock = town.built, town.clock
    engine = town.engine()
    engine.refresh()
    clock.advance(STEP)
    assert "convoys" in engine.refresh().engine.held
    hq = built.hq
    rename = "ALTER TABLE {db}.{a} RENAME TO {b}"
    if built.backend == "mysql":
        rename = "RENAME TABLE `{db}`.`{a}` TO `{db}`.`{b}`"
    built.db.execute(rename.format(db=hq, a="issues", b="issues_away"))
    clock.advance(STEP)
    snap = engine.refresh()
    failing = {e.source for e in snap.errors}
    assert {"changes", "convoys"} <= failing and "convoys" not in snap.engine.held
    assert "convoys_open" in snap.town.stale  # the last good view, marked stale
    built.db.execute(rename.format(db=hq, a="issues_away", b="issues"))
    clock.advance(60)
    snap = engine.refresh()
    assert snap.errors == () and convoy_figures(snap) == town.fresh()
