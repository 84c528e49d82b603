"""`gt-tui --snapshot` as a user runs it: a subprocess, its stdout, stderr and exit code.

The town is a real one on disk (SQLite beads) whose numbers are known: one message acked
2 s after it was sent (mail lag 2 s: warning, since 1 <= 2 <= 5), three polecat worktrees,
nothing else to measure. Errors must be one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builder.town import Rig, lay_out
from clock import NOW
from helpers import clean_env, run_gt_tui
from sqlserver import free_port
from towns import (
    CONVOY_QUERIES,
    FIRST_REFRESH_FULL_READS,
    MAIL_QUERIES,
    QUERIES_PER_REFRESH,
    BuiltTown,
    build_town,
)

from gt_tui.town.endpoint import Endpoint

CLI_TIMEOUT = 60.0
SECRET = "pw-never-shown-9137"
METRIC_KEYS = {"unit", "count", "p50", "p95", "max", "health", "stale", "error", "skipped"}
METRIC_KEYS |= {"few_samples"}
DOLT_KEYS = {
    "endpoint",
    "server",
    "version",
    "connections",
    "max_connections",
    "new_connections_per_s",
    "probe",
    "transport",
    "time_zone",
    "system_time_zone",
}
TOWN_KEYS = {"name", "root", "mode", "rigs", "scale", "polecats", "polecats_running"}
TOWN_KEYS |= {"convoys_open", "convoys_staged", "mail_backlog", "polecats_idle"}
DOLT_HOST_KEYS = {"cpu_percent", "rss_bytes"}  # the server's process, read on this host


def run_cli(
    *args: str, cwd: Path, home: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m gt_tui ARGS` in a clean environment (no GT_* from the caller's shell)."""
    return run_gt_tui(*args, cwd=cwd, env=clean_env(home, extra_env), timeout=CLI_TIMEOUT)


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def warning_town(tmp_path: Path) -> BuiltTown:
    """A SQLite town whose only measured delivery took 2 s (sent 60 s ago)."""
    built = build_town(tmp_path / "town", "sqlite")
    now = datetime.now(UTC).replace(microsecond=0)
    writer = built.writer()
    mail = writer.send_mail(
        sender="deacon", recipient="mayor/", subject="hello", created_at=now - timedelta(seconds=60)
    )
    writer.ack_mail(mail, "mayor/", now - timedelta(seconds=58))
    built.db.close()  # the CLI opens its own handle
    return built


