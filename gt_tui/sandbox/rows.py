"""The rows bd writes, as plain data, and the id and time conventions they follow.

Dates are aware UTC datetimes, stored through `sql_time` (beads' DATETIME has 1-second
resolution); gt's own timestamps (labels, events file) are RFC3339 at whole seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gt_tui.town.db import sql_time

HQ_PREFIX = "hq"  # town beads ids are always hq-*, whatever the database is called
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
# Subjects gt sends as ephemeral wisps (internal/mail/router.go `shouldBeWisp`).
EPHEMERAL_SUBJECTS = (
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
ISSUE_COLUMNS = (
    "id",
    "title",
    "created_at",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "created_by",
    "description",
    "updated_at",
    "closed_at",
    "started_at",
    "close_reason",
    "ephemeral",
    "wisp_type",
    "mol_type",
    "sender",
    "design",
    "acceptance_criteria",
    "notes",
)


def rfc3339(moment: datetime) -> str:
    """gt's RFC3339 form in UTC at whole seconds: `2026-02-17T12:00:00Z`."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base36(number: int) -> str:
    """A non-negative integer in lower-case base 36 (gt's `<ts36>` and bead hashes)."""
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = BASE36[rest] + digits
        if number == 0:
            return digits


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware UTC datetime")
    return moment


def db_time(moment: datetime | None) -> str | None:
    """A moment as beads stores it (`YYYY-MM-DD HH:MM:SS` UTC), or None."""
    return None if moment is None else sql_time(_aware(moment))


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One row of `issues` or `wisps`, in the columns bd fills on create."""

    id: str
    title: str
    created_at: datetime
    status: str = "open"
    priority: int = 2
    issue_type: str = "task"
    assignee: str | None = None
    created_by: str = ""
    description: str = ""
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    started_at: datetime | None = None
    close_reason: str = ""
    ephemeral: bool = False
    wisp_type: str = ""
    mol_type: str = ""
    sender: str = ""

    def values(self) -> tuple[Any, ...]:
        """Values in `ISSUE_COLUMNS` order (design, acceptance criteria, notes left empty)."""
        updated = self.updated_at or self.closed_at or self.started_at or self.created_at
        return (
            self.id,
            self.title,
            db_time(self.created_at),
            self.status,
            self.priority,
            self.issue_type,
            self.assignee,
            self.created_by,
            self.description,
            db_time(updated),
            db_time(self.closed_at),
            db_time(self.started_at),
            self.close_reason,
            1 if self.ephemeral else 0,
            self.wisp_type,
            self.mol_type,
            self.sender,
            "",
            "",
            "",
        )


@dataclass(frozen=True, slots=True)
class EventRow:
    """One row of `events`/`wisp_events` (bd's audit trail)."""

    issue_id: str
    event_type: str
    actor: str
    created_at: datetime
    old_value: str | None = None
    new_value: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class DependencyRow:
    """One edge: `issue_id` depends on (or tracks, blocks, …) `target`."""

    issue_id: str
    target: str
    type: str
    created_at: datetime
    created_by: str = ""


def target_columns(target: str) -> tuple[str | None, str | None, str | None]:
    """v1.0.5's split of a target into (issue, wisp, external); exactly one is set."""
    if target.startswith("external:"):
        return None, None, target
    if "-wisp-" in target:
        return None, target, None
    return target, None, None


def tracking_target(issue_id: str) -> str:
    """How a convoy stores a tracked id: rig issues as `external:<prefix>:<id>`."""
    if issue_id.startswith(("external:", f"{HQ_PREFIX}-")):
        return issue_id
    return f"external:{issue_id.split('-', 1)[0]}:{issue_id}"


def aux_prefix(table: str) -> str:
    """`issues` → "" and `wisps` → "wisp_": the prefix of their labels/events/… tables."""
    if table not in ("issues", "wisps"):
        raise ValueError(f"not an issue table: {table!r}")
    return "wisp_" if table == "wisps" else ""
