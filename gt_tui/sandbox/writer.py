"""Writing beads the way bd and gt write them: issues, labels, events, dependencies, mail,
convoys and patrol wisps, one at a time or in bulk, on either backend.

Dates go in as aware UTC datetimes (see `rows`). Ids of events and v1.0.5 dependency rows
are UUIDs made here from the writer's random source, so a seeded writer repeats itself.
"""

from __future__ import annotations

import fcntl
import json
import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from gt_tui.town.db import Database, quote_name

from .beads_tables import VARIANTS
from .rows import (
    BASE36,
    EPHEMERAL_SUBJECTS,
    HQ_PREFIX,
    ISSUE_COLUMNS,
    PATROL_DONE,
    DependencyRow,
    EventRow,
    IssueRow,
    aux_prefix,
    base36,
    db_time,
    rfc3339,
    target_columns,
    tracking_target,
)
from .schema import insert_ignore

# Re-exported: callers import the row types and helpers from here too.
__all__ = [
    "PATROL_DONE",
    "BeadsWriter",
    "DependencyRow",
    "EventRow",
    "IssueRow",
    "append_event_line",
    "base36",
    "rfc3339",
    "target_columns",
    "tracking_target",
]

CHUNK_ROWS = 1000


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class BeadsWriter:
    """Writes beads rows into one Database holding the town's databases.

    `hq` names the town database (mail, convoys, patrols live there); `variant` is the
    dependency layout of every database written; `rng` makes ids and UUIDs repeatable.
    """

    def __init__(
        self,
        db: Database,
        *,
        hq: str = "hq",
        variant: str = "v1.0.0",
        rng: random.Random | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown beads schema variant {variant!r}; use one of {VARIANTS}")
        self.db = db
        self.hq = hq
        self.variant = variant
        self.rng = rng or random.Random()
        self.chunk_rows = chunk_rows

    # ---- ids -------------------------------------------------------------------------

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_id(self, prefix: str, *, wisp: bool = False, length: int = 8) -> str:
        """A bd-style id `<prefix>-<base36>` (or `<prefix>-wisp-<base36>`)."""
        tail = "".join(self.rng.choice(BASE36) for _ in range(length))
        return f"{prefix}-wisp-{tail}" if wisp else f"{prefix}-{tail}"

    # ---- bulk ------------------------------------------------------------------------

    def add_issues_bulk(
        self, database: str, rows: Iterable[IssueRow], table: str = "issues"
    ) -> int:
        aux_prefix(table)
        names = ", ".join(f"`{c}`" for c in ISSUE_COLUMNS)
        marks = ", ".join(["%s"] * len(ISSUE_COLUMNS))
        sql = f"INSERT INTO {quote_name(database)}.`{table}` ({names}) VALUES ({marks})"
        return self._many(sql, (row.values() for row in rows))

    def add_labels_bulk(
        self, database: str, rows: Iterable[tuple[str, str]], table_prefix: str = ""
    ) -> int:
        sql = (
            f"{insert_ignore(self.db)} INTO {self._table(database, table_prefix, 'labels')}"
            " (`issue_id`, `label`) VALUES (%s, %s)"
        )
        return self._many(sql, rows)

    def add_events_bulk(
        self, database: str, rows: Iterable[EventRow], table_prefix: str = ""
    ) -> int:
        sql = (
            f"INSERT INTO {self._table(database, table_prefix, 'events')} (`id`, `issue_id`,"
            " `event_type`, `actor`, `old_value`, `new_value`, `comment`, `created_at`)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )
        return self._many(sql, (self._event_values(e) for e in rows))

    def _event_values(self, e: EventRow) -> tuple[Any, ...]:
        return (
            self.new_uuid(),
            e.issue_id,
            e.event_type,
            e.actor,
            e.old_value,
            e.new_value,
            e.comment,
            db_time(e.created_at),
        )

    def add_dependencies_bulk(
        self, database: str, rows: Iterable[DependencyRow], table_prefix: str = ""
    ) -> int:
        table = self._table(database, table_prefix, "dependencies")
        if self.variant == "v1.0.0":
            sql = (
                f"INSERT INTO {table} (`issue_id`, `depends_on_id`, `type`, `created_at`,"
                " `created_by`) VALUES (%s, %s, %s, %s, %s)"
            )
            values: Iterable[Sequence[Any]] = (
                (d.issue_id, d.target, d.type, db_time(d.created_at), d.created_by) for d in rows
            )
        else:
            sql = (
                f"INSERT INTO {table} (`id`, `issue_id`, `type`, `created_at`, `created_by`,"
                " `depends_on_issue_id`, `depends_on_wisp_id`, `depends_on_external`)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            )
            values = (self._split_dep_values(d) for d in rows)
        return self._many(sql, values)

    def _split_dep_values(self, d: DependencyRow) -> tuple[Any, ...]:
        head = (self.new_uuid(), d.issue_id, d.type, db_time(d.created_at), d.created_by)
        return (*head, *target_columns(d.target))

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        written = 0
        for chunk in _chunks(rows, self.chunk_rows):
            self.db.executemany(sql, chunk)
            written += len(chunk)
        return written

    @staticmethod
    def _table(database: str, table_prefix: str, kind: str) -> str:
        if table_prefix not in ("", "wisp_"):
            raise ValueError(f"table_prefix must be '' or 'wisp_', not {table_prefix!r}")
        return f"{quote_name(database)}.`{table_prefix}{kind}`"

    # ---- one at a time ---------------------------------------------------------------

    def add_issue(
        self,
        database: str,
        id: str,
        title: str,
        *,
        created_at: datetime,
        table: str = "issues",
        labels: Iterable[str] = (),
        **fields: Any,
    ) -> None:
        """Create an issue as `bd create` does: the row, its labels, a `created` event.

        `fields` are IssueRow's other fields (status, priority, issue_type, assignee,
        created_by, description, closed_at, close_reason, started_at, …). An issue created
        already closed also gets its `closed` event.
        """
        fields.setdefault("ephemeral", table == "wisps")
        if fields.get("close_reason") is None:
            fields["close_reason"] = ""
        row = IssueRow(id, title, created_at, **fields)
        prefix = aux_prefix(table)
        self.add_issues_bulk(database, [row], table)
        self.add_labels_bulk(database, [(id, label) for label in labels], prefix)
        events = [EventRow(id, "created", row.created_by, created_at)]
        if row.status == "closed" and row.closed_at is not None:
            events.append(EventRow(id, "closed", row.created_by, row.closed_at, "", "closed"))
        self.add_events_bulk(database, events, prefix)

    def add_label(
        self,
        database: str,
        issue_id: str,
        label: str,
        *,
        table_prefix: str = "",
        at: datetime | None = None,
        actor: str = "",
    ) -> None:
        """Add a label (idempotent); with `at`, also bd's `label_added` event."""
        self.add_labels_bulk(database, [(issue_id, label)], table_prefix)
        if at is not None:
            self.add_event(
                database,
                issue_id,
                "label_added",
                actor,
                at,
                comment=f"Added label: {label}",
                table_prefix=table_prefix,
            )

    def add_dependency(
        self,
        database: str,
        issue_id: str,
        target: str,
        type: str = "blocks",
        table_prefix: str = "",
        *,
        created_at: datetime | None = None,
        created_by: str = "",
    ) -> None:
        """One dependency edge, in the variant's columns (v1.0.5 splits the target)."""
        when = created_at or datetime.now(UTC)
        row = DependencyRow(issue_id, target, type, when, created_by)
        self.add_dependencies_bulk(database, [row], table_prefix)

    def add_event(
        self,
        database: str,
        issue_id: str,
        event_type: str,
        actor: str,
        created_at: datetime,
        *,
        old_value: str | None = None,
        new_value: str | None = None,
        comment: str | None = None,
        table_prefix: str = "",
    ) -> None:
        row = EventRow(issue_id, event_type, actor, created_at, old_value, new_value, comment)
        self.add_events_bulk(database, [row], table_prefix)

    def close_issue(
        self,
        database: str,
        issue_id: str,
        closed_at: datetime,
        reason: str = "",
        *,
        table: str = "issues",
        actor: str = "",
        description: str | None = None,
    ) -> None:
        """`bd close`: status closed, closed_at, close_reason, and a `closed` event."""
        sets = "`status` = %s, `closed_at` = %s, `updated_at` = %s, `close_reason` = %s"
        params: list[Any] = ["closed", db_time(closed_at), db_time(closed_at), reason]
        if description is not None:
            sets += ", `description` = %s"
            params.append(description)
        self.db.execute(
            f"UPDATE {quote_name(database)}.`{table}` SET {sets} WHERE `id` = %s",
            [*params, issue_id],
        )
        self.add_event(
            database,
            issue_id,
            "closed",
            actor,
            closed_at,
            new_value="closed",
            comment=reason or None,
            table_prefix=aux_prefix(table),
        )

    # ---- Gas Town conventions ----------------------------------------------------------

    def send_mail(
        self,
        *,
        sender: str,
        recipient: str,
        subject: str,
        created_at: datetime,
        body: str = "",
        msg_type: str = "notification",
        priority: int = 2,
        thread: str | None = None,
        ephemeral: bool | None = None,
        id: str | None = None,
    ) -> str:
        """A message bead in hq as gt's router writes it; protocol subjects go to wisps."""
        if ephemeral is None:
            ephemeral = subject.lower().startswith(EPHEMERAL_SUBJECTS)
        mail_id = id or self.new_id(HQ_PREFIX, wisp=ephemeral)
        labels = ["gt:message", f"from:{sender}", f"msg-type:{msg_type}", "delivery:pending"]
        if thread:
            labels.append(f"thread:{thread}")
        self.add_issue(
            self.hq,
            mail_id,
            subject,
            created_at=created_at,
            table="wisps" if ephemeral else "issues",
            labels=labels,
            assignee=recipient,
            created_by=sender,
            description=body,
            priority=priority,
        )
        return mail_id

    def ack_mail(self, id: str, by: str, at: datetime) -> None:
        """gt's phase-2 ack: `delivery-acked-by:`, `delivery-acked-at:`, `delivery:acked`.

        Append-only like gt's `DeliveryAckLabelSequence`: `delivery:pending` stays, and
        the state reads as acked once `delivery:acked` is present.
        """
        prefix = "wisp_" if "-wisp-" in id else ""
        labels = (f"delivery-acked-by:{by}", f"delivery-acked-at:{rfc3339(at)}", "delivery:acked")
        for label in labels:  # in gt's order: acked only once the last label is written
            self.add_label(self.hq, id, label, table_prefix=prefix, at=at, actor=by)

    def create_convoy(
        self,
        id: str,
        title: str,
        tracked: Iterable[str] = (),
        *,
        created_at: datetime,
        created_by: str = "mayor",
        owned: bool = False,
        status: str = "open",
    ) -> None:
        """A convoy in hq (`issue_type='convoy'`) with one `tracks` edge per tracked id;
        `status` may be newer gt's `staged_ready` / `staged_warnings` (not yet launched)."""
        labels = ["gt:owned"] if owned else []
        self.add_issue(
            self.hq,
            id,
            title,
            created_at=created_at,
            status=status,
            issue_type="convoy",
            created_by=created_by,
            labels=labels,
        )
        edges = [
            DependencyRow(id, tracking_target(t), "tracks", created_at, created_by) for t in tracked
        ]
        self.add_dependencies_bulk(self.hq, edges)

    def open_patrol(
        self, role: str, assignee: str, created_at: datetime, *, id: str | None = None
    ) -> str:
        """A patrol cycle's root wisp `mol-<role>-patrol`, hooked to its agent, in hq."""
        wisp_id = id or self.new_id(HQ_PREFIX, wisp=True)
        self.add_issue(
            self.hq,
            wisp_id,
            f"mol-{role}-patrol",
            created_at=created_at,
            table="wisps",
            status="hooked",
            assignee=assignee,
            created_by=assignee,
            issue_type="molecule",
            mol_type="patrol",
            wisp_type="patrol",
        )
        return wisp_id

    def close_patrol(self, id: str, closed_at: datetime, summary: str) -> None:
        """`gt patrol report`: description rewritten, closed `patrol cycle complete: …`."""
        self.close_issue(
            self.hq,
            id,
            closed_at,
            PATROL_DONE + summary,
            table="wisps",
            description=f"Patrol report: {summary}",
        )


def append_event_line(
    town_root: Path,
    type: str,
    actor: str,
    payload: dict[str, Any],
    ts: datetime,
    visibility: str = "feed",
) -> None:
    """Append one gt event to `<town>/.events.jsonl` under gt's flock `.events.jsonl.lock`."""
    record = {
        "ts": rfc3339(ts),
        "source": "gt",
        "type": type,
        "actor": actor,
        "payload": payload,
        "visibility": visibility,
    }
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    with (town_root / ".events.jsonl.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with (town_root / ".events.jsonl").open("a", encoding="utf-8") as events:
                events.write(line)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
