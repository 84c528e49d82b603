"""The sling queue: open `gt:sling-context` beads across hq and rigs, and flushing them."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from town_backends import BACKENDS, TownOnBackend, open_town

from gt_tui.engine.ops import queue as queue_module
from gt_tui.engine.ops.queue import flush_queue, queue_view
from gt_tui.settings import Settings
from gt_tui.town.db import quote_name, utc
from gt_tui.town.git import CommandTimeout
from gt_tui.town.schema import BeadsSchema, detect_schema
from gt_tui.town.sling import SLING_LABEL, context_fields, list_queue, read_sling_contexts

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def gt_json(work: str, rig: str, enqueued: datetime) -> str:
    """A description as gt's scheduler writes it (SlingContextFields JSON)."""
    stamp = enqueued.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"version": 1, "work_bead_id": work, "target_rig": rig, "enqueued_at": stamp})


def add_context(
    made: TownOnBackend, database: str, bead_id: str, created: datetime, description: str, **kw
) -> None:
    """A sling context bead (a wisp unless `table` says otherwise)."""
    kw.setdefault("table", "wisps")
    made.writer.add_issue(
        database, bead_id, f"sling {bead_id}", created_at=created, labels=[SLING_LABEL],
        description=description, **kw,
    )  # fmt: skip


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TownOnBackend]:
    """hq and two rigs with sling contexts written four ways, plus decoys."""
    for made in open_town(request, tmp_path):
        hq, gastown, beads = made.hq, made.rig_db("gastown"), made.rig_db("beads")
        minute = timedelta(minutes=1)
        add_context(
            made, hq, "hq-wisp-a", T0 + 9 * minute, gt_json("gt-1", "gastown", T0 + 5 * minute)
        )
        add_context(
            made, gastown, "gt-wisp-b", T0 + 9 * minute, gt_json("gt-2", "gastown", T0 + minute)
        )
        lines = "work_bead_id: bd-3\nenqueued_at: 2026-05-01T12:03:00Z"
        add_context(made, beads, "bd-wisp-c", T0, lines)
        add_context(made, gastown, "gt-d", T0 + 7 * minute, "work_bead_id: gt-4", table="issues")
        add_context(made, hq, "hq-wisp-e", T0, "")
        meta = {"enqueued_at": "2026-05-01T12:08:00Z", "target_rig": "beads"}
        meta["work_bead_id"] = "bd-5"
        made.db.execute(
            f"UPDATE {quote_name(hq)}.`wisps` SET metadata = %s WHERE id = %s",
            [json.dumps(meta), "hq-wisp-e"],
        )
        done = gt_json("gt-9", "gastown", T0)
        add_context(made, hq, "hq-wisp-x", T0, done, status="closed", closed_at=T0)
        made.writer.add_issue(gastown, "gt-plain", "not a context", created_at=T0)
        yield made


def schema_of(made: TownOnBackend) -> BeadsSchema:
    return detect_schema(made.db, made.town.databases)


def test_list_is_oldest_first_across_databases_and_tables(town: TownOnBackend) -> None:
    db = town.open()
    schema = schema_of(town)
    before = db.round_trips
    items = list_queue(db, town.town, schema)
    assert db.round_trips - before == 1
    assert [i.id for i in items] == ["gt-wisp-b", "bd-wisp-c", "hq-wisp-a", "gt-d", "hq-wisp-e"]
    by_id = {i.id: i for i in items}
    assert (by_id["gt-wisp-b"].work_bead, by_id["gt-wisp-b"].rig) == ("gt-2", "gastown")
    assert by_id["bd-wisp-c"].rig == "beads"  # no target_rig: the database's rig
    assert by_id["bd-wisp-c"].enqueued_at == T0 + timedelta(minutes=3)
    assert (by_id["gt-d"].enqueued_from, by_id["gt-d"].table) == ("created_at", "issues")
    assert by_id["gt-d"].enqueued_at == T0 + timedelta(minutes=7)
    assert by_id["hq-wisp-e"].enqueued_from == "metadata"
    assert (by_id["hq-wisp-e"].rig, by_id["hq-wisp-e"].work_bead) == ("beads", "bd-5")
    assert by_id["gt-wisp-b"].waited(NOW) == 59 * 60


def test_circuit_broken_contexts_are_dispatch_failures_in_the_same_query(
    town: TownOnBackend,
) -> None:
    # gt closes a context `circuit-broken` after three failed dispatches (capacity_dispatch.go).
    broken = gt_json("gt-7", "gastown", T0)
    gastown = town.rig_db("gastown")
    for database, bead_id, closed in (
        (town.hq, "hq-wisp-f1", NOW - timedelta(minutes=5)),  # in the window
        (gastown, "gt-wisp-f2", NOW - timedelta(minutes=14)),  # in the window, a rig's
        (town.hq, "hq-wisp-f3", NOW - timedelta(minutes=20)),  # before the window
    ):
        add_context(town, database, bead_id, T0, broken)
        town.writer.close_issue(database, bead_id, closed, "circuit-broken", table="wisps")
    db, schema = town.open(), schema_of(town)
    before = db.round_trips
    reading = read_sling_contexts(db, town.town, schema, failed_since=NOW - timedelta(minutes=15))
    assert db.round_trips - before == 1
    assert reading.dispatch_failures == 2  # hq-wisp-x (closed, another reason) is not one
    assert [i.id for i in reading.items] == [i.id for i in list_queue(db, town.town, schema)]
    assert len(reading.items) == 5  # closed contexts never join the queue
    assert read_sling_contexts(db, town.town, schema).dispatch_failures == 0


