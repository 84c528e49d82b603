"""The sandbox's sling queue: one `gt:sling-context` bead per work bead waiting for a polecat.

As gt's scheduler does, a sling context is an ephemeral bead (in hq's `wisps` table,
id `hq-wisp-…`) labelled `gt:sling-context`, with a `tracks` dependency on its work bead
(`external:<prefix>:<id>`). Its description is three `key: value` lines, exactly:

    enqueued_at: <RFC3339 UTC, whole seconds, e.g. 2026-02-17T12:00:00Z>
    work_bead: <work bead id, e.g. gt-abc12345>
    rig: <rig name, e.g. gastown>

which the console's queue reader (`gt_tui.engine.ops.queue.list_queue`) reads. A context is
`open` while it waits; the dispatcher claims it by moving it to `in_progress` (a context
flushed meanwhile is closed, so the claim fails and the sling is skipped) and closes it once
the polecat is spawned. The queue holds at most `sling.queue_size` open contexts.
"""

from __future__ import annotations

from gt_tui.sandbox.agents.ops import describe, fields_of
from gt_tui.sandbox.agents.runtime import Agent, utc_now
from gt_tui.sandbox.rows import rfc3339, tracking_target
from gt_tui.town.db import quote_name, sql_time
from gt_tui.town.model import Rig
from gt_tui.town.sling import SLING_LABEL, QueueItem, list_queue


def context_description(work_bead: str, rig: str, enqueued_at: str) -> str:
    """The three description lines of a sling context (see the module docstring)."""
    return describe({"enqueued_at": enqueued_at, "work_bead": work_bead, "rig": rig})


def enqueue(agent: Agent, rig: Rig, work_bead: str) -> str:
    """Schedule `work_bead` for `rig`: a sling-context wisp tracking it; its id."""
    now = utc_now()
    context = agent.writer.new_id("hq", wisp=True)
    agent.writer.add_issue(
        agent.hq,
        context,
        f"sling {work_bead} to {rig.name}",
        created_at=now,
        table="wisps",
        labels=[SLING_LABEL],
        created_by=agent.address,
        description=context_description(work_bead, rig.name, rfc3339(now)),
    )
    agent.writer.add_dependency(
        agent.hq,
        context,
        tracking_target(work_bead),
        "tracks",
        "wisp_",
        created_at=now,
        created_by=agent.address,
    )
    agent.event("scheduler_enqueue", {"bead": work_bead, "rig": rig.name, "context": context})
    return context


def waiting(agent: Agent) -> list[QueueItem]:
    """Open sling contexts, oldest first, read by the console's own queue reader."""
    return list_queue(agent.db, agent.town, agent.schema)


def scheduled_work(agent: Agent) -> set[str]:
    """Work beads that have a sling context still open or being dispatched."""
    q = quote_name(agent.hq)
    rows = agent.db.query(
        f"SELECT s.description FROM {q}.`wisps` s JOIN {q}.`wisp_labels` l"
        " ON l.issue_id = s.id AND l.label = %s WHERE s.status IN (%s, %s)",
        [SLING_LABEL, "open", "in_progress"],
    )
    found = (fields_of(str(text or "")).get("work_bead") for (text,) in rows)
    return {bead for bead in found if bead}


def claim(agent: Agent, context: str) -> bool:
    """Take an open context for dispatch; False when someone flushed or took it first."""
    q = quote_name(agent.hq)
    return bool(
        agent.db.execute(
            f"UPDATE {q}.`wisps` SET `status` = %s, `updated_at` = %s"
            " WHERE `id` = %s AND `status` = %s",
            ["in_progress", sql_time(utc_now()), context, "open"],
        )
    )


def finish(agent: Agent, context: str, reason: str) -> None:
    """Close a dispatched (or failed) context with gt's close reason."""
    agent.writer.close_issue(
        agent.hq, context, utc_now(), reason, table="wisps", actor=agent.address
    )
