"""How much history a row budget buys, and writing it all in foreign-key order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gt_tui.sandbox.history.agents import write_agents, write_merge_requests
from gt_tui.sandbox.history.context import Context
from gt_tui.sandbox.history.convoys import write_convoys
from gt_tui.sandbox.history.mail import write_mail
from gt_tui.sandbox.history.patrols import write_patrols
from gt_tui.sandbox.history.work import write_rig_work

# Share of the row budget per kind of history, and the rows one item of each kind costs.
BUDGET_SHARE = {"work": 0.5, "mail": 0.3, "patrol": 0.2}
ROWS_PER_ITEM = {"work": 5.2, "mail": 11.5, "patrol": 3.0}


@dataclass(frozen=True)
class HistoryPlan:
    """How much history to write: derived from a row budget."""

    work_items: int
    mails: int
    patrol_cycles: int  # in total, shared among the patrol agents
    span: timedelta

    @classmethod
    def for_budget(cls, rows: int, span: timedelta) -> HistoryPlan:
        count = {k: int(rows * BUDGET_SHARE[k] / ROWS_PER_ITEM[k]) for k in BUDGET_SHARE}
        return cls(count["work"], count["mail"], count["patrol"], span)


def write_history(ctx: Context, plan: HistoryPlan) -> None:
    """Everything, in an order that keeps foreign keys satisfied; flushed at the end."""
    hooked = write_agents(ctx)
    recent: dict[str, list[str]] = {}
    for index, rig in enumerate(ctx.rigs):
        share = plan.work_items // len(ctx.rigs) + (index < plan.work_items % len(ctx.rigs))
        recent[rig.name] = write_rig_work(ctx, rig, share, plan.span)
        write_merge_requests(ctx, rig)
    write_mail(ctx, plan.mails, plan.span)
    write_patrols(ctx, plan.patrol_cycles)
    ctx.sink.flush()
    write_convoys(ctx, hooked, recent)
    ctx.sink.flush()
