"""Writing beads the way bd and gt write them: issues, labels, events, dependencies, mail,
convoys and patrol wisps, one at a time (bulk rows: `row_writer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from gt_tui.town.db import quote_name

from .row_writer import RowWriter
from .rows import (
    EPHEMERAL_SUBJECTS,
    HQ_PREFIX,
    PATROL_DONE,
    DependencyRow,
    EventRow,
    IssueRow,
    aux_prefix,
    db_time,
    rfc3339,
    tracking_target,
)


class BeadsWriter(RowWriter):
    """bd's and gt's writes, one bead at a time, over `RowWriter`'s bulk rows (and its
    constructor: the database, `hq`, `variant`, `rng`)."""

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
