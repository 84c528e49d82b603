"""A server that reaps idle sessions and runs in another time zone, as gt's Dolt may.

A dedicated MariaDB (never the session's shared one: its GLOBAL settings stay as they are)
starts with `--wait-timeout=2` and `--default-time-zone=+05:00`. The console must keep every
metric fresh while the server closes its idle connections, and read the same figures as on
a UTC server: every time it compares is written by gt/bd from Go, in UTC.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clock import FakeClock
from helpers import missing
from sqlserver import SQLServer, find_server, start_server
from test_dolt_session import plain
from test_engine import Towns, figures
from towns import NOW, add_known_convoys, add_known_mail, add_known_patrols, build_town

from gt_tui.export.style import DEFAULT_PALETTE
from gt_tui.export.window import zoom_summary
from gt_tui.town.db import MySQLDatabase
from gt_tui.town.server import ServerStatus, idle_limit

# the fault suite (`make faults`); one worker starts `reaper` once for the whole module
pytestmark = [pytest.mark.mariadb, pytest.mark.faults, pytest.mark.xdist_group("reaper")]
WAIT_TIMEOUT = 2
ZONE = "+05:00"


@pytest.fixture(scope="module")
def reaper() -> Iterator[SQLServer]:
    """A private MariaDB that closes sessions idle for 2 s, in zone +05:00."""
    found = find_server()
    if found is None or found[0] != "mariadb":
        missing("needs MariaDB for --wait-timeout/--default-time-zone")
    server = start_server(*found, (f"--wait-timeout={WAIT_TIMEOUT}", f"--default-time-zone={ZONE}"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Towns]:
    made = Towns(request, tmp_path)
    yield made
    made.close()


def known_on(towns: Towns, server: SQLServer, name: str):
    built = build_town(towns.tmp_path / name, "mysql", "v1.0.5", server=server)
    towns.built.append(built)
    add_known_mail(built, NOW)
    add_known_convoys(built, NOW)
    add_known_patrols(built, NOW)
    return built


def test_the_idle_rule() -> None:
    gt_dolt = ServerStatus("dolt", "1.43.0", wait_timeout=30)
    assert idle_limit(600.0, gt_dolt) == 20.0  # 30 s less a 10 s margin
    assert idle_limit(600.0, ServerStatus("dolt", "", wait_timeout=28800)) == 30.0  # the ~40 s drop
    assert idle_limit(600.0, ServerStatus("mysql", "", wait_timeout=28800)) == 600.0
    assert idle_limit(5.0, gt_dolt) == 5.0  # a shorter setting stands
    assert idle_limit(600.0, ServerStatus("mysql", "", wait_timeout=2)) == 1.0  # half of 2 s
    assert idle_limit(600.0, ServerStatus("mysql", "")) == 600.0  # unknown: the setting


def test_the_pool_idles_less_than_the_server_allows(towns: Towns, reaper: SQLServer) -> None:
    built = known_on(towns, reaper, "idle")
    engine = towns.engine(built.town(), FakeClock())
    engine.refresh()
    assert engine.server is not None and engine.server.wait_timeout == WAIT_TIMEOUT
    assert engine.db.pool.limits.max_idle_time < WAIT_TIMEOUT


def test_refreshes_4s_apart_never_go_stale(towns: Towns, reaper: SQLServer) -> None:
    """About a minute of refreshes on a server that closes a session idle 2 s; beside the
    engine, a plain pool with the default 10 min idle time meets a closed connection on
    every query and must retry each once on a new one."""
    built = known_on(towns, reaper, "reaped")
    engine = towns.engine(built.town(), FakeClock())
    stubborn = MySQLDatabase(reaper.endpoint)
    try:
        assert stubborn.query("SELECT 1") == [(1,)]
        for _ in range(15):
            time.sleep(4)
            snap = engine.refresh()
            assert snap.errors == (), snap.errors
            assert all(not m.stale and m.error is None for m in snap.metrics)
            assert figures(snap.metric("mail_lag"))[0] == 3
            assert stubborn.query("SELECT 1") == [(1,)]  # retried, never an error
        assert stubborn.pool.stats().created == 16  # every query after a sleep reconnected
    finally:
        stubborn.close()


def test_the_same_figures_in_another_time_zone(
    towns: Towns, reaper: SQLServer, mariadb: SQLServer
) -> None:
    readings = {}
    for server, name in ((reaper, "plus5"), (mariadb, "utc")):
        built = known_on(towns, server, name)
        engine = towns.engine(built.town(), FakeClock())
        engine.refresh()
        snap = engine.refresh()
        assert snap.errors == ()
        readings[name] = snap
    (zone, shift) = towns.built[0].db.query(
        "SELECT @@time_zone, TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())"
    )[0]
    assert (zone, shift) == (ZONE, 300)  # the server's clock really runs 5 h ahead
    plus5, utc = readings["plus5"], readings["utc"]
    for key in ("mail_lag", "patrol_cycle"):
        assert figures(plus5.metric(key)) == figures(utc.metric(key)), key
        assert figures(plus5.metric(key))[0] == 3
    assert (plus5.town.convoys_open, plus5.town.mail_backlog) == (2, 2)
    assert plus5.dolt.time_zone == ZONE
    zoom = plain(zoom_summary(plus5.metric("dolt_latency"), NOW, DEFAULT_PALETTE, plus5.dolt))
    assert f"server zone {ZONE}" in " ".join(zoom.split())  # column width varies
