"""Dolt sessions on MariaDB: the hq database as every connection's current one, the probe and
its fallback, and the connection signals read from the one processlist query.

There is no Dolt binary here: `towns.emulate_dolt` creates `active_branch()` and
`dolt_version()` as stored functions in the town's databases, so (like Dolt's) they resolve
only in a session whose current database is one of them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from builder.files import write_dolt_config
from builder.schema import drop_database
from clock import FakeClock
from rich.console import Console
from sqlserver import SQLServer, free_port
from test_engine import Towns, figures
from towns import DOLT_VERSION, NOW, QUERIES_PER_REFRESH, emulate_dolt

from gt_tui.errors import SourceUnavailable
from gt_tui.export.header_view import header_line
from gt_tui.export.json import render_json
from gt_tui.export.style import DEFAULT_PALETTE, ViewState
from gt_tui.export.window import zoom_summary
from gt_tui.health import Health
from gt_tui.town.db import MySQLDatabase
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.layout import resolve_socket

pytestmark = pytest.mark.mariadb


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Towns]:
    made = Towns(request, tmp_path)
    yield made
    made.close()


def plain(renderable: object) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_emulated_dolt_needs_a_current_database(towns: Towns, mariadb: SQLServer) -> None:
    built = towns.make("mysql")
    emulate_dolt(built.db, [built.hq])
    nowhere = MySQLDatabase(mariadb.endpoint)
    on_hq = MySQLDatabase(mariadb.endpoint, database=built.hq)
    try:
        with pytest.raises(pymysql.err.OperationalError):  # 1046: no database selected
            nowhere.query("SELECT active_branch()")
        assert on_hq.query("SELECT active_branch(), dolt_version()") == [("main", DOLT_VERSION)]
    finally:
        nowhere.close()
        on_hq.close()


def test_on_dolt_every_reader_runs_and_every_figure_is_there(towns: Towns) -> None:
    built = towns.known("mysql", "v1.0.5")
    emulate_dolt(built.db, list(built.databases.values()))
    engine = towns.engine(built.town(), FakeClock())
    engine.refresh()
    snap = engine.refresh()

    assert snap.errors == ()
    assert (snap.dolt.server, snap.dolt.version) == ("dolt", DOLT_VERSION)
    assert (snap.dolt.probe, snap.dolt.probe_note) == ("SELECT active_branch()", "")
    assert engine.db.database == built.hq
    assert all(not m.stale and m.error is None for m in snap.metrics)
    assert figures(snap.metric("mail_lag")) == (
        3,
        4.0,
        pytest.approx(6.7),
        7.0,
        Health.WARNING,
    )  # few: median
    assert figures(snap.metric("patrol_cycle"))[:4] == (3, 45.0, pytest.approx(67.5), 70.0)
    assert snap.metric("dolt_latency").count == 2
    assert snap.town.convoys_open == 2 and snap.town.mail_backlog == 2
    assert "SELECT active_branch()" in snap.metric("dolt_latency").source
    assert snap.engine.queries == QUERIES_PER_REFRESH["mysql"]


def test_a_failing_dolt_probe_falls_back_to_select_1_and_says_so(towns: Towns) -> None:
    built = towns.known("mysql", "v1.0.0")
    emulate_dolt(built.db, [built.hq], branch_error="database not found")
    engine = towns.engine(built.town(), FakeClock())
    first = engine.refresh()
    snap = engine.refresh()

    for each in (first, snap):
        assert each.errors == () and each.dolt.server == "dolt"
        assert each.dolt.probe == "SELECT 1"
        assert "database not found" in each.dolt.probe_note
    latency = snap.metric("dolt_latency")
    assert latency.count == 2 and not latency.stale  # measuring goes on
    assert "fallback" in latency.source
    # the fallback is remembered: no failing round trip in every refresh
    assert snap.engine.queries == QUERIES_PER_REFRESH["mysql"]
    assert json.loads(render_json(snap))["dolt"]["probe"] == "SELECT 1"
    zoom = plain(zoom_summary(latency, NOW, DEFAULT_PALETTE, snap.dolt))
    assert "probe" in zoom and "SELECT 1  (fallback: `SELECT active_branch()` failed" in zoom


def test_a_missing_hq_database_does_not_blank_the_console(towns: Towns) -> None:
    built = towns.known("mysql", "v1.0.0")
    emulate_dolt(built.db, [built.databases["gastown"]])
    drop_database(built.db, built.hq)  # metadata names it, the server has none
    engine = towns.engine(built.town(), FakeClock())
    snap = engine.refresh()

    assert engine.db.database is None  # 1049 once: connections open on no database since
    assert snap.dolt.error is None and "dolt" not in {e.source for e in snap.errors}
    assert snap.dolt.connections is not None and snap.dolt.probe == "SELECT 1"
    assert snap.metric("dolt_latency").count == 1
    assert not snap.metric("polecat_spawn").stale  # the events file still reads


def test_connections_against_max_connections(towns: Towns, mariadb: SQLServer) -> None:
    built = towns.make("mysql")
    engine = towns.engine(built.town(), FakeClock())
    before = engine.refresh()
    assert before.dolt.new_connections_per_s is None  # nothing to compare with yet
    (max_connections,) = built.db.query("SELECT @@max_connections")[0]
    assert before.dolt.max_connections == max_connections
    ep = mariadb.endpoint
    extra = [pymysql.connect(host=ep.host, port=ep.port, user=ep.user) for _ in range(3)]
    try:
        after = engine.refresh()
        assert after.dolt.connections is not None and before.dolt.connections is not None
        assert after.dolt.connections >= before.dolt.connections + 3
        box = next(node for node in after.bottlenecks if node.key == "dolt")
        assert f"conns {after.dolt.connections}/{max_connections}" in box.facts
        assert any(fact.startswith("new conns ") for fact in box.facts)
        data = json.loads(render_json(after))["dolt"]
        assert data["max_connections"] == max_connections
        assert data["connections"] == after.dolt.connections
    finally:
        for conn in extra:
            conn.close()


def test_new_connections_per_second_from_the_highest_id(towns: Towns, mariadb: SQLServer) -> None:
    built = towns.make("mysql")
    engine = towns.engine(built.town(), FakeClock())
    started = time.monotonic()
    engine.refresh()
    ep, churn = mariadb.endpoint, 8
    for _ in range(churn):  # short-lived callers, as bd runs are
        pymysql.connect(host=ep.host, port=ep.port, user=ep.user).close()
    # A caller still connected (the processlist only lists live ones; see engine/churn.py).
    running = pymysql.connect(host=ep.host, port=ep.port, user=ep.user)
    try:
        snap = engine.refresh()
        elapsed = time.monotonic() - started  # at least the meter's own interval
        rate = snap.dolt.new_connections_per_s
        assert rate is not None and rate >= churn / elapsed
        assert json.loads(render_json(snap))["dolt"]["new_connections_per_s"] == round(rate, 6)
        zoom = plain(zoom_summary(snap.metric("dolt_latency"), NOW, DEFAULT_PALETTE, snap.dolt))
        assert f"{rate:.1f} new/s" in zoom
        quiet = engine.refresh()  # nobody new connected: the highest id did not grow
        assert quiet.dolt.new_connections_per_s == 0.0
    finally:
        running.close()


def test_a_town_whose_metadata_names_the_socket_reads_through_it(
    towns: Towns, mariadb: SQLServer
) -> None:
    built = towns.known("mysql", "v1.0.0")
    closed = free_port()  # TCP would fail: only the socket can answer
    write_dolt_config(built.root, Endpoint("127.0.0.1", closed))
    meta = built.root / ".beads" / "metadata.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "dolt_server_socket": str(mariadb.socket_path)}))
    town = built.town()
    assert (town.endpoint.port, town.endpoint.transport) == (closed, "socket")
    engine = towns.engine(town, FakeClock())
    snap = engine.refresh()

    assert snap.errors == () and snap.dolt.transport == "socket"
    assert figures(snap.metric("mail_lag"))[0] == 3
    (host,) = engine.db.query(
        "SELECT host FROM information_schema.PROCESSLIST WHERE id = CONNECTION_ID()"
    )[0]
    assert host == "localhost"  # a socket session; over TCP it would be 127.0.0.1:<port>
    assert json.loads(render_json(snap))["dolt"]["transport"] == "socket"
    header = header_line(snap, ViewState(now=NOW), DEFAULT_PALETTE, 200).plain
    assert f"root@127.0.0.1:{closed} (socket)" in header


def test_socket_resolution_follows_bd_and_gt(tmp_path: Path, mariadb: SQLServer) -> None:
    port = free_port()  # nothing listens there over TCP
    tcp = Endpoint("127.0.0.1", port)
    found = tmp_path / f"mysql.{port}.sock"
    assert resolve_socket(tcp, {}, {}, socket_dir=tmp_path).transport == "tcp"  # none there
    found.write_text("")  # a plain file is no socket
    assert resolve_socket(tcp, {}, {}, socket_dir=tmp_path).transport == "tcp"
    found.unlink()
    found.symlink_to(mariadb.socket_path)  # gt's /tmp/mysql.<port>.sock, here in tmp_path
    assert resolve_socket(tcp, {}, {}, socket_dir=tmp_path).socket == str(found)
    remote = Endpoint("10.1.2.3", port)
    assert resolve_socket(remote, {}, {}, socket_dir=tmp_path).transport == "tcp"
    meta = {"dolt_server_socket": "/run/dolt/meta.sock"}
    env = {"BEADS_DOLT_SERVER_SOCKET": "/run/dolt/env.sock"}
    assert resolve_socket(remote, meta, {}, socket_dir=tmp_path).socket == "/run/dolt/meta.sock"
    assert resolve_socket(tcp, meta, env, socket_dir=tmp_path).socket == "/run/dolt/env.sock"
    assert str(resolve_socket(tcp, meta, env)) == f"root@127.0.0.1:{port}"  # str() unchanged

    # read through the socket found by the loopback rule
    db = MySQLDatabase(resolve_socket(tcp, {}, {}, tmp_path))
    try:
        assert db.query("SELECT 1") == [(1,)]
    finally:
        db.close()


def test_a_missing_socket_says_which(tmp_path: Path) -> None:
    gone = str(tmp_path / "nobody.sock")
    db = MySQLDatabase(Endpoint("127.0.0.1", 3307, socket=gone))
    with pytest.raises(SourceUnavailable) as info:
        db.query("SELECT 1")
    assert str(info.value) == f"cannot connect: No such file or directory (socket {gone})"
