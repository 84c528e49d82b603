"""Benchmarks on a real MariaDB, real git and tmux; statistics on known numbers."""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import tmux, tmux_socket_path
from sqlserver import SQLServer

from gt_tui.engine.bench import compare as bc
from gt_tui.engine.bench import results as br
from gt_tui.engine.bench import run as bench
from gt_tui.engine.bench import spawn as bench_spawn
from gt_tui.errors import GtTuiError, MalformedFile, SourceUnavailable
from gt_tui.ops_format import describe_comparison
from gt_tui.town.db import MySQLDatabase
from gt_tui.town.pool import PoolLimits
from gt_tui.town.sqlite_db import SQLiteDatabase
from gt_tui.town.tmux import TimedServer, list_sessions

ISSUES = (
    "CREATE TABLE {db}.issues (id VARCHAR(255) PRIMARY KEY, title VARCHAR(500) NOT NULL,"
    " status VARCHAR(32) NOT NULL, priority INT NOT NULL, created_at DATETIME NOT NULL)"
)
LABELS = "CREATE TABLE {db}.labels (issue_id VARCHAR(255), label VARCHAR(255))"


# ---------------------------------------------------------------- statistics


def test_percentiles_are_inclusive_quantiles() -> None:
    assert br.percentiles([float(n) for n in range(1, 101)]) == pytest.approx((50.5, 95.05, 99.01))
    assert br.percentiles([7.0]) == (7.0, 7.0, 7.0)
    with pytest.raises(GtTuiError):
        br.percentiles([])


