"""The convoy reader: every open convoy and its progress, rebuilt whole when it may differ.

The view is read whole, through beads' `issue_type` index, because its build time is the
metric it measures (`convoy_refresh`). It is rebuilt when the change feed names a bead it
may rest on, and at least every cadence period otherwise (engine/readers/__init__.py
`CADENCES`), so the metric stays live in a quiet town; every sample is a real rebuild.

What the view rests on: hq's beads (the convoys, the issues tracked in hq, and the
`dependency_added`/`_removed` events bd writes on a convoy), so any change there counts;
and in each rig, the issues an open convoy tracks (`external:<prefix>:<id>`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from gt_tui.engine.readers.dolt import known_schema
from gt_tui.engine.reading import ReadContext, Reading
from gt_tui.engine.snapshot import Sample
from gt_tui.town import beads
from gt_tui.town.convoys import ConvoyProgress, convoy_view
from gt_tui.town.db import Database, Row
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema

EXTERNAL = "external"  # a dependency target in another rig: `external:<prefix>:<id>`
# Per database, the ids of its `issues` the view rests on; None: every bead there.
ConvoyWatch = Mapping[str, frozenset[str] | None]


def build_convoy_view(db: Database, schema: BeadsSchema, town: Town) -> list[ConvoyProgress]:
    """Every open convoy with its tracked issues and progress: two queries in all."""
    return convoy_view(*convoy_rows(db, schema, town))


def convoy_rows(db: Database, schema: BeadsSchema, town: Town) -> tuple[list[Row], list[Row]]:
    """The two convoy queries' rows: the open convoys with their targets, and the issues
    they track."""
    convoys = beads.open_convoys(db, schema, town.hq_database)
    return convoys, beads.tracked_issues(db, schema, town)


def read_convoys(ctx: ReadContext) -> Reading:
    started = time.perf_counter()
    schema = known_schema(ctx)
    convoys, tracked = convoy_rows(ctx.db, schema, ctx.town)
    view = convoy_view(convoys, tracked)
    seconds = time.perf_counter() - started
    ctx.tracking.convoy_watch = convoy_watch(convoys, ctx.town)
    sample = Sample(seconds, ctx.now, subject="convoy view")
    return Reading(appended={"convoy_refresh": (sample,)}, facts={"convoys": view}, schema=schema)


def convoy_watch(convoys: list[Row], town: Town) -> ConvoyWatch:
    """What a change must touch to change the view: any bead of hq, and in each rig the
    issues the open convoys track there (a target not found yet included)."""
    by_prefix: dict[str, list[str]] = {}
    for rig in town.rigs:
        by_prefix.setdefault(rig.prefix, []).append(rig.database)
    targets: dict[str, set[str]] = {}
    for *_, target in convoys:
        parts = str(target or "").split(":", 2)
        if len(parts) == 3 and parts[0] == EXTERNAL:
            for database in by_prefix.get(parts[1], ()):
                targets.setdefault(database, set()).add(parts[2])
    watch: dict[str, frozenset[str] | None] = {db: frozenset(ids) for db, ids in targets.items()}
    watch[town.hq_database] = None
    return watch


def convoys_changed(ctx: ReadContext) -> bool:
    """The convoy view's signal: whether this refresh's change feed names a bead the view
    rests on. Without the feed's word (no baseline, a feed that failed or was not read, too
    many changes to name) the view may have changed."""
    changes, watch = ctx.tracking.changes(ctx.now), ctx.tracking.convoy_watch
    if changes is None or changes.overflow or watch is None:
        return True
    for (database, table), ids in changes.ids.items():
        if table != "issues" or database not in watch:
            continue
        wanted = watch[database]
        if wanted is None or ids & wanted:
            return True
    return False
