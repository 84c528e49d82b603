"""The worktree pool's policy (spec section 6): how many idle polecats a rig gets, and how.

gt's layout and pool state live in `gt_tui.town.worktrees` and `gt_tui.town.polecat_pool`;
this module decides. Where `gt` is on PATH, `create_pool` calls
`gt polecat pool-init <rig> --size N` instead of git, so the files are gt's own. As in gt,
existing polecats count toward the target size and only missing slots are filled; a rig
never holds more than gt's 30 polecat directories, nor more than the
`polecat.max_per_rig` setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from gt_tui.errors import GtTuiError
from gt_tui.settings import Settings
from gt_tui.town.gt_cli import GT_TIMEOUT, gt_available, run_gt
from gt_tui.town.model import Town
from gt_tui.town.polecat_pool import RigPool, add_idle_polecats, read_pool
from gt_tui.town.worktrees import MAX_POLECAT_DIRS, find_rig, new_names, polecat_names

GT_SECONDS_PER_POLECAT = 15.0


@dataclass(frozen=True)
class PoolCreated:
    """What `create_pool` did: target, how many existed, names created or failed, and how."""

    rig: str
    target: int
    existing: int
    created: tuple[str, ...]
    failed: tuple[str, ...]
    via: str
    capped: bool


def rig_cap(settings: Settings | None) -> int:
    """The most polecat directories a rig may hold: gt's 30 or `polecat.max_per_rig`."""
    settings = settings or Settings.defaults()
    return min(MAX_POLECAT_DIRS, settings.integer("polecat.max_per_rig"))


def create_pool(
    town: Town,
    rig_name: str,
    size: int,
    settings: Settings | None = None,
    prefer_gt: bool = True,
) -> PoolCreated:
    """Fill rig `rig_name` up to `size` polecats (capped), via gt where it is on PATH."""
    rig = find_rig(town, rig_name)
    if size < 1:
        raise GtTuiError(f"pool size must be at least 1 (got {size})")
    cap = rig_cap(settings)
    target, before = min(size, cap), polecat_names(town, rig)
    if prefer_gt and gt_available():
        timeout = GT_TIMEOUT + GT_SECONDS_PER_POLECAT * target  # gt makes beads too
        run_gt(["polecat", "pool-init", rig.name, "--size", str(target)], town.root, timeout)
        made = sorted(set(polecat_names(town, rig)) - set(before))
        return PoolCreated(rig.name, target, len(before), tuple(made), (), "gt", size > cap)
    names = new_names(rig, before, target - len(before))
    created, failed = add_idle_polecats(town, rig, names)
    return PoolCreated(rig.name, target, len(before), created, failed, "git", size > cap)


def list_pool(
    town: Town, settings: Settings | None = None, now: float | None = None
) -> list[RigPool]:
    """Every rig's polecats, idle and in use, against the rig cap the settings give."""
    return read_pool(town, rig_cap(settings), now)