def test_view_reports_depth_against_the_queue_size(town: TownOnBackend) -> None:
    settings = Settings.defaults().with_value("sling.queue_size", 4)
    view = queue_view(town.db, town.town, schema_of(town), settings, NOW)
    assert (view.depth, view.limit, view.over_limit) == (5, 4, True)
    assert view.oldest_wait == 59 * 60


def closed_rows(made: TownOnBackend, database: str, table: str) -> dict[str, tuple]:
    rows = made.db.query(
        f"SELECT id, status, close_reason, closed_at FROM {quote_name(database)}.{table}"
        " WHERE status = %s",
        ["closed"],
    )
    return {row[0]: row[1:] for row in rows}


def test_flush_one_rig_closes_only_its_contexts(town: TownOnBackend) -> None:
    db = town.open()
    schema = schema_of(town)
    before = db.round_trips
    done = flush_queue(db, town.town, schema, who="tester", rig="gastown", now=lambda: NOW)
    assert done.via == "sql"
    assert sorted(done.closed) == ["gt-d", "gt-wisp-b", "hq-wisp-a"]
    # one list, then per (database, table): one UPDATE and one events insert
    assert db.round_trips - before == 1 + 3 * 2
    gastown = town.rig_db("gastown")
    assert closed_rows(town, gastown, "wisps")["gt-wisp-b"][:2] == (
        "closed",
        "flushed by gt-tui: tester",
    )
    assert utc(closed_rows(town, gastown, "issues")["gt-d"][2]) == NOW
    assert "hq-wisp-a" in closed_rows(town, town.hq, "wisps")
    left = [i.id for i in list_queue(db, town.town, schema)]
    assert left == ["bd-wisp-c", "hq-wisp-e"]
    events = db.query(
        f"SELECT issue_id, actor, comment FROM {quote_name(gastown)}.wisp_events"
        " WHERE event_type = %s",
        ["closed"],
    )
    assert events == [("gt-wisp-b", "tester", "flushed by gt-tui: tester")]


def test_flush_cost_does_not_grow_with_the_queue(town: TownOnBackend) -> None:
    gastown = town.rig_db("gastown")
    for n in range(40):
        add_context(town, gastown, f"gt-wisp-n{n}", T0, gt_json(f"gt-{n}", "gastown", T0))
    db = town.open()
    before = db.round_trips
    done = flush_queue(db, town.town, schema_of(town), who="t", use_gt=lambda: False)
    assert len(done.closed) == 45
    assert db.round_trips - before == 1 + 4 * 2  # four (database, table) groups
    assert list_queue(db, town.town, schema_of(town)) == []


def test_empty_queue_flushes_nothing(town: TownOnBackend) -> None:
    flush_queue(town.db, town.town, schema_of(town), who="t", use_gt=lambda: False)
    done = flush_queue(town.db, town.town, schema_of(town), who="t", use_gt=lambda: False)
    assert (done.closed, done.via) == ((), "none")


def test_context_fields_prefer_the_description() -> None:
    assert context_fields('{"enqueued_at": "x"}', '{"enqueued_at": "y"}')[0]["enqueued_at"] == "x"
    merged = ({"a": "1", "enqueued_at": "y"}, "metadata")
    assert context_fields("a: 1", {"enqueued_at": "y"}) == merged
    assert context_fields(None, None) == ({}, "description")


def fake_gt(tmp_path: Path, body: str) -> Path:
    """A `gt` executable (a Python script) in its own bin directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "gt"
    script.write_text(f"#!{sys.executable}\nimport os, sys, time\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.mark.parametrize("town", ["sqlite"], indirect=True)
def test_gt_clear_is_called_from_the_town_root_and_the_database_is_the_judge(
    town: TownOnBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "gt-calls"
    body = f"open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '|' + os.getcwd() + '\\n')"
    monkeypatch.setenv("PATH", f"{fake_gt(tmp_path, body)}{os.pathsep}{os.environ['PATH']}")
    schema = schema_of(town)
    flush_queue(town.db, town.town, schema, who="t", rig="beads")  # gt has no per-rig clear
    assert not log.exists()
    done = flush_queue(town.db, town.town, schema, who="t")
    assert log.read_text() == f"scheduler clear|{town.town.root}\n"
    assert (done.via, done.closed) == ("gt", ())  # this gt closed nothing, and we say so


@pytest.mark.parametrize("town", ["sqlite"], indirect=True)
def test_a_hanging_gt_is_killed(
    town: TownOnBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "gt.pid"
    body = f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)"
    monkeypatch.setenv("PATH", f"{fake_gt(tmp_path, body)}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(queue_module, "GT_CLEAR_TIMEOUT", 3.0)
    with pytest.raises(CommandTimeout):
        flush_queue(town.db, town.town, schema_of(town), who="t")
    pid = int(pid_file.read_text())
    assert not psutil.pid_exists(pid)
