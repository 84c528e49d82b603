"""Bead operations the agents need beyond `BeadsWriter`: status moves, agent beads, ready work.

Each is what bd does for the matching command: `bd update --status` moves a bead and
leaves a `status_changed` event (and sets `started_at` on the first `in_progress`), agent
beads are `gt:agent` tasks whose state sits in `key: value` description lines, and ready
work is open, non-infrastructure work with no open blocker.
"""

from __future__ import annotations

from typing import Any

from gt_tui.sandbox.agents.runtime import Agent, utc_now
from gt_tui.town.db import quote_name, sql_time
from gt_tui.town.model import Rig

# Labels of beads that are never polecat work (gt's scheduler skips them too).
INFRA_LABELS = ("gt:message", "gt:agent", "gt:merge-request", "gt:sling-context")


def set_status(
    agent: Agent,
    database: str,
    bead: str,
    status: str,
    *,
    assignee: str | None = None,
    table: str = "issues",
) -> None:
    """`bd update <bead> --status <status> [--assignee]`, with its `status_changed` event."""
    stamp = sql_time(utc_now())
    sets, params = "`status` = %s, `updated_at` = %s", [status, stamp]
    if assignee is not None:
        sets += ", `assignee` = %s"
        params.append(assignee)
    if status == "in_progress":
        sets += ", `started_at` = COALESCE(`started_at`, %s)"
        params.append(stamp)
    agent.db.execute(
        f"UPDATE {quote_name(database)}.`{table}` SET {sets} WHERE `id` = %s", [*params, bead]
    )
    prefix = "wisp_" if table == "wisps" else ""
    agent.writer.add_event(
        database,
        bead,
        "status_changed",
        agent.address,
        utc_now(),
        new_value=status,
        table_prefix=prefix,
    )


def describe(fields: dict[str, Any]) -> str:
    """gt's `key: value` description lines."""
    return "\n".join(f"{key}: {value}" for key, value in fields.items())


def agent_bead_id(rig: Rig, name: str) -> str:
    """gt's polecat agent bead: `<prefix>-<rig>-polecat-<name>`."""
    return f"{rig.prefix}-{rig.name}-polecat-{name.lower()}"


def set_agent_state(agent: Agent, rig: Rig, name: str, state: str, hook_bead: str = "") -> None:
    """Create or update a polecat's agent bead (`gt:agent`) with its `agent_state`."""
    bead = agent_bead_id(rig, name)
    text = describe(
        {"role_type": "polecat", "rig": rig.name, "agent_state": state, "hook_bead": hook_bead}
    )
    q = quote_name(rig.database)
    changed = agent.db.execute(
        f"UPDATE {q}.`issues` SET `description` = %s, `updated_at` = %s WHERE `id` = %s",
        [text, sql_time(utc_now()), bead],
    )
    if changed:
        return
    agent.writer.add_issue(
        rig.database,
        bead,
        f"{rig.name}/polecats/{name}",
        created_at=utc_now(),
        labels=["gt:agent"],
        created_by="mayor",
        description=text,
    )


def ready_work(agent: Agent, rig: Rig, limit: int) -> list[str]:
    """Open work beads of a rig with no open blocker, highest priority and oldest first."""
    q = quote_name(rig.database)
    marks = ", ".join(["%s"] * len(INFRA_LABELS))
    target = agent.schema.dependency_target(rig.database)
    rows = agent.db.query(
        f"SELECT i.id FROM {q}.`issues` i WHERE i.status = %s AND NOT EXISTS"
        f" (SELECT 1 FROM {q}.`labels` l WHERE l.issue_id = i.id AND l.label IN ({marks}))"
        f" AND NOT EXISTS (SELECT 1 FROM {q}.`dependencies` d JOIN {q}.`issues` b"
        f" ON b.id = {target} WHERE d.issue_id = i.id AND d.type = %s AND b.status <> %s)"
        f" ORDER BY i.priority, i.created_at, i.id LIMIT {int(limit)}",
        ["open", *INFRA_LABELS, "blocks", "closed"],
    )
    return [str(row[0]) for row in rows]


def open_merge_requests(agent: Agent, rig: Rig) -> list[tuple[str, str]]:
    """Open `gt:merge-request` beads of a rig, oldest first: (id, description)."""
    q = quote_name(rig.database)
    rows = agent.db.query(
        f"SELECT m.id, m.description FROM {q}.`issues` m JOIN {q}.`labels` l"
        f" ON l.issue_id = m.id AND l.label = %s WHERE m.status = %s ORDER BY m.created_at, m.id",
        ["gt:merge-request", "open"],
    )
    return [(str(i), str(text or "")) for i, text in rows]


def fields_of(description: str) -> dict[str, str]:
    """The `key: value` lines of a description."""
    pairs = (line.split(":", 1) for line in description.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}