def test_mann_whitney_exact_p_values() -> None:
    low, high = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]
    assert bc.mann_whitney_p(low, high) == pytest.approx(2 / math.comb(10, 5))
    assert bc.mann_whitney_p([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == pytest.approx(0.1)
    assert bc.mann_whitney_p([1.0, 3.0, 5.0], [2.0, 4.0, 6.0]) == pytest.approx(0.7)


def test_mann_whitney_normal_approximation_with_ties() -> None:
    same = [5.0] * 10
    assert bc.mann_whitney_p(same, same) == 1.0
    slow = [10.0, 10.0, 11.0, 11.0, 12.0] * 10
    fast = [1.0, 1.0, 2.0, 2.0, 3.0] * 10
    assert bc.mann_whitney_p(slow, fast) < 1e-6


def result(kind: str, label: str, samples: list[float]) -> br.BenchResult:
    return br.make_result(kind, len(samples), "s", [br.make_group(label, samples)], {}, label)


def test_compare_says_noise_is_noise() -> None:
    before = result("convoy", "convoy view", [10.0, 12.0, 11.0, 13.0, 12.5, 11.8])
    after = result("convoy", "convoy view", [11.5, 12.2, 10.5, 12.8, 11.2, 12.9])

    (group,) = bc.compare(before, after).groups

    assert not group.significant and group.p_value > 0.5
    ratio = {r.stat: r.ratio for r in group.ratios}
    assert ratio["p50"] == pytest.approx(after.p50 / before.p50)
    assert ratio["qps"] is None


def test_compare_flags_a_measured_difference() -> None:
    fast = bench.run_convoy_bench(lambda: time.sleep(0.001), 8)
    slow = bench.run_convoy_bench(lambda: time.sleep(0.02), 8)

    comparison = bc.compare(fast, slow)

    assert comparison.significant
    (group,) = comparison.groups
    assert group.p_value < 0.01
    assert {r.stat: r.ratio for r in group.ratios}["p50"] > 3
    with pytest.raises(GtTuiError, match="cannot compare"):
        bc.compare(fast, result("dolt", "concurrency=1", [1.0]))


def test_a_tiny_drift_beyond_noise_is_no_change() -> None:
    """Two identical back-to-back runs: 50 samples each, the second 3% slower throughout.
    The rank test calls that far beyond the noise; 3% is under the 5% practical threshold."""
    steady = [10.0 + 0.01 * i for i in range(50)]
    before = result("convoy", "convoy view", steady)
    after = result("convoy", "convoy view", [v * 1.03 for v in steady])

    comparison = bc.compare(before, after)

    (group,) = comparison.groups
    assert group.beyond_noise and group.p_value < 1e-6
    assert group.change == pytest.approx(0.03)
    assert not group.significant and not comparison.significant
    assert comparison.to_json()["groups"][0]["beyond_noise"] is True
    args = argparse.Namespace(before="a", after="b")
    verdict = describe_comparison(comparison, args)[1]
    assert verdict.startswith("  convoy view: no change: median +3.0%, under the 5% threshold")


def test_a_change_is_real_only_beyond_noise_and_over_the_threshold() -> None:
    steady = [10.0 + 0.01 * i for i in range(50)]
    before = result("convoy", "convoy view", steady)
    slower = result("convoy", "convoy view", [v * 1.12 for v in steady])
    few_before = result("convoy", "convoy view", [10.0, 11.0, 12.0])
    few_after = result("convoy", "convoy view", [13.0, 14.0, 15.0])  # +27%, but 3 runs each

    real = bc.compare(before, slower)
    noisy = bc.compare(few_before, few_after)

    assert real.significant and real.groups[0].practical
    args = argparse.Namespace(before="a", after="b")
    assert describe_comparison(real, args)[1].startswith("  convoy view: changed: median +12.0%")
    assert noisy.groups[0].practical and not noisy.groups[0].beyond_noise
    assert not noisy.significant
    assert "no change: median +27.3%, within noise" in describe_comparison(noisy, args)[1]
    assert not bc.compare(before, slower, threshold=0.2).significant  # the threshold is data


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def test_results_are_saved_and_loaded_by_name(state_home: Path) -> None:
    made = bench.run_convoy_bench(lambda: None, 3)

    path = br.save_result(made, "before-1")

    assert path == state_home / "gt-tui" / "bench" / "before-1.json"
    assert json.loads(path.read_text())["kind"] == "convoy"
    assert br.load_result("before-1") == made
    assert br.load_result(str(path)) == made


def test_bad_names_and_files_are_one_line_errors(state_home: Path) -> None:
    with pytest.raises(GtTuiError, match="bad benchmark name"):
        br.save_result(result("convoy", "x", [1.0]), "../escape")
    with pytest.raises(GtTuiError, match="no saved benchmark 'nope'"):
        br.load_result("nope")
    bad = state_home / "gt-tui" / "bench" / "bad.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"kind": "convoy"}')
    with pytest.raises(MalformedFile, match="not a gt-tui benchmark result"):
        br.load_result("bad")


# ---------------------------------------------------------------- convoy


def test_convoy_bench_times_each_build_and_reports_progress() -> None:
    calls: list[int] = []
    seen: list[float] = []

    made = bench.run_convoy_bench(lambda: calls.append(1), 4, progress=seen.append)

    assert len(calls) == 4 and len(made.samples) == 4
    assert made.kind == "convoy" and made.unit == "s" and made.qps and made.qps > 0
    assert seen == [0.25, 0.5, 0.75, 1.0]
    assert made.params["callable"].endswith("<lambda>")
    with pytest.raises(GtTuiError, match="at least 1"):
        bench.run_convoy_bench(lambda: None, 0)


# ---------------------------------------------------------------- Dolt (MariaDB here)


@pytest.fixture
def beads_db(mariadb: SQLServer) -> Iterator[tuple[MySQLDatabase, str]]:
    """A beads-like database (issues and labels) on the private server, dropped afterwards."""
    (name,) = mariadb.fresh_database_names(1)
    admin = mariadb.admin()
    admin.execute(f"CREATE DATABASE {name}")
    admin.execute(ISSUES.format(db=name))
    admin.execute(LABELS.format(db=name))
    rows = [(f"gt-{n}", f"issue {n}", "open" if n % 2 else "closed", n % 4) for n in range(40)]
    admin.executemany(f"INSERT INTO {name}.issues VALUES (%s, %s, %s, %s, NOW())", rows)
    admin.executemany(f"INSERT INTO {name}.labels VALUES (%s, %s)", [("gt-1", "gt:agent")])
    db = MySQLDatabase(mariadb.endpoint, limits=PoolLimits(max_open=3, max_idle=3))
    try:
        yield db, name
    finally:
        db.close()
        admin.execute(f"DROP DATABASE {name}")
        admin.close()


def test_dolt_bench_measures_each_concurrency(
    beads_db: tuple[MySQLDatabase, str], mariadb: SQLServer
) -> None:
    db, name = beads_db
    seen: list[float] = []

    made = bench.run_dolt_bench(db, 4, database=name, progress=seen.append)

    expected_probe = "SELECT active_branch()" if mariadb.kind == "dolt" else "SELECT 1"
    assert made.params["probe"] == expected_probe
    assert made.params["queries"] == ["probe", "open issues by status", "labels lookup"]
    assert [g.label for g in made.groups] == ["concurrency=1", "concurrency=3"]
    assert [len(g.samples) for g in made.groups] == [1 * 4 * 3, 3 * 4 * 3]
    for group in made.groups:
        assert 0 < group.p50 <= group.p95 <= group.p99 <= max(group.samples)
        assert group.qps is not None and group.qps > 0
    assert made.headline == "concurrency=1" and made.p50 == made.groups[0].p50
    assert seen[-1] == 1.0 and seen == sorted(seen)
    stats = db.pool_stats()
    assert stats is not None and stats.open <= 3 and stats.in_use == 0


def test_dolt_bench_skips_tables_a_database_lacks(mariadb: SQLServer) -> None:
    (name,) = mariadb.fresh_database_names(1)
    admin = mariadb.admin()
    admin.execute(f"CREATE DATABASE {name}")
    admin.execute(ISSUES.format(db=name))
    db = MySQLDatabase(mariadb.endpoint, limits=PoolLimits(max_open=2, max_idle=2))
    try:
        made = bench.run_dolt_bench(db, 2, concurrency_levels=(1,), database=name)
    finally:
        db.close()
        admin.execute(f"DROP DATABASE {name}")
        admin.close()
    assert made.params["skipped"] == [f"labels lookup (no {name}.labels)"]
    assert [g.label for g in made.groups] == ["concurrency=1"]


def test_dolt_bench_on_sqlite_uses_select_1(tmp_path: Path) -> None:
    file = tmp_path / "hq.db"
    with sqlite3.connect(file) as conn:
        conn.execute("CREATE TABLE labels (issue_id TEXT, label TEXT)")
    db = SQLiteDatabase({"hq": file})
    try:
        made = bench.run_dolt_bench(db, 3, concurrency_levels=(1, 2), database="hq")
    finally:
        db.close()
    assert made.params["probe"] == "SELECT 1"
    assert made.params["queries"] == ["probe", "labels lookup"]
    assert [len(g.samples) for g in made.groups] == [6, 12]


# ---------------------------------------------------------------- polecat spawns


def test_polecat_bench_shows_what_the_pool_saves(tmp_path: Path, tmux_socket: str) -> None:
    scratch = tmp_path / "scratch"

    cold = bench.run_polecat_bench(scratch, 3, from_pool=False, socket=tmux_socket)
    pooled = bench.run_polecat_bench(scratch, 3, from_pool=True, socket=tmux_socket)

    assert (cold.headline, pooled.headline) == ("cold", "pool")
    assert len(cold.samples) == 3 and len(pooled.samples) == 3
    assert all(s > 0 for s in (*cold.samples, *pooled.samples))
    assert pooled.p50 < cold.p50  # the pool skips the checkout a cold spawn pays for
    assert list(scratch.iterdir()) == []  # worktrees, repo and heartbeats all gone
    assert list_sessions(tmux_socket) == []


def test_polecat_comparison_cleans_up_its_own_socket(tmp_path: Path) -> None:
    seen: list[float] = []
    sockets = tmux_socket_path("x").parent
    before = set(sockets.glob("gt-tui-bench-*"))

    made = bench.run_polecat_comparison(tmp_path / "scratch", 2, progress=seen.append)

    assert [g.label for g in made.groups] == ["cold", "pool"]
    assert made.headline == "pool" and made.params["mode"] == "cold vs pool"
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert list((tmp_path / "scratch").iterdir()) == []
    assert set(sockets.glob("gt-tui-bench-*")) == before


def test_a_spawn_that_never_gets_ready_times_out(tmux_socket: str) -> None:
    tmux(tmux_socket, "new-session", "-d", "-s", "bn-Mute", "sleep 600")
    server = TimedServer(socket_name=tmux_socket)
    with pytest.raises(SourceUnavailable, match=r"not ready within 0\.2s"):
        bench_spawn.wait_for_marker(server, "bn-Mute", 0.2)
