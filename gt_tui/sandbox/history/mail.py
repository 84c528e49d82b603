"""Mail between agents: most acked within seconds, some read, some pending."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from gt_tui.sandbox.history.context import Context, draw
from gt_tui.sandbox.rows import EventRow, IssueRow, rfc3339

_MSG_TYPES = ("notification", "task", "reply", "escalation")
_PROTOCOL = ("polecat_done", "merge_ready", "merged", "nudge", "polecat_started")
_HUMAN = ("Handoff", "Review request", "Question", "Status", "Escalation")
# (weight, low, high) seconds: mail acks mostly within a second.
ACK_DELAY_S = ((0.4, 0, 0), (0.3, 1, 1), (0.2, 2, 4), (0.1, 5, 12))


def _addresses(ctx: Context) -> list[str]:
    found = ["mayor/", "deacon/"]
    for rig in ctx.rigs:
        found += [f"{rig.name}/witness", f"{rig.name}/refinery"]
        found += [f"{rig.name}/{name}" for name in rig.polecats]
    return found


def write_mail(ctx: Context, count: int, span: timedelta) -> None:
    """Messages between agents: most acked within seconds, some read, some pending."""
    addresses = _addresses(ctx)
    for _ in range(count):
        sender, recipient = ctx.rng.sample(addresses, 2)
        _message(ctx, sender, recipient, span)


def _ack_delay(rng: random.Random) -> timedelta:
    return timedelta(seconds=draw(rng, ACK_DELAY_S))


def _message(ctx: Context, sender: str, recipient: str, span: timedelta) -> None:
    rng = ctx.rng
    protocol = rng.random() < 0.2
    id = ctx.mint.next("hq", wisp=protocol)
    table, prefix = ("wisps", "wisp_") if protocol else ("issues", "")
    subject = (
        f"{rng.choice(_PROTOCOL)}: {id}" if protocol else f"{rng.choice(_HUMAN)} from {sender}"
    )
    created = ctx.now - timedelta(seconds=int(rng.random() * span.total_seconds()) + 30)
    acked = created + _ack_delay(rng) if rng.random() < 0.9 else None
    read = acked + ctx.seconds(1, 600) if acked and rng.random() < 0.7 else None
    read = min(read, ctx.now) if read else None
    labels = [
        "gt:message",
        f"from:{sender}",
        f"msg-type:{rng.choice(_MSG_TYPES)}",
        "delivery:pending",
    ]
    row = IssueRow(
        id,
        subject,
        created,
        status="closed" if read else "open",
        assignee=recipient,
        created_by=sender,
        ephemeral=protocol,
        closed_at=read,
        updated_at=read or acked,
    )
    ctx.sink.issue(ctx.hq, row, table)
    for label in labels:
        ctx.sink.label(ctx.hq, id, label, prefix)
    ctx.sink.event(ctx.hq, EventRow(id, "created", sender, created), prefix)
    if acked:
        _mail_labels(ctx, id, prefix, recipient, acked, _ack_labels(recipient, acked))
    if read:
        _mail_labels(ctx, id, prefix, recipient, read, ["read"])
        ctx.sink.event(ctx.hq, EventRow(id, "closed", recipient, read, "open", "closed"), prefix)


def _ack_labels(by: str, at: datetime) -> list[str]:
    return [f"delivery-acked-by:{by}", f"delivery-acked-at:{rfc3339(at)}", "delivery:acked"]


def _mail_labels(
    ctx: Context, id: str, prefix: str, actor: str, at: datetime, labels: list[str]
) -> None:
    for label in labels:
        ctx.sink.label(ctx.hq, id, label, prefix)
        event = EventRow(id, "label_added", actor, at, comment=f"Added label: {label}")
        ctx.sink.event(ctx.hq, event, prefix)
