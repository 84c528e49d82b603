"""Patrol cycles: each patrol agent's closed root wisps back from now and its open one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gt_tui.sandbox.history.context import Context, draw
from gt_tui.sandbox.layout import RigPlan
from gt_tui.sandbox.rows import PATROL_DONE, EventRow, IssueRow
from gt_tui.town.addresses import DEACON

# (weight, low, high) seconds: patrol cycles mostly healthy.
CYCLE_S = ((0.8, 6, 28), (0.15, 30, 58), (0.05, 61, 95))


def _patrol_agents(rigs: Sequence[RigPlan]) -> list[tuple[str, str]]:
    agents = [("deacon", DEACON)]
    for rig in rigs:
        agents += [("witness", f"{rig.name}/witness"), ("refinery", f"{rig.name}/refinery")]
    return agents


def write_patrols(ctx: Context, cycles: int) -> None:
    """Closed patrol cycles per agent, back from now, and each agent's open (hooked) one."""
    agents = _patrol_agents(ctx.rigs)
    for index, (role, assignee) in enumerate(agents):
        share = cycles // len(agents) + (index < cycles % len(agents))
        end = ctx.now - ctx.seconds(5, 60)
        _patrol_cycle(ctx, role, assignee, ctx.now - ctx.seconds(1, 20), None)
        for _ in range(share):
            start = end - timedelta(seconds=draw(ctx.rng, CYCLE_S))
            _patrol_cycle(ctx, role, assignee, start, end)
            end = start - ctx.seconds(30, 300)


def _patrol_cycle(
    ctx: Context, role: str, assignee: str, start: datetime, end: datetime | None
) -> None:
    """One cycle's root wisp: hooked while running, closed by `gt patrol report`."""
    id = ctx.mint.next("hq", wisp=True)
    summary = f"{ctx.rng.randint(0, 4)} actions, all healthy" if end else ""
    row = IssueRow(
        id,
        f"mol-{role}-patrol",
        start,
        status="closed" if end else "hooked",
        assignee=assignee,
        created_by=assignee,
        issue_type="molecule",
        description=f"Patrol report: {summary}" if end else "",
        closed_at=end,
        close_reason=PATROL_DONE + summary if end else "",
        ephemeral=True,
        mol_type="patrol",
        wisp_type="patrol",
    )
    ctx.sink.issue(ctx.hq, row, "wisps")
    ctx.sink.event(ctx.hq, EventRow(id, "created", assignee, start), "wisp_")
    if end:
        ctx.sink.event(ctx.hq, EventRow(id, "closed", assignee, end, "hooked", "closed"), "wisp_")
