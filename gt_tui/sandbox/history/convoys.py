"""The tier's open convoys, tracking every hooked bead plus recent rig work."""

from __future__ import annotations

from gt_tui.sandbox.history.context import NOUNS, VERBS, Context
from gt_tui.sandbox.layout import RigPlan
from gt_tui.sandbox.rows import DependencyRow, EventRow, IssueRow


def write_convoys(
    ctx: Context, hooked: list[tuple[RigPlan, str]], recent: dict[str, list[str]]
) -> None:
    """The tier's open convoys: every hooked bead is tracked, plus recent rig work."""
    convoys = [ctx.mint.next("hq-cv") for _ in range(ctx.convoys)]
    tracked: dict[str, list[str]] = {cv: [] for cv in convoys}
    for index, (rig, issue) in enumerate(hooked):
        tracked[convoys[index % len(convoys)]].append(_external(rig, issue))
    pool = [(rig, issue) for rig in ctx.rigs for issue in recent.get(rig.name, [])]
    for cv in convoys:
        for rig, issue in ctx.rng.sample(pool, min(len(pool), ctx.rng.randint(1, 4))):
            if _external(rig, issue) not in tracked[cv]:
                tracked[cv].append(_external(rig, issue))
        _convoy(ctx, cv, tracked[cv])


def _external(rig: RigPlan, issue: str) -> str:
    return f"external:{rig.prefix}:{issue}"


def _convoy(ctx: Context, id: str, targets: list[str]) -> None:
    created = ctx.now - ctx.seconds(300, 12 * 3600)
    title = f"Work: {ctx.rng.choice(VERBS).lower()} {ctx.rng.choice(NOUNS)}"
    ctx.sink.issue(ctx.hq, IssueRow(id, title, created, issue_type="convoy", created_by="mayor"))
    ctx.sink.event(ctx.hq, EventRow(id, "created", "mayor", created))
    for target in targets:
        ctx.sink.dependency(ctx.hq, DependencyRow(id, target, "tracks", created, "mayor"))
