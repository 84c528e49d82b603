"""Rig work: issues over a span, some assigned, started, closed, labelled and blocking."""

from __future__ import annotations

from datetime import timedelta

from gt_tui.sandbox.history.context import NOUNS, VERBS, Context
from gt_tui.sandbox.layout import RigPlan
from gt_tui.sandbox.rows import DependencyRow, EventRow, IssueRow

_LABELS = ("area:core", "area:ui", "area:db", "perf", "docs", "flaky")
_TYPES = ("task", "task", "task", "bug", "feature", "chore")


def write_rig_work(ctx: Context, rig: RigPlan, count: int, span: timedelta) -> list[str]:
    """`count` work issues over `span`; returns the ids of the most recent ones."""
    db = ctx.databases[rig.name]
    recent: list[str] = []
    for _ in range(count):
        id = _work_item(ctx, rig, db, span, recent)
        recent = [*recent[-49:], id]
    return recent


def _work_item(ctx: Context, rig: RigPlan, db: str, span: timedelta, recent: list[str]) -> str:
    rng = ctx.rng
    id = ctx.mint.next(rig.prefix)
    created = ctx.now - timedelta(seconds=int(rng.random() * span.total_seconds()) + 3600)
    roll = rng.random()
    assignee = ctx.polecat_address(rig) if roll < 0.8 else None
    started = created + ctx.seconds(5, 3600) if assignee else None
    closed = None
    if started and roll < 0.7:
        closed = min(started + ctx.seconds(60, 8 * 3600), ctx.now)
    status = "closed" if closed else "in_progress" if started else "open"
    title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}"
    row = IssueRow(
        id,
        title,
        created,
        status=status,
        priority=rng.choice((0, 1, 2, 2, 2, 3)),
        issue_type=rng.choice(_TYPES),
        assignee=assignee,
        created_by="mayor",
        started_at=started,
        closed_at=closed,
        close_reason="Completed" if closed else "",
    )
    ctx.sink.issue(db, row)
    for label in rng.sample(_LABELS, rng.choice((0, 1, 1, 2))):
        ctx.sink.label(db, id, label)
    _work_events(ctx, db, row)
    if recent and rng.random() < 0.2:
        ctx.sink.dependency(db, DependencyRow(id, rng.choice(recent), "blocks", created, "mayor"))
    return id


def _work_events(ctx: Context, db: str, row: IssueRow) -> None:
    ctx.sink.event(db, EventRow(row.id, "created", row.created_by, row.created_at))
    if row.started_at and row.assignee:
        change = EventRow(
            row.id, "status_changed", row.assignee, row.started_at, "open", "in_progress"
        )
        ctx.sink.event(db, change)
    if row.closed_at:
        ctx.sink.event(
            db,
            EventRow(row.id, "closed", row.assignee or "", row.closed_at, "in_progress", "closed"),
        )
