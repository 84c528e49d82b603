"""An outage reads as one in every view: never "0 open", never "updated 0s ago", never "all
clear" while the figures are old."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from snapshots_fixtures import NOW, calm_snapshot

from gt_tui.engine.snapshot import SourceError
from gt_tui.export import header_view
from gt_tui.export.json import render_json
from gt_tui.export.style import DEFAULT_PALETTE, ViewState
from gt_tui.export.window import attention_table


def down_snapshot():
    calm = calm_snapshot()
    since = NOW - timedelta(minutes=3)
    dolt = replace(calm.dolt, error="cannot connect: Connection refused", error_since=since)
    town = replace(calm.town, stale=("convoys_open", "convoys_staged", "mail_backlog"))
    metrics = tuple(replace(m, stale=m.key != "polecat_spawn") for m in calm.metrics)
    errors = (SourceError("dolt", "cannot connect: Connection refused", since),)
    return replace(calm, dolt=dolt, town=town, metrics=metrics, errors=errors), since


def test_the_header_says_unreachable_since_not_updated_just_now() -> None:
    snapshot, since = down_snapshot()
    view = ViewState(now=NOW + timedelta(seconds=1), wall=True)
    for width in (80, 120, 200):
        line = header_view.header_line(snapshot, view, DEFAULT_PALETTE, width).plain
        assert "updated" not in line and "0s ago" not in line, line
        assert since.astimezone().strftime("%H:%M:%S") in line, line
    wide = header_view.header_line(snapshot, view, DEFAULT_PALETTE, 200).plain
    assert "DB UNREACHABLE since" in wide


def test_counts_from_a_dead_server_are_stale_on_screen_and_null_in_json() -> None:
    snapshot, _ = down_snapshot()
    line = header_view.town_line(snapshot, DEFAULT_PALETTE, 200).plain
    assert "convoys 4 open (stale)" in line and "mail 3 pending (stale)" in line
    town = json.loads(render_json(snapshot))["town"]
    assert (town["convoys_open"], town["convoys_staged"], town["mail_backlog"]) == (None,) * 3
    never = replace(snapshot.town, convoys_open=None, mail_backlog=None)
    assert header_view.count_text(never, "mail_backlog", "pending") == "? pending"


def test_stale_metrics_are_not_all_clear() -> None:
    snapshot, _ = down_snapshot()
    text = attention_table(snapshot, DEFAULT_PALETTE).plain  # type: ignore[union-attr]
    assert "nothing over its threshold" not in text
    assert text.startswith("? not judged, source failing")
