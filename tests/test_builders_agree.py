"""One town built twice, by the sandbox (`gt_tui.sandbox`) and by the test-only `builder`
from beads' DDL and gt's formats: the engine must read the same figures from both.

If the sandbox writer and the engine shared a misreading of gt's schema, the engine tests
(on builder towns) and the sandbox (on its own) would each pass; this test makes the two
writers meet in what the engine reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clock import FakeClock
from sqlserver import SQLServer
from towns import (
    NOW,
    RIGS,
    BuiltTown,
    add_known_convoys,
    add_known_events,
    add_known_mail,
    add_known_patrols,
    build_town,
)
from towns_today import add_known_today

from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.sandbox.event_log import append_event_line
from gt_tui.sandbox.layout import RigPlan, sqlite_relpath, write_town_files
from gt_tui.sandbox.schema import create_beads_schema
from gt_tui.sandbox.writer import BeadsWriter
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.db import Database
from gt_tui.town.sqlite_db import SQLiteDatabase

VARIANTS = ["v1.0.0", "v1.0.5"]
TIMED = ("dolt_latency", "convoy_refresh")  # measured by the engine, not read from the town
PAIRS = [pytest.param(("mysql", v), marks=pytest.mark.mariadb, id=f"mysql-{v}") for v in VARIANTS]
PAIRS += [pytest.param(("sqlite", v), id=f"sqlite-{v}") for v in VARIANTS]


class SandboxTown(BuiltTown):
    """A `BuiltTown` whose rows and event lines come from the sandbox's own writer."""

    def writer(self, key: str = "hq") -> BeadsWriter:  # type: ignore[override]
        return BeadsWriter(self.db, hq=self.databases[key], variant=self.variant)

    def event(self, type: str, actor: str, payload: dict, ts) -> None:  # type: ignore[override]
        append_event_line(self.root, type, actor, payload, ts)


def sandbox_town(root: Path, backend: str, variant: str, server: SQLServer | None) -> SandboxTown:
    """The same town as `towns.build_town`, laid out and created by `gt_tui.sandbox`."""
    keys = ["hq", *(rig.name for rig in RIGS)]
    plans = [RigPlan(rig.name, rig.prefix, rig.polecats) for rig in RIGS]
    if backend == "mysql":
        assert server is not None
        databases = dict(zip(keys, server.fresh_database_names(len(keys)), strict=True))
        write_town_files(root, "testtown", plans, server.endpoint, databases, created_at=NOW)
        db: Database = server.admin()
    else:
        databases = {key: key for key in keys}
        write_town_files(root, "testtown", plans, None, databases, created_at=NOW)
        db = SQLiteDatabase({d: root / sqlite_relpath(d) for d in databases.values()})
    prefixes = {"hq": "hq", **{rig.name: rig.prefix for rig in RIGS}}
    for key, database in databases.items():
        create_beads_schema(db, database, variant, prefix=prefixes[key])
    return SandboxTown(root, backend, variant, databases, db, server)


def fill(t: BuiltTown) -> None:
    """The known data of the engine tests, today's conventions included."""
    for add in (add_known_mail, add_known_convoys, add_known_patrols, add_known_events):
        add(t, NOW)
    add_known_today(t, NOW)


def read(t: BuiltTown) -> Snapshot:
    town, settings = t.town(), Settings.defaults()
    engine = Engine(
        town, open_database(town, settings, read_only=True), settings,
        read_only=True, clock=FakeClock(),
    )  # fmt: skip
    try:
        return engine.refresh()
    finally:
        engine.close()


def figures(snap: Snapshot) -> dict[str, object]:
    """What the engine read, without what differs by construction: paths, the per-test
    database names, and the two metrics the engine times itself (only their counts)."""
    metrics: dict[str, object] = {}
    for m in snap.metrics:
        if m.key in TIMED:
            metrics[m.key] = (m.count, m.error)
            continue
        samples = sorted((s.value, s.subject, s.group) for s in m.samples)
        metrics[m.key] = (m.count, m.p50, m.p95, m.max, m.health, m.error, samples)
    info = snap.town
    town = (info.name, info.rigs, info.polecats, info.convoys_open, info.mail_backlog,
            info.convoys_staged)  # fmt: skip
    return {"metrics": metrics, "town": town, "errors": [e.source for e in snap.errors]}


@pytest.fixture
def both(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[BuiltTown, BuiltTown]]:
    backend, variant = request.param
    server = request.getfixturevalue("mariadb") if backend == "mysql" else None
    ours = build_town(tmp_path / "builder", backend, variant, server=server)
    theirs = sandbox_town(tmp_path / "sandbox", backend, variant, server)
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


@pytest.mark.parametrize("both", PAIRS, indirect=True)
def test_the_engine_reads_the_same_town_from_either_builder(
    both: tuple[BuiltTown, BuiltTown],
) -> None:
    ours, theirs = both
    fill(ours)
    fill(theirs)
    seen, expected = figures(read(ours)), figures(read(theirs))
    assert seen["metrics"]["mail_lag"][:4] == (3, 4.0, pytest.approx(6.7), 7.0)  # not empty
    assert seen["town"][3] == 3  # convoys open: hq-cv-a, hq-cv-b, hq-cv-o
    assert all(seen["metrics"][key][0] > 0 for key in ("polecat_spawn", "patrol_cycle"))
    assert seen == expected
