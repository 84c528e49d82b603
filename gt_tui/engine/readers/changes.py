"""The change reader: which beads bd wrote since the last refresh (engine/tracked.py).

It runs before the readers that keep rows across refreshes, so they read only the beads
named here; a refresh in which it did not run leaves them to read in full.
"""

from __future__ import annotations

from gt_tui.engine.readers.dolt import known_schema
from gt_tui.engine.reading import ReadContext, Reading


def read_changes(ctx: ReadContext) -> Reading:
    schema = known_schema(ctx)
    tracking = ctx.tracking
    tracking.latest = tracking.feed.read(ctx.db, schema, ctx.town.databases, ctx.now)
    return Reading(schema=schema)
