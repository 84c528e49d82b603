"""Readers apart from the Engine: a Reading from a hand-built ReadContext, and no reader
module that climbs back to the engine (the import circle issue 10 removed)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import timedelta
from pathlib import Path

import pytest
from test_engine import Towns
from towns import NOW

import gt_tui
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.churn import ChurnMeter
from gt_tui.engine.facts import FactUpdate, TownFacts
from gt_tui.engine.host import HostMonitor
from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.limits.limited_db import LimitedDatabase
from gt_tui.engine.proc_table import ProcPass
from gt_tui.engine.readers import READERS
from gt_tui.engine.reading import ReadContext, Reading
from gt_tui.engine.resources import ResourceLimits, ResourceMonitor
from gt_tui.engine.spawns import SpawnPairer
from gt_tui.engine.tracked import Tracking
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.convoys import ConvoyProgress
from gt_tui.town.events import EventsTail
from gt_tui.town.model import Town

PACKAGE = Path(gt_tui.__file__).parent
READER = {reader.name: reader for reader in READERS}


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Towns]:
    made = Towns(request, tmp_path)
    yield made
    made.close()


def context(town: Town, db: LimitedDatabase, settings: Settings) -> ReadContext:
    """Everything a reader may read, built by hand: no Engine anywhere."""
    return ReadContext(
        db=db,
        town=town,
        cache=EngineCache.from_settings(settings),
        now=NOW,
        since=NOW - timedelta(seconds=settings.number("metrics.window")),
        pool_idle_s=settings.number("dolt.conn_max_idle_time"),
        schema=None,
        server=None,
        probe=None,
        facts=TownFacts(),
        events=EventsTail(town.events_file),
        pairer=SpawnPairer(),
        churn=ChurnMeter(),
        host=HostMonitor(),
        resources=ResourceMonitor(ResourceLimits.from_settings(settings)),
        tracking=Tracking(),
        procs=ProcPass(),
    )


@pytest.mark.mariadb
def test_readers_run_and_are_checked_apart_from_the_engine(towns: Towns) -> None:
    built = towns.known("mysql", "v1.0.0")
    town, settings = built.town(), Settings.defaults()
    db = LimitedDatabase(open_database(town, settings, read_only=True), Limits(settings))
    try:
        ctx = context(town, db, settings)
        dolt = READER["dolt"].read(ctx)
        assert dolt.server is not None and dolt.server.kind == "mysql"
        assert dolt.probe is not None and dolt.probe.sql == "SELECT 1" and dolt.forget_probe
        (probe,) = dolt.appended["dolt_latency"]
        assert (probe.value, probe.at) == (dolt.probe.ms, NOW)
        assert (dolt.facts.get("connections") or 0) >= 1

        # A database reader without the schema reads it itself, and says so.
        mail = READER["mail"].read(ctx)
        assert mail.schema is not None and mail.schema.layout(built.hq) == "v1.0.0"
        lags = mail.replaced["mail_lag"]
        assert sorted((s.subject, s.value) for s in lags) == [
            ("hq-lag2", 2.0),
            ("hq-lag4", 4.0),
            ("hq-wisp-lag7", 7.0),
        ]
        assert mail.facts == {"mail_backlog": 2}
        assert mail.skipped == {"mail_lag": 1}  # the known town's "delivery-acked-at:not-a-time"

        # A later reader sees what an earlier one read: the schema, given, is not re-read.
        trips = db.round_trips
        convoys = READER["convoys"].read(replace(ctx, schema=mail.schema))
        assert db.round_trips - trips == 2  # the two convoy queries, no schema detection
        assert convoys.facts.get("convoys") == [
            ConvoyProgress("hq-cv-a", "Work: A", 3, 2, ("gastown/polecats/Toast",)),
            ConvoyProgress("hq-cv-b", "Work: B", 1, 0, ()),
        ]
        patrols = READER["patrols"].read(replace(ctx, schema=mail.schema))
        assert patrols.facts.get("patrols_running") == {"deacon/": NOW - timedelta(seconds=300)}
        assert sorted(s.value for s in patrols.replaced["patrol_cycle"]) == [20.0, 45.0, 70.0]
    finally:
        db.close()


def test_a_reading_is_data_and_facts_name_only_town_facts() -> None:
    assert Reading().facts == {} and Reading().appended == {}
    assert set(FactUpdate.__annotations__) == {f.name for f in fields(TownFacts)}
    assert [r.name for r in READERS][:2] == ["dolt", "schema"]  # the probe gates the rest
    assert {r.name for r in READERS if r.needs_database} == {
        "schema",
        "changes",
        "mail",
        "convoys",
        "patrols",
        "queue",
        "merge_requests",
        "agents",
    }


def imports_of(module: str) -> set[str]:
    """The gt_tui modules one module imports (any depth of `from a.b import c`)."""
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gt_tui"):
            found.add(node.module)
            found |= {
                f"{node.module}.{a.name}" for a in node.names if is_module(node.module, a.name)
            }
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("gt_tui")}
    return found


def is_module(package: str, name: str) -> bool:
    base = PACKAGE.parent / package.replace(".", "/") / name
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def test_no_reader_reaches_the_engine() -> None:
    readers = [f"gt_tui.engine.readers.{p.stem}" for p in (PACKAGE / "engine/readers").glob("*.py")]
    todo, seen = ["gt_tui.engine.reading", *readers], set()
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += sorted(imports_of(module) - seen)
    assert "gt_tui.engine.readers.dolt" in seen and "gt_tui.town.sling" in seen
    assert "gt_tui.engine.engine" not in seen
