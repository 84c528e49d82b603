"""Fault: the database server is killed (SIGKILL) under the wall monitor and started again.

A server of the test's own (never the session's shared one) is killed mid-run; the wall must
read it as an outage (every database figure stale, with the reason and since when), keep
running, and recover by itself once the server is back, with the same figures as before.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faultkit import kill_server, restart_server
from helpers import missing
from snapshots_fixtures import wait_for
from sqlserver import SQLServer, find_server, start_server
from towns import BuiltTown, add_known_mail, add_known_patrols, build_town

from gt_tui.engine.facade import EngineFacade
from gt_tui.modes import open_engine
from gt_tui.ui.app import GtTuiApp

pytestmark = [pytest.mark.faults, pytest.mark.mariadb]

DB_METRICS = ("dolt_latency", "mail_lag", "convoy_refresh", "patrol_cycle")


@pytest.fixture
def own_server() -> Iterator[SQLServer]:
    found = find_server()
    if found is None:
        missing("no SQL server: install mariadb-server")
    server = start_server(*found)
    yield server
    server.stop()


@pytest.fixture
def town(tmp_path: Path, own_server: SQLServer) -> Iterator[BuiltTown]:
    built = build_town(tmp_path / "town", "mysql", "v1.0.5", server=own_server)
    now = datetime.now(UTC)
    add_known_mail(built, now)
    add_known_patrols(built, now)
    built.db.close()  # the admin handle must not hold connections across the kill
    yield built


def figures(snapshot) -> dict[str, tuple]:
    return {
        k: (snapshot.metric(k).count, snapshot.metric(k).p95) for k in ("mail_lag", "patrol_cycle")
    }


async def test_server_killed_and_restarted_under_the_wall(
    town: BuiltTown, own_server: SQLServer
) -> None:
    engine = open_engine(town.root, argparse.Namespace(set=[]), mode="live", read_only=True)
    app = GtTuiApp(EngineFacade(engine), wall=True, refresh_interval=0.5)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.snapshot is not None and not app.snapshot.errors)
            good = app.snapshot
            assert good is not None and good.metric("mail_lag").count == 3

            argv = kill_server(own_server)
            killed_at = datetime.now(UTC)
            await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.dolt.error), 3000)
            outage = app.snapshot
            await pilot.pause(2.0)  # a few more refreshes against a dead server
            still = app.snapshot

            restart_server(own_server, argv)
            restarted = time.monotonic()
            await wait_for(pilot, lambda: bool(app.snapshot and not app.snapshot.errors), 3000)
            recovery_s = time.monotonic() - restarted
            back = app.snapshot
    finally:
        engine.close()

    print(f"killed: recovered {recovery_s:.1f} s after the restart")
    for snap in (outage, still):
        assert snap is not None and snap.dolt.error
        assert snap.dolt.error_since is not None and snap.dolt.error_since >= killed_at
        assert all(snap.metric(k).stale for k in DB_METRICS)
        assert figures(snap) == figures(good)  # the last good values, kept
    assert back is not None and all(not back.metric(k).stale for k in DB_METRICS)
    assert figures(back) == figures(good)
