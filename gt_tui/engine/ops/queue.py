"""The sling queue against its limit, and flushing it (spec §3).

Reading gt's sling-context rows is `gt_tui.town.sling`'s job; this module decides: the
queue's view against `sling.queue_size`, and closing the contexts. Flushing: where `gt`
is on PATH and the whole queue goes, `gt scheduler clear` does it (gt has no per-rig
clear); otherwise one UPDATE per table and database (ids in chunks), plus one `closed`
event row each, as `bd close` leaves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gt_tui.engine.batch import CHUNK
from gt_tui.settings import Settings
from gt_tui.town.db import Database, quote_name, sql_time
from gt_tui.town.gt_cli import gt_available, run_gt
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema
from gt_tui.town.sling import QueueItem, list_queue

FLUSH_REASON = "flushed by gt-tui: {who}"
GT_CLEAR_TIMEOUT = 60.0
_EVENTS = {"issues": "events", "wisps": "wisp_events"}


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


def queue_view(
    db: Database, town: Town, schema: BeadsSchema, settings: Settings, now: datetime
) -> QueueView:
    return QueueView(tuple(list_queue(db, town, schema)), settings.integer("sling.queue_size"), now)


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
