"""What an action would do, read before it is asked for: the confirm dialogs' real values.

Each preview only reads (the worktree pool's directories, the sling queue, the tmux
sessions), so it runs in read-only mode too; `values()` gives the words a confirm text's
placeholders take (gt_tui/ui/keymap.py `confirm_with`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gt_tui.engine.ops.queue import QueueView
from gt_tui.town.polecat_pool import RigPool


@dataclass(frozen=True)
class RigPlan:
    """One rig's pool: polecat directories now, the target (capped), how many to create."""

    rig: str
    existing: int
    target: int

    @property
    def new(self) -> int:
        return max(0, self.target - self.existing)


@dataclass(frozen=True)
class PoolPreview:
    """`pool.create` with the defaults: each rig filled up to `size` (capped per rig)."""

    size: int
    rigs: tuple[RigPlan, ...]

    @property
    def new(self) -> int:
        return sum(plan.new for plan in self.rigs)

    def values(self) -> dict[str, str]:
        plans = ", ".join(f"{p.rig} {p.new} new ({p.existing} exist)" for p in self.rigs)
        return {"new": str(self.new), "size": str(self.size), "rigs": plans or "no rigs"}


@dataclass(frozen=True)
class FlushPreview:
    """`queue.flush` of every rig: the queued slings it would close, per rig."""

    slings: int
    by_rig: tuple[tuple[str, int], ...]

    def values(self) -> dict[str, str]:
        rigs = ", ".join(f"{rig} {count}" for rig, count in self.by_rig)
        return {"slings": str(self.slings), "rigs": rigs or "none queued"}


@dataclass(frozen=True)
class CleanupPreview:
    """`tmux.cleanup`: the town's sessions judged dead now, by name."""

    dead: tuple[str, ...]

    def values(self) -> dict[str, str]:
        return {"count": str(len(self.dead)), "sessions": ", ".join(self.dead) or "none"}


def pool_preview(pools: list[RigPool], size: int) -> PoolPreview:
    plans = tuple(RigPlan(p.rig, len(p.polecats), min(size, p.cap)) for p in pools)
    return PoolPreview(size, plans)


def flush_preview(view: QueueView) -> FlushPreview:
    counts = Counter(item.rig or "(no rig)" for item in view.items)
    return FlushPreview(view.depth, tuple(sorted(counts.items())))
