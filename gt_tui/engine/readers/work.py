"""The readers of the town's work in beads: convoys, patrols, the sling queue, merge
requests and agents. Each is a constant number of queries over every database."""

from __future__ import annotations

import time

from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.collectors import lenient_utc, patrol_samples
from gt_tui.engine.readers.dolt import cached_schema, known_schema
from gt_tui.engine.reading import ReadContext, Reading
from gt_tui.engine.snapshot import Sample
from gt_tui.town import beads
from gt_tui.town.convoys import ConvoyProgress, convoy_view
from gt_tui.town.db import Database, Row
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema
from gt_tui.town.sling import read_sling_contexts


def build_convoy_view(db: Database, schema: BeadsSchema, town: Town) -> list[ConvoyProgress]:
    """Every open convoy with its tracked issues and progress: two queries in all."""
    convoys = beads.open_convoys(db, schema, town.hq_database)
    return convoy_view(convoys, beads.tracked_issues(db, schema, town))


def read_convoys(ctx: ReadContext) -> Reading:
    started = time.perf_counter()
    schema = known_schema(ctx)
    convoys = build_convoy_view(ctx.db, schema, ctx.town)
    seconds = time.perf_counter() - started
    sample = Sample(seconds, ctx.now, subject="convoy view")
    return Reading(
        appended={"convoy_refresh": (sample,)}, facts={"convoys": convoys}, schema=schema
    )


def read_patrols(ctx: ReadContext) -> Reading:
    schema = known_schema(ctx)
    rows = beads.patrols(ctx.db, schema, ctx.town.databases, ctx.since)
    cycles = patrol_samples(rows, ctx.now)
    return Reading(
        replaced={"patrol_cycle": tuple(s for s in cycles.samples if s.at >= ctx.since)},
        skipped={"patrol_cycle": cycles.skipped},
        facts={"patrols_running": cycles.running},
        schema=schema,
    )


def read_queue(ctx: ReadContext) -> Reading:
    """The queue and the window's dispatch failures (circuit-broken contexts): one query."""
    schema = known_schema(ctx)
    queue = read_sling_contexts(ctx.db, ctx.town, schema, ctx.since)
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
    schema = known_schema(ctx)
    rows = beads.merge_requests(ctx.db, schema, ctx.town.databases)
    requests = [(str(db), str(i), lenient_utc(at)) for db, i, at in rows]
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
