"""`gt-tui metrics export` and the exposition behind it, over real towns on the real MariaDB.

In process, one refresh of a real engine: its Prometheus text must hold exactly the figures of
its JSON snapshot document, and the flat JSON series the same samples. As a subprocess: an
empty town (nothing to measure but the probe and the convoy view) leaves its unknown figures
out rather than 0; a server that does not answer still prints, marks `dolt` down and exits 2.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from builder.town import Rig, lay_out
from clock import NOW
from helpers import clean_env, run_gt_tui
from serve_fixtures import expected_series, known_town, parse_series
from sqlserver import SQLServer, free_port
from towns import BuiltTown, build_town

from gt_tui.engine.readers import READERS
from gt_tui.export.json import snapshot_dict
from gt_tui.export.prometheus import flat_series, render_prometheus, seconds
from gt_tui.modes import open_engine
from gt_tui.town.endpoint import Endpoint

SOURCES = {reader.name for reader in READERS}
TOWN = ("town", "testtown")
DOLT_SECONDS = "gt_tui_dolt_latency_seconds"


@pytest.fixture
def empty_town(tmp_path: Path, mariadb: SQLServer) -> Iterator[BuiltTown]:
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    yield built
    built.close()


def export(root: Path, home: Path, *args: str) -> tuple[int, str, str]:
    done = run_gt_tui("metrics", "export", "--town", str(root), *args, env=clean_env(home))
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout, done.stderr


def test_one_refresh_exposes_exactly_its_json_figures(tmp_path: Path, mariadb: SQLServer) -> None:
    built = known_town(tmp_path / "town", mariadb)
    engine = open_engine(built.root, argparse.Namespace(set=[]), mode="live", read_only=True)
    try:
        snapshot = engine.refresh()
    finally:
        engine.close()
        built.close()
    doc = snapshot_dict(snapshot)
    series = parse_series(render_prometheus(snapshot))
    assert series == expected_series(doc, SOURCES)
    assert len(series) == 5 * 5 + 5 + 1 + len(SOURCES)  # every figure known in this town
    flat = {(s["name"], frozenset(s["labels"].items())): s["value"] for s in flat_series(snapshot)}
    assert flat == series


def test_unknown_figures_are_absent(empty_town: BuiltTown, home: Path) -> None:
    code, out, err = export(empty_town.root, home)
    assert (code, err) == (0, "")
    series = parse_series(out)
    names = {name for name, _ in series}
    for key in ("polecat_spawn", "mail_lag", "patrol_cycle"):  # nothing measured: no quantile
        assert f"gt_tui_{key}_seconds" not in names
        assert series[(f"gt_tui_{key}_samples", frozenset({TOWN}))] == 0
        assert series[("gt_tui_health", frozenset({TOWN, ("metric", key)}))] == -1
    assert series[("gt_tui_convoys_open", frozenset({TOWN}))] == 0  # read: a real zero
    assert series[("gt_tui_polecats", frozenset({TOWN}))] == 3
    quantiles = {dict(labels)["quantile"] for name, labels in series if name == DOLT_SECONDS}
    assert quantiles == {"0.5", "0.95", "1"}
    assert "# TYPE gt_tui_dolt_latency_seconds gauge" in out


def test_json_is_the_same_series(empty_town: BuiltTown, home: Path) -> None:
    code, out, err = export(empty_town.root, home, "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"schema", "generated_at", "town", "series"}
    assert (doc["schema"], doc["town"]) == (1, "testtown")
    names = {s["name"] for s in doc["series"]}
    assert {"gt_tui_polecats", "gt_tui_health", "gt_tui_source_up"} <= names
    assert "gt_tui_mail_lag_seconds" not in names
    assert all(s["labels"]["town"] == "testtown" for s in doc["series"])
    up = {s["labels"]["source"]: s["value"] for s in doc["series"] if "source" in s["labels"]}
    assert set(up) == SOURCES and set(up.values()) == {1}


def test_an_unreachable_server_is_down_not_zero(home: Path, tmp_path: Path) -> None:
    root = tmp_path / "town"
    lay_out(
        root,
        "testtown",
        (Rig("gastown", "gt"),),
        Endpoint("127.0.0.1", free_port()),
        {"hq": "hq", "gastown": "gastown"},
        NOW,
    )
    code, out, err = export(root, home)
    assert code == 2 and len(err.splitlines()) == 1 and "cannot connect" in err
    series = parse_series(out)
    assert series[("gt_tui_source_up", frozenset({TOWN, ("source", "dolt")}))] == 0
    names = {name for name, _ in series}
    assert not names & {"gt_tui_dolt_connections", "gt_tui_convoys_open", "gt_tui_mail_backlog"}
    assert "gt_tui_dolt_latency_seconds" not in names
    assert series[("gt_tui_health", frozenset({TOWN, ("metric", "dolt_latency")}))] == -1


@pytest.mark.parametrize("ms, text", [(12.2, "0.0122"), (10.2, "0.0102"), (0.000001, "1e-09")])
def test_seconds_carry_no_float_noise(ms: float, text: str) -> None:
    assert repr(seconds(ms, "ms")) == text  # 12.2 / 1000 is 0.012199999999999999
