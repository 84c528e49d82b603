"""Beads rows written the way bd and gt write them, for the test towns (test-only).

Conventions, from the sources rather than from gt-tui's sandbox (see also
/work/shared/reference/gastown.md, sections 1.7, 3-5 and 10):
- bd stores DATETIME in UTC at whole seconds (`YYYY-MM-DD HH:MM:SS`); gt's own timestamps
  (ack labels, the events file) are RFC3339 UTC at whole seconds.
- `bd create` writes the row, its labels and a `created` event; `bd close` sets status,
  closed_at and close_reason and writes a `closed` event; `label_added` events carry
  `Added label: <label>` (beads issueops/labels.go).
- Mail is a bead in hq labelled `gt:message`, `from:`, `msg-type:`, `delivery:pending`,
  the recipient in `assignee`; protocol subjects go to `wisps` (gastown mail/router.go).
  The ack appends `delivery-acked-by:`, `delivery-acked-at:<RFC3339>`, `delivery:acked`.
- A convoy is `issue_type='convoy'` in hq with one `tracks` edge per tracked bead, rig
  beads as `external:<prefix>:<id>`; a patrol cycle is a `hooked` root wisp titled
  `mol-<role>-patrol`, closed with `patrol cycle complete: <summary>`.
- v1.0.5 splits a dependency target into issue/wisp/external columns, exactly one set.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from builder.rows import DependencyRow, IssueRow, beads_time, rfc3339, tracking_target

ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
PROTOCOL_SUBJECTS = (  # gastown internal/mail/router.go: sent as wisps
    "polecat_started",
    "polecat_done",
    "work_done",
    "start_work",
    "nudge",
    "lifecycle:",
    "merged",
    "merge_ready",
    "merge_failed",
)
PATROL_DONE = "patrol cycle complete: "


def twin(table: str) -> str:
    """The prefix of a table's labels/events/dependencies: "" for issues, "wisp_" for wisps."""
    return {"issues": "", "wisps": "wisp_"}[table]


