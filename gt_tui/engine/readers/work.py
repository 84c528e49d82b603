"""The readers of the town's work in beads: patrols, the sling queue, merge requests and
agents. Each is a constant number of queries over every database.

Patrols, the queue and merge requests keep their rows across refreshes and read again
only the beads that changed (engine/tracked.py); the convoy view's reader is
engine/readers/convoys.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.collectors import PatrolReading, lenient_utc, patrol_samples
from gt_tui.engine.readers.dolt import cached_schema, known_schema
from gt_tui.engine.reading import ReadContext, Reading
from gt_tui.engine.tracked import TrackedRows
from gt_tui.town import beads
from gt_tui.town.changes import beads_closed_since, event_tables
from gt_tui.town.db import Database, Row, sql_time
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema
from gt_tui.town.sling import queue_reading, sling_rows

# Server zones run from UTC-12 to UTC+14: a range of event stamps in the server's frame
# that starts this much early holds every event since a UTC moment.
ZONE_SLACK = timedelta(hours=14)
# Where the server's frame is known: room for its clock and bd's host clock to differ.
STAMP_MARGIN = timedelta(minutes=2)


def read_patrols(ctx: ReadContext) -> Reading:
    """Patrols closed in the window and those running, kept across refreshes: the changed
    beads are read again, and closed cycles leave as the window moves on."""
    schema, since = known_schema(ctx), ctx.since
    databases, offset = ctx.town.databases, ctx.server.utc_offset_s if ctx.server else None
    rows = ctx.tracking.patrols.read(
        schema,
        ctx.tracking.changes(ctx.now),
        full=lambda: first_patrols(ctx.db, schema, databases, since, offset),
        changed=lambda ids: beads.patrols(ctx.db, schema, databases, since, ids),
        keep=lambda row: row[4] == "hooked" or closed_since(row[6], since),
    )
    cycles = patrol_cycles(ctx.tracking.patrols, rows, ctx.now)
    return Reading(
        replaced={"patrol_cycle": tuple(s for s in cycles.samples if s.at >= since)},
        skipped={"patrol_cycle": cycles.skipped},
        facts={"patrols_running": cycles.running},
        schema=schema,
    )


def patrol_cycles(tracked: TrackedRows, rows: list[Row], now: datetime) -> PatrolReading:
    """The cycles of the patrol rows, built again only when the rows moved. A row's cycle
    depends on the moment only through "not in the future", which a later moment keeps:
    a reading that skipped nothing stands while the clock goes forward."""
    built = tracked.derive(
        lambda: (now, patrol_samples([(row[0], *row[2:]) for row in rows], now)),
        stands=lambda last: last[1].skipped == 0 and now >= last[0],
    )
    return built[1]


def always(_last: object) -> bool:
    """What is derived from the rows alone stands while they do."""
    return True


def first_patrols(
    db: Database,
    schema: BeadsSchema,
    databases: tuple[str, ...],
    since: datetime,
    utc_offset_s: int | None,
) -> list[Row]:
    """The window's patrols without a scan of every title: the beads bd closed since the
    window began (its `closed` events), and the hooked ones (the `status` index).

    The events are stamped by the server, in its own frame: the range starts at the
    window's start in that frame, STAMP_MARGIN early (or ZONE_SLACK early where the
    frame is unknown); the rows are then held to the window exactly. A town without
    events tables is scanned as before."""
    tables = list(event_tables(schema, databases))
    if not tables:
        return beads.patrols(db, schema, databases, since)
    if utc_offset_s is None:
        floor = since - ZONE_SLACK
    else:
        floor = since + timedelta(seconds=utc_offset_s) - STAMP_MARGIN
    closed = beads_closed_since(db, tables, sql_time(floor))
    return beads.patrols(db, schema, databases, since, closed, running=True)


def closed_since(value: object, since: datetime) -> bool:
    """A row's `closed_at` inside the window, at the database's whole-second precision."""
    closed = lenient_utc(value)
    return closed is not None and closed >= since.replace(microsecond=0)


def read_queue(ctx: ReadContext) -> Reading:
    """The queue and the window's dispatch failures (circuit-broken contexts), kept across
    refreshes from the contexts that changed; the contexts are parsed again only then."""
    schema, since, town = known_schema(ctx), ctx.since, ctx.town
    rows = ctx.tracking.queue.read(
        schema,
        ctx.tracking.changes(ctx.now),
        full=lambda: sling_rows(ctx.db, town, schema, since),
        changed=lambda ids: sling_rows(ctx.db, town, schema, since, ids),
        keep=lambda row: row[6] == "open" or closed_since(row[7], since),
    )
    queue = ctx.tracking.queue.derive(lambda: queue_reading(rows, town), stands=always)
    items = queue.items
    return Reading(
        facts={
            "queue_depth": len(items),
            "queue_oldest_wait_s": items[0].waited(ctx.now) if items else None,
            "dispatch_failures": queue.dispatch_failures,
        },
        schema=schema,
    )


def read_merge_requests(ctx: ReadContext) -> Reading:
    schema, databases = known_schema(ctx), ctx.town.databases
    rows = ctx.tracking.merge_requests.read(
        schema,
        ctx.tracking.changes(ctx.now),
        full=lambda: beads.merge_requests(ctx.db, schema, databases),
        changed=lambda ids: beads.merge_requests(ctx.db, schema, databases, ids),
    )
    requests = ctx.tracking.merge_requests.derive(
        lambda: [(str(db), str(i), lenient_utc(at)) for db, i, at in rows], stands=always
    )
    return Reading(facts={"merge_requests": requests}, schema=schema)


AGENT_LIST = ("agent", "list")  # the agent list's L2 cache entry (kind, key)


def load_agents(cache: EngineCache, db: Database, town: Town) -> list[Row]:
    """The agent beads, read afresh (the loader of the agent list, for warm-up too)."""
    return beads.agents(db, cached_schema(cache, db, town), town.databases)


def read_agents(ctx: ReadContext) -> Reading:
    """The agent list: an L2 query result (spec §4), re-read when it expires or is cleared,
    and when this refresh's files or tmux reader saw the polecats or the sessions change
    (the agents reader runs after them): a new polecat brings a new agent bead."""
    read: list[BeadsSchema] = []  # the schema only matters when the list is read afresh

    def load() -> list[Row]:
        read.append(known_schema(ctx))
        return beads.agents(ctx.db, read[0], ctx.town.databases)

    seen = (frozenset(ctx.facts.polecats), ctx.facts.tmux_sessions)
    ctx.cache.invalidate_on(*AGENT_LIST, seen)
    rows = ctx.cache.read_through(*AGENT_LIST, load)
    return Reading(facts={"agents": len(rows)}, schema=read[0] if read else None)
