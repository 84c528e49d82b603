"""gt's polecat heartbeats (town/heartbeats.py) and the town's staleness limit (operational.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gt_tui.town.heartbeats import _epoch, heartbeat_working
from gt_tui.town.operational import go_duration_s, polecat_heartbeat_stale_s

STAMP = "2026-05-01T12:00:00Z"


def test_heartbeat_freshness_follows_gts_three_minutes(tmp_path: Path) -> None:
    path = tmp_path / "beat.json"
    path.write_text(json.dumps({"timestamp": "2026-05-01T12:00:00.123456789Z", "state": "working"}))
    at = _epoch("2026-05-01T12:00:00.123456789Z")
    assert at is not None
    assert heartbeat_working(path, at + 179)
    assert not heartbeat_working(path, at + 181)
    path.write_text(json.dumps({"timestamp": STAMP, "state": "idle"}))
    assert not heartbeat_working(path, at)
    path.write_text("{not json")
    assert not heartbeat_working(path, at)


@pytest.mark.parametrize("body", [{"timestamp": STAMP}, {"timestamp": STAMP, "state": ""}])
def test_a_heartbeat_without_state_means_working(tmp_path: Path, body: dict) -> None:
    # gt's v1 heartbeat (timestamp only) is read as working (EffectiveState).
    path = tmp_path / "beat.json"
    path.write_text(json.dumps(body))
    at = _epoch(STAMP)
    assert at is not None
    assert heartbeat_working(path, at + 100)
    assert not heartbeat_working(path, at + 181)  # stale all the same
    assert heartbeat_working(path, at + 500, stale_s=600)  # under a town's longer limit


def write_settings(root: Path, threshold: object) -> None:
    polecat = {"heartbeat_stale_threshold": threshold}
    body = {"type": "town-settings", "operational": {"polecat": polecat}}
    (root / "settings").mkdir(parents=True, exist_ok=True)
    (root / "settings" / "config.json").write_text(json.dumps(body))


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        ("90s", 90.0),
        ("1h30m", 5400.0),
        ("1.5m", 90.0),
        ("250ms", 0.25),
        ("3", 180.0),  # no unit: not a Go duration, gt's default
        ("soon", 180.0),
        ("", 180.0),
        ("-1m", 180.0),  # not a positive duration
        (90, 180.0),  # gt's field is a string: a number is no value
        (None, 180.0),
    ],
)
def test_heartbeat_stale_threshold_from_town_settings(
    tmp_path: Path, threshold: object, expected: float
) -> None:
    write_settings(tmp_path, threshold)
    assert polecat_heartbeat_stale_s(tmp_path) == expected


def test_stale_threshold_defaults_without_or_with_a_bad_settings_file(tmp_path: Path) -> None:
    assert polecat_heartbeat_stale_s(tmp_path) == 180.0  # no settings/config.json
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "config.json").write_text("{not json")
    assert polecat_heartbeat_stale_s(tmp_path) == 180.0
    (tmp_path / "settings" / "config.json").write_text('{"operational": {"polecat": "x"}}')
    assert polecat_heartbeat_stale_s(tmp_path) == 180.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("+2h", 7200.0), ("2h45m0.5s", 9900.5), (".5s", 0.5), ("1µs", 1e-6)],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert go_duration_s(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["--3m", "3 m", "m", "1d", "1h 30m"])
def test_not_go_durations(text: str) -> None:
    assert go_duration_s(text) is None