def test_json_snapshot(warning_town: BuiltTown, home: Path, tmp_path: Path) -> None:
    done = run_cli(
        "--snapshot", "--town", str(warning_town.root), "--format", "json", cwd=tmp_path, home=home
    )
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    top = {"schema", "generated_at", "town", "dolt", "host", "metrics", "engine"}
    assert top <= set(data)
    assert set(data) - top <= {"errors"}
    assert data["schema"] == 1
    generated = datetime.fromisoformat(data["generated_at"].replace("Z", "+00:00"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated_at"])
    assert abs((datetime.now(UTC) - generated).total_seconds()) < 600

    assert set(data["town"]) == TOWN_KEYS
    assert data["town"] == {
        "name": "testtown",
        "root": str(warning_town.root.resolve()),
        "mode": "live",
        "rigs": ["beads", "gastown"],
        "scale": "small",
        "polecats": 3,
        "polecats_running": 0 if shutil.which("tmux") else None,  # no server on its socket
        "polecats_idle": 0,
        "convoys_open": 0,
        "convoys_staged": 0,
        "mail_backlog": 0,
    }
    assert data["dolt"]["endpoint"] == "sqlite (static town)" and data["dolt"]["server"] == "sqlite"
    assert set(data["dolt"]) == DOLT_KEYS | DOLT_HOST_KEYS
    assert data["dolt"]["probe"] == "SELECT 1" and data["dolt"]["transport"] is None
    assert data["dolt"]["max_connections"] is None and data["dolt"]["new_connections_per_s"] is None
    assert data["dolt"]["cpu_percent"] is None and data["dolt"]["rss_bytes"] is None  # sqlite
    assert set(data["host"]) == {"bd_processes", "bd_started_per_s"}
    assert isinstance(data["host"]["bd_processes"], int)
    assert data["host"]["bd_started_per_s"] is None  # one refresh: no rate yet

    metrics = data["metrics"]
    assert set(metrics) == {
        "dolt_latency",
        "polecat_spawn",
        "mail_lag",
        "convoy_refresh",
        "patrol_cycle",
    }
    assert all(set(m) == METRIC_KEYS for m in metrics.values())
    assert metrics["mail_lag"] == {
        "unit": "s",
        "count": 1,
        "p50": 2.0,
        "p95": 2.0,
        "max": 2.0,
        "health": "warning",
        "stale": False,
        "error": None,
        "skipped": 0,
        "few_samples": True,  # one sample: judged on that sample, 2 s
    }
    for key in ("polecat_spawn", "patrol_cycle"):
        assert metrics[key]["count"] == 0 and metrics[key]["health"] == "unknown"
        assert metrics[key]["p95"] is None
    for key, unit in (("dolt_latency", "ms"), ("convoy_refresh", "s")):
        assert (metrics[key]["unit"], metrics[key]["count"]) == (unit, 1)
        assert metrics[key]["p50"] == metrics[key]["p95"] == metrics[key]["max"]
    assert set(data["engine"]) == {"refresh_ms", "queries", "held"}
    # the first refresh also reads the catalogue: per database one sqlite_master query and
    # one PRAGMA table_info per table (12 beads tables) = 3 * 13, plus those of every refresh,
    # plus its cache misses: the agent list (L2, one query) and the slowest messages' titles
    # (L1 hot beads, one batched query per table: issues and wisps), plus the full reads of
    # the rows later refreshes keep
    first_refresh_misses = 1 + 2
    expected = 3 * 13 + QUERIES_PER_REFRESH["sqlite"] + MAIL_QUERIES + CONVOY_QUERIES
    expected += first_refresh_misses
    expected += FIRST_REFRESH_FULL_READS
    assert data["engine"]["queries"] == expected
    assert data["engine"]["refresh_ms"] > 0
    assert data.get("errors", []) == []


def test_fail_on(warning_town: BuiltTown, home: Path, tmp_path: Path) -> None:
    base = ("--snapshot", "--town", str(warning_town.root), "--format", "json")
    assert run_cli(*base, "--fail-on", "warning", cwd=tmp_path, home=home).returncode == 1
    assert run_cli(*base, "--fail-on", "danger", cwd=tmp_path, home=home).returncode == 0
    assert run_cli(*base, cwd=tmp_path, home=home).returncode == 0


def test_town_found_from_the_working_directory(warning_town: BuiltTown, home: Path) -> None:
    inside = warning_town.root / "gastown" / "polecats" / "Toast" / "gastown"
    done = run_cli("--snapshot", "--format", "json", cwd=inside, home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["town"]["root"] == str(warning_town.root.resolve())


def test_text_snapshot(warning_town: BuiltTown, home: Path, tmp_path: Path) -> None:
    done = run_cli("--snapshot", "--town", str(warning_town.root), cwd=tmp_path, home=home)
    assert (done.returncode, done.stderr) == (0, "")
    text = done.stdout
    assert "\x1b[" not in text  # no colour when stdout is not a terminal
    assert "testtown" in text
    for label in ("Dolt", "Polecat spawn", "Mail lag", "Convoy refresh", "Patrol cycle"):
        assert label in text
    assert "WARNING" in text


def test_no_town(home: Path, tmp_path: Path) -> None:
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    done = run_cli("--snapshot", "--format", "json", cwd=nowhere, home=home)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "--demo" in line and str(nowhere) in line and str(home / "gt") in line
    assert done.stdout == ""


def test_malformed_file(warning_town: BuiltTown, home: Path, tmp_path: Path) -> None:
    rigs = warning_town.root / "mayor" / "rigs.json"
    rigs.write_text('{"rigs": {"gastown": ')
    done = run_cli(
        "--snapshot", "--town", str(warning_town.root), "--format", "json", cwd=tmp_path, home=home
    )
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert str(rigs) in line and "not valid JSON" in line


def test_unreachable_server(home: Path, tmp_path: Path) -> None:
    port = free_port()
    root = tmp_path / "town"
    databases = {"hq": "hq", "gastown": "gastown"}
    lay_out(root, "far", (Rig("gastown", "gt"),), Endpoint("127.0.0.1", port), databases, NOW)
    done = run_cli(
        "--snapshot",
        "--town",
        str(root),
        "--format",
        "json",
        cwd=tmp_path,
        home=home,
        extra_env={"GT_DOLT_PASSWORD": SECRET},
    )
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.count(f"127.0.0.1:{port}") == 1 and "cannot connect: Connection refused" in line
    assert SECRET not in done.stdout and SECRET not in done.stderr
    data = json.loads(done.stdout)  # the snapshot is still printed, every DB metric stale
    assert data["dolt"]["endpoint"] == f"root@127.0.0.1:{port}"
    for key in ("dolt_latency", "mail_lag", "convoy_refresh", "patrol_cycle"):
        assert data["metrics"][key]["stale"] is True and data["metrics"][key]["error"]
