"""The rows bd writes, as plain data, and bd's and gt's time formats (test-only).

bd stores DATETIME in UTC at whole seconds (`YYYY-MM-DD HH:MM:SS`); gt's own timestamps
(ack labels, the events file) are RFC3339 UTC at whole seconds.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from typing import Any


def beads_time(moment: datetime | None) -> str | None:
    """bd's DATETIME text: UTC, whole seconds."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class IssueRow:
    """The columns of `issues`/`wisps` that bd fills on create (others keep their default)."""

    id: str
    title: str
    created_at: datetime
    status: str = "open"
    priority: int = 2
    issue_type: str = "task"
    assignee: str | None = None
    created_by: str = ""
    description: str = ""
    closed_at: datetime | None = None
    started_at: datetime | None = None
    close_reason: str = ""
    ephemeral: bool = False
    wisp_type: str = ""
    mol_type: str = ""
    sender: str = ""

    def row(self) -> dict[str, Any]:
        values = dict(zip((f.name for f in fields(self)), astuple(self), strict=True))
        for moment in ("created_at", "closed_at", "started_at"):
            values[moment] = beads_time(values[moment])
        values["updated_at"] = values["closed_at"] or values["started_at"] or values["created_at"]
        values["ephemeral"] = int(self.ephemeral)
        values.update(design="", acceptance_criteria="", notes="")
        return values


@dataclass(frozen=True)
class DependencyRow:
    """An edge: `issue_id` depends on (tracks, blocks, …) `target`."""

    issue_id: str
    target: str
    type: str
    created_at: datetime
    created_by: str = ""


def tracking_target(bead: str) -> str:
    """A convoy's `tracks` target: hq beads as they are, rig beads `external:<prefix>:<id>`."""
    if bead.startswith(("hq-", "external:")):
        return bead
    return f"external:{bead.split('-', 1)[0]}:{bead}"
