"""One town built with TODAY's gt conventions, read exactly, on both backends.

The town (`towns_today.add_known_today` on `towns.build_town`): the deacon patrols as
`deacon/` and, in an older row, as `deacon`; one open convoy and two staged ones; one sling
context open and one closed circuit-broken in the window; polecat heartbeats without
`state`, judged by the town's own staleness limit (10 minutes in `settings/config.json`);
a rig `plain` without `beads.prefix`, whose polecat Moss runs in tmux session `gt-Moss`;
a nested `mayor/town.json` in a rig's clone; and, on MariaDB, a `config.yaml` whose port
line carries a trailing comment while `daemon.json` names a port where nothing listens,
so the console reaches the server only by reading config.yaml right.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builder.files import write_json
from helpers import tmux
from sqlserver import free_port
from towns import NOW, QUERIES_PER_REFRESH, BuiltTown, build_town
from towns_today import TODAY_RIGS, add_known_today, drop_rig_prefix

from gt_tui.engine.engine import Engine
from gt_tui.engine.ops import worktree_pool as wp
from gt_tui.export.header_view import town_facts, town_line
from gt_tui.export.json import snapshot_dict
from gt_tui.export.style import Palette
from gt_tui.export.window import group_summaries
from gt_tui.health import Health
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.layout import TownLocation, locate_town

BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]


def heartbeat(built: BuiltTown, session: str, minutes_ago: float) -> None:
    """gt's v1 heartbeat: a timestamp and no `state` (which gt reads as working)."""
    stamp = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
    path = built.root / ".runtime" / "heartbeats" / f"{session}.json"
    path.write_text(json.dumps({"timestamp": stamp.replace("+00:00", "Z")}))


def lay_out_today(built: BuiltTown) -> None:
    """The town files of today's gt (the beads are `add_known_today`'s)."""
    drop_rig_prefix(built, "plain")
    settings = {"type": "town-settings", "version": 1}
    settings["operational"] = {"polecat": {"heartbeat_stale_threshold": "10m"}}
    write_json(built.root / "settings" / "config.json", settings)
    heartbeat(built, "gt-Toast", 1)  # fresh: working
    heartbeat(built, "gt-Nux", 5)  # stale for gt's default 3 min, fresh for this town's 10
    heartbeat(built, "bd-Rex", 12)  # stale either way
    nested = built.root / "plain" / "mayor" / "rig" / "mayor" / "town.json"
    nested.parent.mkdir(parents=True, exist_ok=True)
    nested.write_text('{"type": "town", "name": "a rig clone"}')
    if built.backend == "mysql":
        assert built.server is not None
        config = built.root / ".dolt-data" / "config.yaml"
        port = built.server.endpoint.port
        text = config.read_text().replace(f"  port: {port}\n", f"  port: {port}  # gt\n")
        config.write_text(text)
        daemon = built.root / "mayor" / "daemon.json"
        data = json.loads(daemon.read_text())
        data["env"]["GT_DOLT_PORT"] = str(free_port())  # nothing listens there
        daemon.write_text(json.dumps(data))


@pytest.fixture(params=BACKENDS)
def today(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BuiltTown]:
    server = request.getfixturevalue("mariadb") if request.param == "mysql" else None
    built = build_town(tmp_path / "town", request.param, server=server, rigs=TODAY_RIGS)
    try:
        add_known_today(built, NOW)
        lay_out_today(built)
        yield built
    finally:
        built.close()


def test_a_town_built_with_todays_conventions_reads_exactly(
    today: BuiltTown, tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GT_PROCESS_NAMES", "sleep")  # the agent Moss's session runs
    found = locate_town(None, {}, today.root / "plain" / "mayor" / "rig")
    assert found == TownLocation(today.root, "current directory")  # the outermost town.json
    town = today.town({"GT_TMUX_SOCKET": tmux_socket})
    prefixes = [(r.name, r.prefix) for r in town.rigs]
    assert prefixes == [("beads", "bd"), ("gastown", "gt"), ("plain", "gt")]
    if today.server is not None:  # config.yaml's port, despite its comment and daemon.json
        assert town.endpoint.port == today.server.endpoint.port
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Moss", "sleep 600")

    settings = Settings.defaults()
    db = open_database(town, settings, read_only=True)
    engine = Engine(town, db, settings, read_only=True, clock=lambda: NOW)
    try:
        engine.refresh()
        before = engine.db.round_trips
        snap = engine.refresh()
        assert engine.db.round_trips - before == snap.engine.queries
        assert snap.engine.queries == QUERIES_PER_REFRESH[today.backend]  # nothing added
        facts = engine.facts
    finally:
        engine.close()
    assert snap.errors == ()

    # The deacon: one role, whichever form its rows take.
    patrol = snap.metric("patrol_cycle")
    assert sorted((s.group, s.value) for s in patrol.samples) == [
        ("deacon/", 20.0),
        ("deacon/", 40.0),
        ("gastown/witness", 45.0),
    ]
    assert [(g.group, g.count) for g in group_summaries(patrol)] == [
        ("gastown/witness", 1),
        ("deacon/", 2),
    ]
    boxes = {node.key: node for node in snap.bottlenecks}
    assert boxes["deacon"].facts[0] == "cycle p95 39 s (2)"

    # Convoys: gt's open is status 'open'; staged ones apart.
    assert (snap.town.convoys_open, snap.town.convoys_staged) == (1, 2)
    by_id = {c.id: (c.status, c.tracked, c.closed) for c in facts.convoys}
    assert by_id == {
        "hq-cv-o": ("open", 1, 1),
        "hq-cv-r": ("staged_ready", 1, 0),
        "hq-cv-w": ("staged_warnings", 0, 0),
    }
    data = snapshot_dict(snap)["town"]
    assert (data["convoys_open"], data["convoys_staged"]) == (1, 2)
    palette = Palette()
    assert "convoys 1 open · 2 staged" in town_line(snap, palette, 200).plain
    grid = town_facts(snap, palette)
    assert "1 open · 2 staged" in [str(cell) for cell in grid.columns[1].cells]

    # Sling contexts: one queued, one circuit-broken in the window.
    assert (facts.queue_depth, facts.dispatch_failures) == (1, 1)
    assert boxes["mayor"].health is Health.WARNING
    assert boxes["mayor"].facts == ("dispatch failures 1", "queue 1/100", "oldest wait 15m 0s")

    # The rig without a prefix: its polecat's session is gt-Moss, seen live on tmux.
    assert snap.town.polecats == 4
    assert snap.town.polecats_running == 1
    assert facts.running_sessions == {"gt-Moss"}

    # Heartbeats without state, judged by the town's 10-minute limit.
    pools = {pool.rig: pool for pool in wp.list_pool(town)}
    in_use = {p.name: p.reason for pool in pools.values() for p in pool.in_use}
    assert in_use == {
        "Toast": "heartbeat says working",
        "Nux": "heartbeat says working",
        "Moss": "tmux session gt-Moss is live",
    }
    assert [p.name for p in pools["beads"].idle] == ["Rex"]
