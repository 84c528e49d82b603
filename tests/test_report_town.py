"""The report over real towns: a real engine refreshed several times over a town with known
data on the real MariaDB (what a history holds), and `gt-tui report` as a child process over
one fresh refresh, its password never in the page."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from helpers import clean_env, run_gt_tui
from report_fixtures import NETWORK_LOAD
from serve_fixtures import known_town
from sqlserver import SQLServer
from towns import build_town

from gt_tui.health import METRICS
from gt_tui.modes import open_engine
from gt_tui.report import Origin, build_report
from gt_tui.units import format_figure

REFRESHES = 4
SECRET = "report-pw-Zq9!x"


def test_a_run_of_real_refreshes_is_reported(tmp_path: Path, mariadb: SQLServer) -> None:
    built = known_town(tmp_path / "town", mariadb)
    engine = open_engine(built.root, argparse.Namespace(set=[]), mode="live", read_only=True)
    try:
        snapshots = [engine.refresh() for _ in range(REFRESHES)]
        settings = engine.settings
    finally:
        engine.close()
        built.close()
    html = build_report(snapshots, Origin("test refreshes"), settings)
    assert f"{REFRESHES} refreshes" in html
    charts = dict(re.findall(r'<section class="metric" data-metric="([a-z_]+)">(.*?)</section>',
                             html, re.S))  # fmt: skip
    assert list(charts) == [m.key for m in METRICS]
    newest = snapshots[-1]
    now = html.split("<h2>Now</h2>")[1].split("</table>")[0]
    for metric in newest.metrics:
        assert metric.count > 0, metric.key  # the known town has samples of every metric
        row = f"<td>{metric.label}</td><td>{format_figure(metric.p50, metric.unit, metric.key)}"
        assert row in now
        assert "p95" in charts[metric.key]  # a line per quantile over the refreshes
    # The known town's polecats and convoys, as the engine counted them.
    assert f"<td>polecats</td><td>{newest.town.polecats}</td>" in html
    assert f"<td>convoys open</td><td>{newest.town.convoys_open}</td>" in html
    assert NETWORK_LOAD.findall(html) == []


def test_the_command_reports_one_fresh_refresh(tmp_path: Path, home: Path) -> None:
    built = build_town(tmp_path / "town", "sqlite")
    built.db.close()
    out = tmp_path / "report.html"
    env = clean_env(home, {"GT_DOLT_PASSWORD": SECRET})
    done = run_gt_tui("report", "--type", "performance", "--output", str(out),
                      "--town", str(built.root), env=env)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith(f"wrote {out} (1 snapshot, ")
    html = out.read_text()
    assert "from one fresh refresh: one refresh" in html
    assert len(re.findall(r'<section class="metric"', html)) == 5
    assert SECRET not in html and NETWORK_LOAD.findall(html) == []
    # `-` writes the same page to standard output.
    done = run_gt_tui("report", "--type", "performance", "--output", "-",
                      "--town", str(built.root), env=env)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("<!DOCTYPE html>")
