"""Agent beads (mayor, deacon, witnesses, refineries, polecats), their hooked work, and
open merge requests."""

from __future__ import annotations

from datetime import timedelta

from gt_tui.sandbox.history.context import NOUNS, VERBS, Context
from gt_tui.sandbox.layout import RigPlan
from gt_tui.sandbox.rows import EventRow, IssueRow


def _agent_bead(ctx: Context, database: str, id: str, title: str, fields: dict[str, str]) -> None:
    description = "".join(f"{key}: {value}\n" for key, value in fields.items())
    created = ctx.now - timedelta(days=1)
    row = IssueRow(id, title, created, created_by="mayor", description=description)
    ctx.sink.issue(database, row)
    ctx.sink.label(database, id, "gt:agent")
    ctx.sink.event(database, EventRow(id, "created", "mayor", created))


def write_agents(ctx: Context) -> list[tuple[RigPlan, str]]:
    """Agent beads (mayor, deacon, each rig's witness/refinery/polecats); some hook work.

    Returns the hooked rig issues as (rig, issue id) for the convoys.
    """
    for role in ("mayor", "deacon"):
        _agent_bead(ctx, ctx.hq, f"hq-{role}", role, {"role_type": role, "agent_state": "running"})
    hooked = []
    for rig in ctx.rigs:
        db = ctx.databases[rig.name]
        for role in ("witness", "refinery"):
            fields = {"role_type": role, "rig": rig.name, "agent_state": "running"}
            _agent_bead(ctx, db, f"{rig.prefix}-{rig.name}-{role}", f"{rig.name}/{role}", fields)
        for name in rig.polecats:
            work = _polecat(ctx, rig, name)
            hooked += [(rig, work)] if work else []
    return hooked


def _polecat(ctx: Context, rig: RigPlan, name: str) -> str | None:
    """A polecat's agent bead; six in ten are working on a hooked bead."""
    work = _hook_work(ctx, rig, name) if ctx.rng.random() < 0.6 else None
    fields = {"role_type": "polecat", "rig": rig.name, "agent_state": "idle"}
    if work:
        fields |= {"agent_state": "working", "hook_bead": work}
    bead = f"{rig.prefix}-{rig.name}-polecat-{name}"
    _agent_bead(ctx, ctx.databases[rig.name], bead, f"{rig.name}/polecats/{name}", fields)
    return work


def _hook_work(ctx: Context, rig: RigPlan, name: str) -> str:
    """A rig issue slung to a polecat: hooked, or already in progress."""
    db = ctx.databases[rig.name]
    id = ctx.mint.next(rig.prefix)
    created = ctx.now - ctx.seconds(600, 6 * 3600)
    slung = created + ctx.seconds(10, 300)
    started = slung + ctx.seconds(2, 20) if ctx.rng.random() < 0.5 else None
    assignee = f"{rig.name}/polecats/{name}"
    status = "in_progress" if started else "hooked"
    title = f"{ctx.rng.choice(VERBS)} {ctx.rng.choice(NOUNS)}"
    row = IssueRow(
        id,
        title,
        created,
        status=status,
        assignee=assignee,
        created_by="mayor",
        updated_at=started or slung,
        started_at=started,
    )
    ctx.sink.issue(db, row)
    ctx.sink.event(db, EventRow(id, "created", "mayor", created))
    ctx.sink.event(db, EventRow(id, "status_changed", "mayor", slung, "open", "hooked"))
    if started:
        ctx.sink.event(db, EventRow(id, "status_changed", assignee, started, "hooked", status))
    return id


def write_merge_requests(ctx: Context, rig: RigPlan) -> None:
    """Open merge requests (label `gt:merge-request`) waiting for the refinery."""
    db = ctx.databases[rig.name]
    for name in rig.polecats[: max(1, len(rig.polecats) // 4)]:
        id = ctx.mint.next(rig.prefix)
        created = ctx.now - ctx.seconds(60, 3 * 3600)
        title = f"Merge: polecat/{name}"
        ctx.sink.issue(db, IssueRow(id, title, created, created_by=f"{rig.name}/polecats/{name}"))
        ctx.sink.label(db, id, "gt:merge-request")
        ctx.sink.event(db, EventRow(id, "created", f"{rig.name}/polecats/{name}", created))
