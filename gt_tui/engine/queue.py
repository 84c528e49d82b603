"""The sling queue (spec §3): open `gt:sling-context` beads, oldest first, and flushing it.

gt's scheduler keeps one sling-context bead per scheduled work bead, created with
`bd create --ephemeral` (so in `wisps`), in the town beads or the target rig's beads:
we look in both tables of `hq` and of every rig database. Its description is JSON
(`work_bead_id`, `target_rig`, `enqueued_at`, ...); older or hand-made ones use
`key: value` lines or the `metadata` JSON. Without `enqueued_at`, `created_at` counts.

After three failed dispatches gt closes a context with reason `circuit-broken`
(`capacity_dispatch.go`): its work was never dispatched. The engine counts those closed
since the window's start as dispatch failures, in the same query as the queue.

Flushing closes them: where `gt` is on PATH and the whole queue goes, `gt scheduler clear`
does it (gt has no per-rig clear); otherwise one UPDATE per table and database (ids in
chunks), plus one `closed` event row each, as `bd close` leaves.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gt_tui.engine.batch import CHUNK
from gt_tui.safe_text import safe_data, unpicture_layout
from gt_tui.town.beads import each_issue_table, run_union
from gt_tui.town.db import Database, quote_name, sql_time, utc
from gt_tui.town.gt_cli import gt_available, run_gt
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema

SLING_LABEL = "gt:sling-context"
CIRCUIT_BROKEN = "circuit-broken"  # gt's close reason after 3 failed dispatches
FLUSH_REASON = "flushed by gt-tui: {who}"
GT_CLEAR_TIMEOUT = 60.0
_EVENTS = {"issues": "events", "wisps": "wisp_events"}
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
class QueueView:
    """The queue against `sling.queue_size`."""

    items: tuple[QueueItem, ...]
    limit: int
    now: datetime

    @property
    def depth(self) -> int:
        return len(self.items)

    @property
    def over_limit(self) -> bool:
        return self.depth > self.limit

    @property
    def oldest_wait(self) -> float | None:
        return self.items[0].waited(self.now) if self.items else None


@dataclass(frozen=True)
class FlushResult:
    """What a flush closed, and how (`sql` or `gt`)."""

    closed: tuple[str, ...]
    via: str


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
    where, extra = "s.status = %s", []
    if failed_since is not None:
        where = "(s.status = %s OR (s.close_reason = %s AND s.closed_at >= %s))"
        extra = [CIRCUIT_BROKEN, sql_time(failed_since)]
    parts = [
        (
            f"SELECT %s AS db, %s AS tbl, s.id, s.description, s.metadata, s.created_at,"
            f" s.status FROM {q}.{issues} s JOIN {q}.{labels} l ON l.issue_id = s.id"
            f" AND l.label = %s WHERE {where}",
            [database, issues, SLING_LABEL, "open", *extra],
        )
        for database, q, issues, labels in each_issue_table(schema, town.databases)
    ]
    rows = run_union(db, parts)
    rig_of_db = {rig.database: rig.name for rig in town.rigs}
    items = [_item(row[:6], rig_of_db) for row in rows if row[6] == "open"]
    items.sort(key=lambda item: (item.enqueued_at, item.id))
    return QueueReading(items, sum(row[6] != "open" for row in rows))


def list_queue(db: Database, town: Town, schema: BeadsSchema) -> list[QueueItem]:
    """Every open sling context in hq and the rigs, both tables, oldest first (one query)."""
    return read_sling_contexts(db, town, schema).items


def queue_view(
    db: Database, town: Town, schema: BeadsSchema, settings: Mapping[str, Any], now: datetime
) -> QueueView:
    return QueueView(tuple(list_queue(db, town, schema)), int(settings["sling.queue_size"]), now)


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
        return safe_data(text)
    try:
        value = json.loads(unpicture_layout(text)) if text else None
    except (TypeError, ValueError):
        return {}
    return safe_data(value) if isinstance(value, dict) else {}


def _key_values(text: str) -> dict[str, Any]:
    lines = unpicture_layout(text).splitlines()
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return safe_data({key.strip(): value.strip() for key, value in pairs if key.strip()})


def _moment(value: Any) -> datetime | None:
    try:
        return utc(value)
    except (TypeError, ValueError):
        return None


def flush_queue(
    db: Database,
    town: Town,
    schema: BeadsSchema,
    *,
    who: str,
    rig: str | None = None,
    use_gt: Callable[[], bool] = gt_available,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FlushResult:
    """Close the open sling contexts (of one rig, or all); returns the ids it closed."""
    doomed = [item for item in list_queue(db, town, schema) if rig is None or item.rig == rig]
    if not doomed:
        return FlushResult((), "none")
    if rig is None and use_gt():
        run_gt(["scheduler", "clear"], town.root, GT_CLEAR_TIMEOUT)
        still = {item.id for item in list_queue(db, town, schema)}
        return FlushResult(tuple(i.id for i in doomed if i.id not in still), "gt")
    _close(db, schema, doomed, FLUSH_REASON.format(who=who), who, now())
    return FlushResult(tuple(item.id for item in doomed), "sql")


def _close(
    db: Database,
    schema: BeadsSchema,
    items: list[QueueItem],
    reason: str,
    who: str,
    moment: datetime,
) -> None:
    """One UPDATE per (database, table) and chunk of ids; one `closed` event row each."""
    stamp = sql_time(moment)
    groups: dict[tuple[str, str], list[str]] = {}
    for item in items:
        groups.setdefault((item.database, item.table), []).append(item.id)
    for (database, table), ids in groups.items():
        target = f"{quote_name(database)}.{quote_name(table)}"
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            db.execute(
                f"UPDATE {target} SET status = %s, closed_at = %s, updated_at = %s,"
                f" close_reason = %s WHERE status = %s AND id IN ({marks})",
                ["closed", stamp, stamp, reason, "open", *part],
            )
        _log_closed(db, schema, database, table, ids, (who, reason, stamp))


def _log_closed(
    db: Database,
    schema: BeadsSchema,
    database: str,
    table: str,
    ids: list[str],
    what: tuple[str, str, str],
) -> None:
    events = _EVENTS[table]
    if not schema.has(database, events):
        return
    who, reason, stamp = what
    db.executemany(
        f"INSERT INTO {quote_name(database)}.{quote_name(events)} (id, issue_id, event_type,"
        " actor, old_value, new_value, comment, created_at)"
        f" VALUES ({', '.join(['%s'] * 8)})",
        [(str(uuid.uuid4()), i, "closed", who, "", "closed", reason, stamp) for i in ids],
    )
