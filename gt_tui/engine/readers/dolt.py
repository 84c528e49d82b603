"""The server's readers: the probe and processlist ("dolt"), and the beads schema ("schema").

Both read through the L2 "status" cache: the server's status (kind, limits, zones) and the
schema are re-read when their entry expires (15 min) or is cleared.
"""

from __future__ import annotations

from dataclasses import replace

from gt_tui import health as h
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.facts import FactUpdate
from gt_tui.engine.reading import ReadContext, ReadFailed, Reading
from gt_tui.engine.snapshot import Sample
from gt_tui.town.db import Database
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema, detect_schema
from gt_tui.town.server import ServerStatus, idle_limit, read_server_status, run_probe


def read_dolt(ctx: ReadContext) -> Reading:
    """The probe, then one processlist read: connections, long queries and the highest id.

    A fresh status read retries Dolt's own probe after a fallback (the last probe is
    forgotten) and caps the pool's idle time. What was read before a later step fails
    (the status, then the probe) is kept all the same: `ReadFailed`.
    """
    fresh = False

    def load() -> ServerStatus:
        nonlocal fresh
        status = _server_status(ctx)
        fresh = True
        return status

    status: ServerStatus = ctx.cache.read_through("status", "server", load)
    last = None if fresh else ctx.probe
    failing = last.reason if last and last.fell_back else None
    reading = Reading(server=status, forget_probe=fresh)
    try:
        probe = run_probe(ctx.db, status.kind, known_failing=failing)
        sample = Sample(probe.ms, ctx.now, subject="probe")
        reading = replace(reading, probe=probe, appended={"dolt_latency": (sample,)})
        return replace(reading, facts=_processlist(ctx, status))
    except Exception as exc:
        raise ReadFailed(reading, exc) from exc


def _server_status(ctx: ReadContext) -> ServerStatus:
    status = read_server_status(ctx.db)
    cap = getattr(ctx.db, "cap_idle_time", None)  # only a pooled server has one
    if cap is not None:
        cap(idle_limit(ctx.pool_idle_s, status))
    return status


def _processlist(ctx: ReadContext, status: ServerStatus) -> FactUpdate:
    if ctx.db.dialect != "mysql":
        return FactUpdate()
    total, long_running, top_id = ctx.db.query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN command = %s AND time >= %s"
        " THEN 1 ELSE 0 END), 0), MAX(id) FROM information_schema.PROCESSLIST",
        ["Query", h.LONG_QUERY_S],
    )[0]
    return FactUpdate(
        connections=int(total),
        long_queries=int(long_running),
        max_connections=status.max_connections,
        new_connections_per_s=ctx.churn.rate(None if top_id is None else int(top_id)),
    )


def cached_schema(cache: EngineCache, db: Database, town: Town) -> BeadsSchema:
    """The schema through its L2 cache entry, detected afresh when it expired."""
    databases = town.databases
    schema: BeadsSchema = cache.read_through(
        "status", "schema", lambda: detect_schema(db, databases)
    )
    return schema


def read_schema(ctx: ReadContext) -> Reading:
    """The schema, re-detected when its cache entry expires (L2, 15 min) or is cleared."""
    return Reading(schema=cached_schema(ctx.cache, ctx.db, ctx.town))


def known_schema(ctx: ReadContext) -> BeadsSchema:
    """The schema read this refresh, or read now where the schema reader could not."""
    return ctx.schema if ctx.schema is not None else cached_schema(ctx.cache, ctx.db, ctx.town)