class Beads:
    """Writes beads rows into `db`, whose town database is `hq`, in layout `variant`."""

    def __init__(self, db: Any, *, hq: str, variant: str = "v1.0.0", seed: int = 7) -> None:
        self.db, self.hq, self.variant = db, hq, variant
        self.rng = random.Random(seed)
        self.past_events = False  # stamp events at their moment, not by the server's clock

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_id(self, prefix: str, wisp: bool = False) -> str:
        tail = "".join(self.rng.choice(ID_CHARS) for _ in range(8))
        return f"{prefix}-wisp-{tail}" if wisp else f"{prefix}-{tail}"

    def _insert(self, database: str, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        cols = ", ".join(f"`{n}`" for n in names)
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO `{database}`.`{table}` ({cols}) VALUES ({marks})"
        self.db.executemany(sql, [[row[n] for n in names] for row in rows])

    # ---- rows in bulk ---------------------------------------------------------------------

    def add_issues_bulk(self, database: str, rows: Iterable[IssueRow], table: str = "issues"):
        twin(table)
        self._insert(database, table, [row.row() for row in rows])

    def add_dependencies_bulk(
        self, database: str, rows: Iterable[DependencyRow], table_prefix: str = ""
    ) -> None:
        self._insert(database, f"{table_prefix}dependencies", [self._edge(d) for d in rows])

    def _edge(self, d: DependencyRow) -> dict[str, Any]:
        row: dict[str, Any] = {"issue_id": d.issue_id, "type": d.type}
        row |= {"created_at": beads_time(d.created_at), "created_by": d.created_by}
        if self.variant == "v1.0.0":
            return row | {"depends_on_id": d.target}
        external = d.target if d.target.startswith("external:") else None
        wisp = d.target if external is None and "-wisp-" in d.target else None
        issue = d.target if external is None and wisp is None else None
        return {
            "id": self._uuid(),
            **row,
            "depends_on_issue_id": issue,
            "depends_on_wisp_id": wisp,
            "depends_on_external": external,
        }

    def _event(
        self, database: str, prefix: str, bead: str, kind: str, actor: str, at: datetime, **more
    ) -> None:
        # bd leaves `created_at` to the column default: the server stamps the event as it
        # is written, whatever moment the bead itself records (`at`). History written for a
        # test (`past_events`) is stamped when it would have happened.
        row = {"id": self._uuid(), "issue_id": bead, "event_type": kind, "actor": actor}
        row |= {"old_value": more.get("old"), "new_value": more.get("new")}
        row |= {"comment": more.get("comment")}
        if self.past_events:
            row["created_at"] = beads_time(at)
        self._insert(database, f"{prefix}events", [row])

    # ---- bd ------------------------------------------------------------------------------

    def add_issue(
        self,
        database: str,
        id: str,
        title: str,
        *,
        created_at: datetime,
        table: str = "issues",
        labels: Iterable[str] = (),
        **columns: Any,
    ) -> None:
        """`bd create`: the row, its labels, a `created` event (and `closed` if born closed)."""
        columns.setdefault("ephemeral", table == "wisps")
        columns["close_reason"] = columns.get("close_reason") or ""
        row = IssueRow(id, title, created_at, **columns)
        prefix = twin(table)
        self.add_issues_bulk(database, [row], table)
        self._insert(database, f"{prefix}labels", [{"issue_id": id, "label": x} for x in labels])
        self._event(database, prefix, id, "created", row.created_by, created_at)
        if row.status == "closed" and row.closed_at is not None:
            self._event(database, prefix, id, "closed", row.created_by, row.closed_at, new="closed")

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
        """`bd label add`: the label; with `at`, its `label_added` event."""
        self._insert(database, f"{table_prefix}labels", [{"issue_id": issue_id, "label": label}])
        if at is not None:
            comment = f"Added label: {label}"
            self._event(database, table_prefix, issue_id, "label_added", actor, at, comment=comment)

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
        edge = DependencyRow(issue_id, target, type, created_at or datetime.now(UTC), created_by)
        self.add_dependencies_bulk(database, [edge], table_prefix)

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
        """`bd close`: status, closed_at, close_reason (and a new description), a `closed` event."""
        when = beads_time(closed_at)
        sets, params = (
            "status = %s, closed_at = %s, updated_at = %s, close_reason = %s",
            [
                "closed",
                when,
                when,
                reason,
            ],
        )
        if description is not None:
            sets += ", description = %s"
            params.append(description)
        self.db.execute(
            f"UPDATE `{database}`.`{table}` SET {sets} WHERE id = %s", [*params, issue_id]
        )
        prefix = twin(table)
        self._event(
            database,
            prefix,
            issue_id,
            "closed",
            actor,
            closed_at,
            new="closed",
            comment=reason or None,
        )

    # ---- gt ------------------------------------------------------------------------------

    def send_mail(
        self,
        *,
        sender: str,
        recipient: str,
        subject: str,
        created_at: datetime,
        body: str = "",
        msg_type: str = "notification",
        id: str | None = None,
    ) -> str:
        """`gt mail send`: a message bead in hq; protocol subjects as wisps."""
        wisp = subject.lower().startswith(PROTOCOL_SUBJECTS)
        mail = id or self.new_id("hq", wisp)
        labels = ["gt:message", f"from:{sender}", f"msg-type:{msg_type}", "delivery:pending"]
        self.add_issue(
            self.hq,
            mail,
            subject,
            created_at=created_at,
            table="wisps" if wisp else "issues",
            labels=labels,
            assignee=recipient,
            created_by=sender,
            description=body,
        )
        return mail

    def ack_mail(self, id: str, by: str, at: datetime) -> None:
        """gt's two-phase ack, append-only: `delivery:pending` stays, `delivery:acked` last."""
        prefix = "wisp_" if "-wisp-" in id else ""
        for label in (
            f"delivery-acked-by:{by}",
            f"delivery-acked-at:{rfc3339(at)}",
            "delivery:acked",
        ):
            self.add_label(self.hq, id, label, table_prefix=prefix, at=at, actor=by)

    def create_convoy(
        self,
        id: str,
        title: str,
        tracked: Iterable[str] = (),
        *,
        created_at: datetime,
        created_by: str = "mayor",
        status: str = "open",
    ) -> None:
        """`gt convoy create`: the convoy bead in hq and a `tracks` edge per tracked bead."""
        self.add_issue(
            self.hq,
            id,
            title,
            created_at=created_at,
            status=status,
            issue_type="convoy",
            created_by=created_by,
        )
        edges = [
            DependencyRow(id, tracking_target(t), "tracks", created_at, created_by) for t in tracked
        ]
        self.add_dependencies_bulk(self.hq, edges)

    def open_patrol(
        self, role: str, assignee: str, created_at: datetime, *, id: str | None = None
    ) -> str:
        """A patrol cycle's root wisp, hooked to its agent."""
        wisp = id or self.new_id("hq", wisp=True)
        self.add_issue(
            self.hq,
            wisp,
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
        return wisp

    def close_patrol(self, id: str, closed_at: datetime, summary: str) -> None:
        """`gt patrol report`: the report as description, closed `patrol cycle complete: …`."""
        self.close_issue(
            self.hq,
            id,
            closed_at,
            PATROL_DONE + summary,
            table="wisps",
            description=f"Patrol report: {summary}",
        )
