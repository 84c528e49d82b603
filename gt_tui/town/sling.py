"""gt's sling queue as rows (spec §3): open `gt:sling-context` beads, oldest first.

gt's scheduler keeps one sling-context bead per scheduled work bead, created with
`bd create --ephemeral` (so in `wisps`), in the town beads or the target rig's beads:
we look in both tables of `hq` and of every rig database. Its description is JSON
(`work_bead_id`, `target_rig`, `enqueued_at`, ...); older or hand-made ones use
`key: value` lines or the `metadata` JSON. Without `enqueued_at`, `created_at` counts.

After three failed dispatches gt closes a context with reason `circuit-broken`
(`capacity_dispatch.go`): its work was never dispatched. Those closed since a given
moment are read in the same query as the queue. What the console does with the queue
(its limit, flushing it) is the engine's: engine/ops/queue.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gt_tui.safe_text import safe_data, unpicture_layout
from gt_tui.town.beads import Only, each_changed_table, run_union
from gt_tui.town.db import Database, Row, sql_time, utc
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema

SLING_LABEL = "gt:sling-context"
CIRCUIT_BROKEN = "circuit-broken"  # gt's close reason after 3 failed dispatches
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # only for a row without created_at (NOT NULL in beads)


@dataclass(frozen=True)
class QueueItem:
    """One scheduled sling: its context bead, the work bead, the rig, when it was enqueued."""

    id: str
    database: str
    table: str
    work_bead: str | None
    rig: str | None
    enqueued_at: datetime
    enqueued_from: str  # "description", "metadata" or "created_at"

    def waited(self, now: datetime) -> float:
        """Seconds since it was enqueued (1-second resolution when from the database)."""
        return max(0.0, (now - self.enqueued_at).total_seconds())


@dataclass(frozen=True)
class QueueReading:
    """The open sling contexts, oldest first, and how many were circuit-broken lately."""

    items: list[QueueItem]
    dispatch_failures: int


def read_sling_contexts(
    db: Database, town: Town, schema: BeadsSchema, failed_since: datetime | None = None
) -> QueueReading:
    """Every open sling context in hq and the rigs, both tables, oldest first; with
    `failed_since`, also those closed `circuit-broken` since then. One query either way."""
    return queue_reading(sling_rows(db, town, schema, failed_since), town)


def sling_rows(
    db: Database,
    town: Town,
    schema: BeadsSchema,
    failed_since: datetime | None = None,
    only: Only | None = None,
) -> list[Row]:
    """The rows behind `read_sling_contexts`: (database, table, id, description, metadata,
    created_at, status, closed_at). With `only`, just those of these beads."""
    where, extra = "s.status = %s", []
    if failed_since is not None:
        where = "(s.status = %s OR (s.close_reason = %s AND s.closed_at >= %s))"
        extra = [CIRCUIT_BROKEN, sql_time(failed_since)]
    parts = [
        (
            f"SELECT %s AS db, %s AS tbl, s.id, s.description, s.metadata, s.created_at,"
            f" s.status, s.closed_at FROM {q}.{issues} s JOIN {q}.{labels} l"
            f" ON l.issue_id = s.id AND l.label = %s WHERE {where}{restrict}",
            [database, issues, SLING_LABEL, "open", *extra, *ids],
        )
        for database, q, issues, labels, restrict, ids in each_changed_table(
            schema, town.databases, "s", only
        )
    ]
    return run_union(db, parts)


def queue_reading(rows: Sequence[Row], town: Town) -> QueueReading:
    """The queue, oldest first, and the circuit-broken contexts among `rows` (the caller
    holds those to its failure window: the query's `failed_since`, or the kept rows')."""
    rig_of_db = {rig.database: rig.name for rig in town.rigs}
    items = [_item(row[:6], rig_of_db) for row in rows if row[6] == "open"]
    items.sort(key=lambda item: (item.enqueued_at, item.id))
    return QueueReading(items, sum(row[6] != "open" for row in rows))


def list_queue(db: Database, town: Town, schema: BeadsSchema) -> list[QueueItem]:
    """Every open sling context in hq and the rigs, both tables, oldest first (one query)."""
    return read_sling_contexts(db, town, schema).items


def _item(row: Sequence[Any], rig_of_db: Mapping[str, str]) -> QueueItem:
    database, table, bead_id, description, metadata, created_at = row
    fields, source = context_fields(description, metadata)
    enqueued = _moment(fields.get("enqueued_at"))
    if enqueued is None:
        enqueued, source = utc(created_at) or _EPOCH, "created_at"
    work = fields.get("work_bead_id") or fields.get("work_bead")
    rig = fields.get("target_rig") or fields.get("rig") or rig_of_db.get(database)
    return QueueItem(bead_id, database, table, work or None, rig or None, enqueued, source)


def context_fields(description: str | None, metadata: Any) -> tuple[dict[str, Any], str]:
    """The sling fields from the description (JSON or `key: value` lines), else metadata.

    The cells were made safe as they were read (newlines shown as `␊`): the parsers put
    their layout back to parse them, and make what the parse yields safe again."""
    fields = _json_object(description) or _key_values(description or "")
    if fields.get("enqueued_at"):
        return fields, "description"
    meta = _json_object(metadata)
    if meta.get("enqueued_at"):
        return {**fields, **meta}, "metadata"
    return {**meta, **fields}, "description"


def _json_object(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return _safe_object(text)
    try:
        value = json.loads(unpicture_layout(text)) if text else None
    except (TypeError, ValueError):
        return {}
    return _safe_object(value) if isinstance(value, dict) else {}


def _key_values(text: str) -> dict[str, Any]:
    lines = unpicture_layout(text).splitlines()
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return _safe_object({key.strip(): value.strip() for key, value in pairs if key.strip()})


def _safe_object(value: dict[str, Any]) -> dict[str, Any]:
    """A parsed object made safe to show (safe_data keeps its shape: a dict stays one)."""
    safe: dict[str, Any] = safe_data(value)
    return safe


def _moment(value: Any) -> datetime | None:
    try:
        return utc(value)
    except (TypeError, ValueError):
        return None
