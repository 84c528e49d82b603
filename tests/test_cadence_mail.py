"""Mail on a cadence (issue 12): held while hq is quiet, its lags leaving their window by
time as a fresh read drops them, read at once when hq is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cadence_fixtures import BACKENDS, STEP, Town, known_town
from clock import NOW

from gt_tui.engine.snapshot import Snapshot
from gt_tui.settings import Settings


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Town]:
    yield from known_town(request, tmp_path)


def lags(snap: Snapshot) -> list[tuple[str, float]]:
    return sorted((s.subject, s.value) for s in snap.metric("mail_lag").samples)


def test_held_mail_lags_leave_the_window_as_a_fresh_read_drops_them(town: Town) -> None:
    built, clock = town.built, town.clock
    window = Settings.defaults().number("metrics.window")
    hq = built.writer()
    edge = clock.now - timedelta(seconds=window - 3)  # leaves the window 3 s from now
    hq.send_mail(sender="mayor/", recipient="deacon/", subject="old", id="hq-edge",
                 created_at=edge - timedelta(seconds=5))  # fmt: skip
    hq.ack_mail("hq-edge", "deacon/", edge)
    engine = town.engine()
    assert ("hq-edge", 5.0) in lags(engine.refresh())
    for _ in range(5):
        clock.advance(STEP)
        snap = engine.refresh()
        assert "mail" in snap.engine.held
        assert lags(snap) == lags(town.engine().refresh())
    assert ("hq-edge", 5.0) not in lags(snap)  # gone by time, no read


def test_mail_is_read_at_once_when_hq_is_written(town: Town) -> None:
    built, clock = town.built, town.clock
    engine = town.engine()
    backlog = engine.refresh().town.mail_backlog
    hq = built.writer()
    clock.advance(STEP)
    hq.send_mail(sender="mayor/", recipient="deacon/", subject="new", id="hq-new",
                 created_at=clock.now)  # fmt: skip
    snap = engine.refresh()
    assert "mail" not in snap.engine.held and snap.town.mail_backlog == (backlog or 0) + 1
    clock.advance(STEP)
    hq.ack_mail("hq-new", "deacon/", clock.now)
    snap = engine.refresh()
    assert "mail" not in snap.engine.held and ("hq-new", 1.0) in lags(snap)
    assert snap.town.mail_backlog == backlog and lags(snap) == lags(town.engine().refresh())
    clock.advance(STEP)
    built.writer("gastown").add_issue(built.databases["gastown"], "gt-x", "x", created_at=NOW)
    assert "mail" in engine.refresh().engine.held  # a rig's write: no message there
