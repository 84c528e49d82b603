"""`gt-tui benchmark --type refresh` and the server's rows-read counters, on a real MariaDB
town and on SQLite: the CLI end to end (exit 0, the JSON fields, text, save and compare),
the calibration of the counters' own cost, the clamp, and that neither the counter reading
nor the benchmark changes the engine's own count of queries per refresh."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from clock import NOW
from helpers import clean_env, run_gt_tui
from sqlserver import SQLServer
from towns import BuiltTown, add_known_convoys, add_known_mail, build_town, emulate_dolt

from gt_tui.engine.bench.refresh import ROWS_GROUP, run_refresh_bench
from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.server_reads import SCOPE, ServerReads

PACE = 0.3  # fast; the tests check figures, never times
BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BuiltTown]:
    server = request.getfixturevalue("mariadb") if request.param == "mysql" else None
    built = build_town(tmp_path / "town", request.param, server=server)
    add_known_mail(built, NOW)
    add_known_convoys(built, NOW)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    extra = {"XDG_STATE_HOME": str(home / ".state")}
    extra.update({k: v for k, v in os.environ.items() if k == "PYTHONPATH"})
    return clean_env(home, extra)


def bench_cli(town: BuiltTown, env: dict[str, str], *args: str) -> str:
    """`gt-tui --refresh PACE benchmark ARGS`: its stdout, after checking it exited 0."""
    done = run_gt_tui("--town", str(town.root), "--refresh", str(PACE), "benchmark", *args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def engine_over(town: BuiltTown) -> Engine:
    settings = Settings.defaults()
    db = open_database(town.town(), settings, read_only=True)
    return Engine(town.town(), db, settings, read_only=True)


def steady_queries(town: BuiltTown) -> int:
    """Round trips of a steady refresh as the engine counts them, with no benchmark about."""
    engine = engine_over(town)
    try:
        engine.refresh()
        return engine.refresh().engine.queries
    finally:
        engine.close()


def test_cli_json_has_every_field(town: BuiltTown, env: dict[str, str]) -> None:
    out = bench_cli(town, env, "--type", "refresh", "--runs", "3",
                    "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert (data["schema"], data["type"], data["runs"], data["kind"]) == (
        1,
        "refresh",
        3,
        "refresh",
    )
    first, steady, rows = data["first"], data["steady"], data["rows_read"]
    assert first["ms"] > 0 and first["queries"] > steady["queries"]
    assert steady["ms_p50"] > 0 and steady["ms_p95"] >= steady["ms_p50"]
    assert steady["queries"] == steady["queries_max"] == steady_queries(town)
    assert data["pace_s"] == PACE and len(data["groups"]) >= 2
    if town.backend == "mysql":
        assert data["server"] == "mysql" and rows["available"] and rows["scope"] == SCOPE
        assert isinstance(first["rows_read"], int) and first["rows_read"] > 0
        assert isinstance(steady["rows_read_p50"], int) and steady["rows_read_p50"] > 0
        assert steady["rows_read_max"] >= steady["rows_read_p50"]
        assert len(steady["rows_read"]) == 3 and rows["reading_cost"] >= 0
        assert first["rows_read"] > steady["rows_read_p50"]  # the schema, the cold caches
    else:
        assert data["server"] == "sqlite" and not rows["available"] and rows["scope"] is None
        assert first["rows_read"] is None
        assert steady["rows_read_p50"] is None and steady["rows_read_max"] is None


def test_cli_text_says_server_wide_or_not_available(town: BuiltTown, env: dict[str, str]) -> None:
    out = bench_cli(town, env, "--type", "refresh", "--runs", "3")
    lines = out.splitlines()
    assert lines[0].startswith("refresh benchmark: 1 first + 3 steady refreshes")
    assert lines[1].lstrip().startswith("first") and lines[2].lstrip().startswith("steady")
    if town.backend == "mysql":
        assert "server-wide" in lines[3] and "not available" not in out
    else:
        assert "rows read not available" in lines[1]
        assert lines[3] == "  rows read: not available (no database server (SQLite))"


@pytest.mark.mariadb
def test_saved_runs_compare_and_json_output_loads(
    mariadb: SQLServer, tmp_path: Path, env: dict[str, str]
) -> None:
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    try:
        add_known_convoys(built, NOW)
        args = ("--type", "refresh", "--runs", "3")
        output = tmp_path / "run.json"
        output.write_text(bench_cli(built, env, *args, "--save", "before", "--format", "json"))
        out = bench_cli(built, env, "compare", "--before", "before", "--after", str(output),
                        "--format", "json")  # fmt: skip
    finally:
        built.close()
    compared = json.loads(out)
    assert compared["kind"] == "refresh"
    assert [g["label"] for g in compared["groups"]] == ["first", "steady", ROWS_GROUP]


@pytest.mark.mariadb
def test_benchmark_queries_are_the_engines_own(mariadb: SQLServer, tmp_path: Path) -> None:
    """The counters are read on a connection of their own: every round trip of the engine's
    database is one of the refreshes' own queries, none is the benchmark's."""
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    engine = engine_over(built)
    snapshots: list[Snapshot] = []

    def refresh() -> Snapshot:
        snapshots.append(engine.refresh())
        return snapshots[-1]

    try:
        result = run_refresh_bench(refresh, engine.db, 3, PACE)
        trips = engine.db.round_trips
    finally:
        engine.close()
        built.close()
    assert trips == sum(s.engine.queries for s in snapshots) and len(snapshots) == 4
    assert result.params["steady"]["queries"] == snapshots[-1].engine.queries
    assert result.group("steady") is not None and len(result.samples) == 3


@pytest.mark.mariadb
def test_idle_interval_reads_about_nothing(mariadb: SQLServer) -> None:
    admin = mariadb.admin()
    reads = ServerReads.beside(admin)
    assert reads is not None
    try:
        cost = reads.calibrate()
        idle = [reads.since(reads.total()) for _ in range(5)]
        reads.cost = cost + 1000  # a cost larger than the interval: below 0, clamped
        clamped = reads.since(reads.total())
    finally:
        reads.close()
        admin.close()
    assert cost > 0  # reading the counters reads rows: the calibration is not for nothing
    assert all(i.rows >= 0 for i in idle)
    assert sorted(i.raw for i in idle)[2] == 0  # the median idle interval: exactly nothing
    assert clamped.rows == 0 and clamped.raw < 0 and clamped.clamped


@pytest.mark.mariadb
def test_dolt_has_no_rows_read(mariadb: SQLServer, tmp_path: Path) -> None:
    """Dolt (emulated on MariaDB, whose counters exist) is told by the engine's server kind."""
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    emulate_dolt(built.db, list(built.databases.values()))
    engine = engine_over(built)
    try:
        result = run_refresh_bench(engine.refresh, engine.db, 1, PACE)
    finally:
        engine.close()
        built.close()
    rows = result.params["rows_read"]
    assert result.params["server"] == "dolt" and not rows["available"]
    assert rows["note"] == "dolt has no Handler_read_* counters"
    assert result.params["first"]["rows_read"] is None and result.group(ROWS_GROUP) is None


def test_refresh_interval_out_of_range_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    town = build_town(tmp_path / "town", "sqlite")
    town.close()
    done = run_gt_tui("--town", str(town.root), "--refresh", "0.01", "benchmark", "--type",
                      "refresh", env=env)  # fmt: skip
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("gt-tui: --refresh 0.01: not allowed")


def test_paced_as_the_console_by_default(tmp_path: Path, env: dict[str, str]) -> None:
    """Without `--refresh` the steady refreshes are `ui.refresh_interval` apart."""
    town = build_town(tmp_path / "town", "sqlite")
    town.close()
    done = run_gt_tui("--town", str(town.root), "--set", "ui.refresh_interval=0.25", "benchmark",
                      "--type", "refresh", "--runs", "1", "--format", "json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["pace_s"] == 0.25 and data["runs"] == 1 and len(data["samples"]) == 1


def test_refused_under_read_only_like_every_benchmark(tmp_path: Path, env: dict[str, str]) -> None:
    town = build_town(tmp_path / "town", "sqlite")
    town.close()
    done = run_gt_tui("--town", str(town.root), "--read-only", "benchmark", "--type", "refresh",
                      env=env)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "read-only" in done.stderr and "'benchmark.run' refused" in done.stderr
