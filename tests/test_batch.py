"""Batched fetch by id: ceil(n / chunk) queries per table, projection, filters, LIMIT."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builder.rows import IssueRow
from town_backends import BACKENDS, TownOnBackend, open_town

from gt_tui.engine.batch import fetch_beads

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
N_ISSUES, N_WISPS = 1203, 7


@pytest.fixture(params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TownOnBackend]:
    for made in open_town(request, tmp_path):
        rig = made.rig_db("gastown")
        made.writer.add_issues_bulk(
            rig,
            (
                IssueRow(f"gt-{n:05d}", f"task {n}", T0 + timedelta(seconds=n),
                         status="closed" if n % 3 == 0 else "open")
                for n in range(N_ISSUES)
            ),
        )  # fmt: skip
        made.writer.add_issues_bulk(
            rig,
            (IssueRow(f"gt-wisp-{n}", f"wisp {n}", T0, ephemeral=True) for n in range(N_WISPS)),
            table="wisps",
        )
        yield made


def test_fetch_costs_ceil_n_over_chunk_queries_per_table(filled: TownOnBackend) -> None:
    db = filled.open()
    ids = [f"gt-{n:05d}" for n in range(N_ISSUES)] + [f"gt-wisp-{n}" for n in range(N_WISPS)]
    ids.append("gt-nope")
    before = db.round_trips
    rows = fetch_beads(db, filled.rig_db("gastown"), ids, ["id", "status"], chunk=500)
    assert db.round_trips - before == 2 * math.ceil(len(ids) / 500)  # 3 per table
    assert len(rows) == N_ISSUES + N_WISPS
    assert {row["id"] for row in rows} == set(ids) - {"gt-nope"}
    assert set(rows[0]) == {"id", "status"}  # only the named columns


def test_one_chunk_is_one_query_per_table(filled: TownOnBackend) -> None:
    db = filled.open()
    before = db.round_trips
    rows = fetch_beads(db, filled.rig_db("gastown"), ["gt-00001", "gt-00002"], ["title"])
    assert db.round_trips - before == 2
    assert sorted(r["title"] for r in rows) == ["task 1", "task 2"]


def test_filters_and_limit_run_in_sql(filled: TownOnBackend) -> None:
    db = filled.open()
    ids = [f"gt-{n:05d}" for n in range(30)]
    rig = filled.rig_db("gastown")
    closed = fetch_beads(db, rig, ids, ["id"], where={"status": "closed"}, tables=["issues"])
    assert {r["id"] for r in closed} == {f"gt-{n:05d}" for n in range(0, 30, 3)}
    either = fetch_beads(db, rig, ids, ["id"], where={"status": ["open", "closed"]}, limit=4)
    assert len(either) == 4
    before = db.round_trips
    none = fetch_beads(db, rig, ids, ["id"], where={"status": []})
    assert none == [] and db.round_trips - before == 2


def test_limit_stops_querying_once_reached(filled: TownOnBackend) -> None:
    db = filled.open()
    ids = [f"gt-{n:05d}" for n in range(N_ISSUES)]
    before = db.round_trips
    rows = fetch_beads(db, filled.rig_db("gastown"), ids, ["id"], chunk=100, limit=150)
    assert len(rows) == 150
    assert db.round_trips - before == 2  # two chunks filled the limit; no wisps query


@pytest.mark.parametrize(
    ("columns", "where"),
    [(["id", "title; DROP TABLE issues"], None), (["id"], {"nope": 1}), ([], None)],
)
def test_unknown_columns_are_refused_before_any_query(
    filled: TownOnBackend, columns: list[str], where: dict[str, int] | None
) -> None:
    db = filled.open()
    with pytest.raises(ValueError):
        fetch_beads(db, filled.rig_db("gastown"), ["gt-00001"], columns, where=where)
    assert db.round_trips == 0
