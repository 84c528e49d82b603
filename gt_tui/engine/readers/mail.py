"""The mail reader: delivery lag of acked messages in hq, the backlog, and their titles.

The lags are read through the window (a range of the ack labels); the backlog, a count
over every message ever sent, is kept across refreshes and brought up to date from the
messages that changed (engine/tracked.py). Both change only with a write to hq (a message
sent, acked: gt's ack is a label, which bd records as an event, or closed), so the reader
is on a cadence (`mail_changed`): between, the lags stay in their window, which drops them
by time exactly as a read through the window would."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from gt_tui.engine.batch import fetch_beads
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.collectors import mail_samples
from gt_tui.engine.readers.dolt import known_schema
from gt_tui.engine.reading import ReadContext, ReadFailed, Reading
from gt_tui.engine.snapshot import Sample
from gt_tui.town import beads
from gt_tui.town.db import Database
from gt_tui.town.model import Town

SLOWEST_TITLED = 10


def read_mail(ctx: ReadContext) -> Reading:
    schema, hq = known_schema(ctx), ctx.town.hq_database
    rows = beads.mail_acks(ctx.db, schema, hq, ctx.since)
    lags = mail_samples(rows, ctx.since, ctx.now)
    titled = titled_slowest(ctx.db, ctx.cache, ctx.town, lags.samples)
    reading = Reading(
        replaced={"mail_lag": tuple(titled)}, skipped={"mail_lag": lags.skipped}, schema=schema
    )
    try:
        backlog = ctx.tracking.backlog.read(
            schema,
            ctx.tracking.changes(ctx.now),
            full=lambda: beads.mail_backlog(ctx.db, schema, hq),
            changed=lambda ids: beads.mail_backlog(ctx.db, schema, hq, ids),
        )
    except Exception as exc:  # the lags read stand: the backlog is the second query
        raise ReadFailed(reading, exc) from exc
    return replace(reading, facts={"mail_backlog": len(backlog)})


def titled_slowest(
    db: Database, cache: EngineCache, town: Town, samples: list[Sample]
) -> list[Sample]:
    """Put the subject line beside the id of the slowest messages (what the zoom lists).

    Titles are hot beads: read through the L1 cache, the misses in one batched query.
    """
    slowest = sorted(samples, key=lambda s: s.value, reverse=True)[:SLOWEST_TITLED]
    hq = town.hq_database

    def load(ids: list[Hashable]) -> dict[Hashable, str]:
        rows = fetch_beads(db, hq, [str(i) for i in ids], ["id", "title"])
        return {row["id"]: str(row["title"]) for row in rows}

    titles = cache.read_many("bead", [s.subject for s in slowest], load)
    return [replace(s, detail=titles[s.subject]) if s.subject in titles else s for s in samples]


def mail_changed(ctx: ReadContext) -> bool:
    """The mail reader's signal: this refresh's change feed names a bead of hq, or cannot
    say (no baseline, not read, too many changes to name)."""
    changes, hq = ctx.tracking.changes(ctx.now), ctx.town.hq_database
    if changes is None or changes.overflow:
        return True
    return any(database == hq for database, _table in changes.ids)
