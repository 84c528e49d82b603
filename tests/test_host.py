"""Host-side signals with real processes: bd processes (a real `bd`-named binary), the
private MariaDB found as the town's server process (by port and through
`.dolt-data/.dolt/sql-server.info`), and agent liveness by process name in real tmux."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from clock import FakeClock
from helpers import tmux
from rich.console import Console
from snapshots_fixtures import calm_snapshot
from sqlserver import SQLServer
from towns import NOW, build_town

from gt_tui.engine import proc_table
from gt_tui.engine.dolt_process import DoltProcess, info_file, is_loopback, usage_text
from gt_tui.engine.engine import Engine
from gt_tui.engine.host import BD, HostMonitor, bd_processes
from gt_tui.engine.readers import READERS
from gt_tui.engine.snapshot import DoltInfo
from gt_tui.export.json import snapshot_dict
from gt_tui.export.style import DEFAULT_PALETTE
from gt_tui.export.window import zoom_summary
from gt_tui.sandbox.layout import town_settings
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Town


def server_town(root: Path, endpoint: Endpoint) -> Town:
    return Town(root, "t", (), "hq", endpoint, "unused-socket")


@pytest.fixture
def bd_binary(tmp_path: Path) -> Path:
    """`bd`: a link to `sleep`, so the kernel names the process `bd`."""
    link = tmp_path / "bin" / BD
    link.parent.mkdir()
    link.symlink_to(shutil.which("sleep") or "/bin/sleep")
    return link


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait(timeout=10)


# ---- bd processes ---------------------------------------------------------------------------


def test_bd_processes_are_counted_and_new_ones_give_a_rate(
    bd_binary: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    clock = FakeClock(1000.0)
    host = HostMonitor(clock)
    spawn.append(subprocess.Popen([str(bd_binary), "600"]))
    first = host.bd()
    assert first.started_per_s is None  # nothing to compare with yet
    assert first.running >= 1
    spawn += [subprocess.Popen([str(bd_binary), "600"]) for _ in range(3)]
    clock.now += 2.0
    second = host.bd()
    ours = {p.pid for p in spawn}
    assert ours <= {pid for pid, _ in bd_processes()}
    assert second.running >= first.running + 3
    assert second.started_per_s is not None and second.started_per_s >= 3 / 2.0
    for proc in spawn[:2]:
        proc.kill()
        proc.wait(timeout=10)
    assert not {p.pid for p in spawn[:2]} & {pid for pid, _ in bd_processes()}


def test_the_proc_read_and_psutil_see_the_same_bd(
    bd_binary: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    spawn += [subprocess.Popen([str(bd_binary), "600"]) for _ in range(2)]
    ours = {p.pid for p in spawn}  # other tests' bd may come and go between the passes
    from_proc = {pid for pid, _ in bd_processes(proc_table.from_proc())} & ours
    from_psutil = {pid for pid, _ in bd_processes(proc_table.from_psutil())} & ours
    assert from_proc == from_psutil == ours


def test_processes_with_other_names_are_not_bd(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    spawn.append(subprocess.Popen(["sleep", "600"]))
    assert spawn[0].pid not in {pid for pid, _ in bd_processes()}


# ---- the Dolt server's process --------------------------------------------------------------


def test_the_server_is_found_by_its_port(mariadb: SQLServer, tmp_path: Path) -> None:
    found = DoltProcess(FakeClock(1000.0))
    town = server_town(tmp_path, mariadb.endpoint)
    first = found.read(town)
    assert found.found_by == "port"
    assert first.cpu_percent is None  # psutil's first reading is always 0.0: discarded
    assert first.rss_bytes is not None and first.rss_bytes > 10 * 2**20
    admin = mariadb.admin()
    try:
        admin.query("SELECT BENCHMARK(2000000, MD5('x'))")  # give the server some CPU
    finally:
        admin.close()
    second = found.read(town)
    assert second.cpu_percent is not None and second.cpu_percent > 0.0
    assert found._proc is not None and found._proc.pid == mariadb.process.pid


def test_the_server_is_found_through_sql_server_info(mariadb: SQLServer, tmp_path: Path) -> None:
    port = mariadb.endpoint.port
    info_file(tmp_path).parent.mkdir(parents=True)
    info_file(tmp_path).write_text(f"{mariadb.process.pid}:{port}:4f2c-uuid")
    found = DoltProcess(FakeClock(1000.0))
    assert found.read(server_town(tmp_path, mariadb.endpoint)).rss_bytes
    assert found.found_by == "sql-server.info"
    assert found._proc is not None and found._proc.pid == mariadb.process.pid


def test_a_stale_info_file_falls_back_to_the_port(mariadb: SQLServer, tmp_path: Path) -> None:
    info_file(tmp_path).parent.mkdir(parents=True)
    info_file(tmp_path).write_text(f"{os.getpid()}:{mariadb.endpoint.port}:old")  # not a server
    found = DoltProcess(FakeClock(1000.0))
    found.read(server_town(tmp_path, mariadb.endpoint))
    assert found.found_by == "port"
    assert found._proc is not None and found._proc.pid == mariadb.process.pid


def test_a_remote_server_is_not_visible(mariadb: SQLServer, tmp_path: Path) -> None:
    info_file(tmp_path).parent.mkdir(parents=True)
    info_file(tmp_path).write_text(f"{mariadb.process.pid}:{mariadb.endpoint.port}:x")
    remote = Endpoint("10.0.0.5", mariadb.endpoint.port)
    found = DoltProcess(FakeClock(1000.0))
    usage = found.read(server_town(tmp_path, remote))
    assert (usage.cpu_percent, usage.rss_bytes, found.found_by) == (None, None, None)
    assert not is_loopback("db.example.com") and is_loopback("::1") and is_loopback("localhost")


def test_no_listener_waits_before_searching_again(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    found = DoltProcess(clock)
    town = server_town(tmp_path, Endpoint("127.0.0.1", 1))  # nothing listens on port 1
    assert found.read(town).rss_bytes is None
    assert found._next_search > clock.now  # the next refresh does not scan sockets again


def test_usage_text_in_human_units() -> None:
    assert usage_text(12.4, 85 * 2**20) == "cpu 12% · 85 MiB"
    assert usage_text(440.0, 3 * 2**30) == "cpu 440% · 3.0 GiB"
    assert usage_text(None, 2**20) == "cpu — · 1 MiB"
    assert usage_text(None, None) is None


def test_the_engine_reports_the_server_process_in_json_and_on_the_map(
    mariadb: SQLServer, tmp_path: Path, bd_binary: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    spawn.append(subprocess.Popen([str(bd_binary), "600"]))
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    town = built.town()
    settings = Settings.defaults()
    engine = Engine(town, open_database(town, settings, read_only=True), settings, read_only=True)
    try:
        first = snapshot_dict(engine.refresh())
        assert first["dolt"]["cpu_percent"] is None and first["dolt"]["rss_bytes"] > 0
        assert first["host"]["bd_started_per_s"] is None
        snap = engine.refresh()
    finally:
        engine.close()
        built.close()
    data = json.loads(json.dumps(snapshot_dict(snap)))
    assert isinstance(data["dolt"]["cpu_percent"], float)
    assert isinstance(data["host"]["bd_processes"], int)
    assert isinstance(data["host"]["bd_started_per_s"], float)
    assert "host" not in {e.source for e in snap.errors}
    box = next(node for node in snap.bottlenecks if node.key == "dolt")
    assert any(fact.startswith("cpu ") and fact.endswith("MiB") for fact in box.facts)
    bd = data["host"]["bd_processes"]
    assert bd >= 1 and any(fact.startswith(f"bd {bd} +") for fact in box.facts)
    console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(
        zoom_summary(snap.metric("dolt_latency"), NOW, DEFAULT_PALETTE, snap.dolt, snap.host)
    )
    assert f"bd processes    bd {bd} running · " in console.export_text()


def test_sqlite_demo_has_no_server_process(tmp_path: Path) -> None:
    built = build_town(tmp_path / "town", "sqlite")
    town = built.town()
    settings = Settings.defaults()
    engine = Engine(town, open_database(town, settings), settings, clock=lambda: NOW)
    try:
        snap = engine.refresh()
    finally:
        engine.close()
        built.close()
    assert (snap.dolt.cpu_percent, snap.dolt.rss_bytes) == (None, None)
    box = next(node for node in snap.bottlenecks if node.key == "dolt")
    assert not any(fact.startswith("cpu ") for fact in box.facts)


# ---- agent liveness by process name, in real tmux -----------------------------------------


def _engine_on(tmp_path: Path, tmux_socket: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("GT_TMUX_SOCKET", tmux_socket)
    monkeypatch.delenv("GT_PROCESS_NAMES", raising=False)
    built = build_town(tmp_path / "town", "sqlite")
    town = built.town(env={"GT_TMUX_SOCKET": tmux_socket})
    settings = Settings.defaults()
    return Engine(town, open_database(town, settings), settings, clock=lambda: NOW)


def _write_settings(root: Path, settings: dict[str, object]) -> None:
    (root / "settings" / "config.json").write_text(json.dumps(settings))


def test_a_pane_running_the_agent_counts_and_a_bare_shell_does_not(
    tmp_path: Path, tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine_on(tmp_path, tmux_socket, monkeypatch)
    _write_settings(
        engine.town.root, {"default_agent": "sleeper", "agents": {"sleeper": {"command": "sleep"}}}
    )
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep", "600")  # the agent
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Nux", "sh")  # the agent exited: a shell
    try:
        snap = engine.refresh()
        assert engine.facts.running_sessions == {"gt-Toast"}
        assert (snap.town.polecats, snap.town.polecats_running) == (3, 1)
        _write_settings(engine.town.root, {"default_agent": "claude"})  # node/claude: neither
        assert engine.refresh().town.polecats_running == 0
        monkeypatch.setenv("GT_PROCESS_NAMES", "sh,sleep")  # gt's override names both
        assert engine.refresh().town.polecats_running == 2
    finally:
        engine.close()


def test_the_sandbox_configures_its_python_agents_the_gt_way(
    tmp_path: Path, tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine_on(tmp_path, tmux_socket, monkeypatch)
    _write_settings(engine.town.root, town_settings())  # the sandbox's, not the test town's
    agent = f"{sys.executable} -c 'import time; time.sleep(600)'"
    tmux(tmux_socket, "new-session", "-d", "-s", "bd-Rex", agent)
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep", "600")  # not its agent
    try:
        engine.refresh()
        assert engine.facts.running_sessions == {"bd-Rex"}
    finally:
        engine.close()
    assert not READERS[-1].needs_database and READERS[-1].name == "host"


def test_the_dolt_latency_zoom_shows_the_server_process() -> None:
    snap = calm_snapshot()
    dolt = replace(snap.dolt, cpu_percent=12.4, rss_bytes=85 * 2**20)

    def text(key: str, info: DoltInfo) -> str:
        console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(zoom_summary(snap.metric(key), NOW, DEFAULT_PALETTE, info))
        return console.export_text()

    assert "server process  cpu 12% · 85 MiB" in text("dolt_latency", dolt)
    assert "server process" not in text("mail_lag", dolt)  # only the Dolt metric's zoom
    assert "server process" not in text("dolt_latency", snap.dolt)  # nothing visible: no row
