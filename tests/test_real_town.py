"""Issue 8's whole picture at once: a town of today's gt on a server that behaves as gt's Dolt.

A dedicated MariaDB with `wait_timeout=2` (gt runs Dolt with 30 s; idle sessions are reaped),
Dolt's session functions emulated in the town's databases (`active_branch()` resolves only
with a current database), reached through its Unix socket (named in `.beads/metadata.json`,
the TCP port closed), holding a town built with today's conventions (`towns_today`): every
figure reads exactly across refreshes spaced past the server's idle timeout, and
`gt-tui doctor` passes on it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builder.files import write_dolt_config
from helpers import missing
from sqlserver import SQLServer, find_server, free_port, start_server
from test_conventions import lay_out_today
from test_doctor import lines_by_name, run_doctor
from towns import NOW, BuiltTown, build_town, emulate_dolt
from towns_today import TODAY_RIGS, add_known_today

from gt_tui.engine.engine import Engine
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.endpoint import Endpoint

pytestmark = [pytest.mark.mariadb, pytest.mark.faults]

WAIT_TIMEOUT_S = 2


@pytest.fixture
def reaping_server() -> Iterator[SQLServer]:
    found = find_server()
    if found is None:
        missing("no SQL server: install mariadb-server")
    server = start_server(*found, extra_args=(f"--wait-timeout={WAIT_TIMEOUT_S}",))
    yield server
    server.stop()


@pytest.fixture
def today(tmp_path: Path, reaping_server: SQLServer) -> Iterator[BuiltTown]:
    built = build_town(tmp_path / "town", "mysql", server=reaping_server, rigs=TODAY_RIGS)
    add_known_today(built, NOW)
    lay_out_today(built)
    emulate_dolt(built.db, list(built.databases.values()))
    write_dolt_config(built.root, Endpoint("127.0.0.1", free_port()))  # TCP: nobody there
    meta = built.root / ".beads" / "metadata.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "dolt_server_socket": str(reaping_server.socket_path)}))
    yield built
    built.close()


def test_todays_town_on_a_reaping_dolt_through_the_socket(today: BuiltTown, tmp_path: Path) -> None:
    town = today.town()
    assert town.endpoint.transport == "socket"
    settings = Settings.defaults()
    engine = Engine(
        town,
        open_database(town, settings, read_only=True),
        settings,
        read_only=True,
        clock=lambda: NOW,
    )
    snapshots = []
    try:
        for _ in range(3):  # each gap outlives the server's idle timeout
            snapshots.append(engine.refresh())
            time.sleep(WAIT_TIMEOUT_S + 1.0)
    finally:
        engine.close()
    for snap in snapshots:
        assert snap.errors == ()
        assert (snap.dolt.server, snap.dolt.probe) == ("dolt", "SELECT active_branch()")
        assert snap.dolt.transport == "socket"
        assert (snap.town.convoys_open, snap.town.convoys_staged) == (1, 2)
        patrol = snap.metric("patrol_cycle")
        assert sorted((s.group, s.value) for s in patrol.samples) == [
            ("deacon/", 20.0),
            ("deacon/", 40.0),
            ("gastown/witness", 45.0),
        ]
        mayor = next(node for node in snap.bottlenecks if node.key == "mayor")
        assert mayor.facts[0] == "dispatch failures 1"

    done = run_doctor("--town", str(today.root), cwd=tmp_path, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = lines_by_name(done.stdout)
    assert checks["endpoint"][0] == "✓" and "socket" in checks["endpoint"][1]
    assert "active_branch" in checks["probe"][1]
