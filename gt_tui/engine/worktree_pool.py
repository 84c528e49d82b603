"""The polecat worktree pool (spec section 6): idle polecats made ahead of time, as gt makes them.

Layout, exactly gt's: the worktree of polecat `<Name>` of rig `<rig>` is
`<town>/<rig>/polecats/<Name>/<rig>/`, added from the rig's shared bare repo
`<rig>/.repo.git` (falling back to the canonical clone `<rig>/mayor/rig`) on its own branch
`polecat/<Name>-<unix millis in base 36>`, with `.beads/redirect` pointing at the rig's
beads. While a name is being created gt's reservation marker `polecats/<Name>.pending`
exists. Where `gt` is on PATH, `create_pool` calls `gt polecat pool-init <rig> --size N`
instead, so the files are gt's own. As in gt, existing polecats count toward the target
size and only missing slots are filled; a rig never holds more than gt's 30 polecat
directories, nor more than the `polecat.max_per_rig` setting.

Idle or in use. gt records a polecat's state in its agent bead; this module does not
write beads, so it decides from what the machine shows. A polecat is **in use** when
- its tmux session `<prefix>-<Name>` is on the town socket with a live pane, or
- its heartbeat `<town>/.runtime/heartbeats/<session>.json` says `"state": "working"`
  (a heartbeat without `state`, gt's v1 form, means working) and is fresher than gt's
  staleness limit (`operational.polecat.heartbeat_stale_threshold`, default 3 minutes);
otherwise it is **idle**. Pooled polecats get an `idle` heartbeat when created (gt's file
format: timestamp, state, context), and `take_from_pool` flips it to `working` so the
same worktree is never handed out twice while its agent is starting.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.files import read_regular_text
from gt_tui.settings import Settings
from gt_tui.town.git import git_ok, run_git
from gt_tui.town.gt_cli import GT_TIMEOUT, gt_available, run_gt
from gt_tui.town.heartbeats import IDLE, WORKING, heartbeat_working, write_heartbeat
from gt_tui.town.layout import heartbeat_file
from gt_tui.town.model import Rig, Town
from gt_tui.town.operational import polecat_heartbeat_stale_s
from gt_tui.town.tmux import list_sessions

MAX_POLECAT_DIRS = 30  # gt's per-rig cap (SpawnPolecatForSling)
GT_SECONDS_PER_POLECAT = 15.0
# The name pool: pleasant names, used in order; then gt's overflow form `<rig>-<n>`.
NAMES = (
    "Alder", "Aspen", "Birch", "Bramble", "Briar", "Cedar", "Clover", "Dune", "Ember", "Fable",
    "Fern", "Finch", "Glade", "Harbor", "Hazel", "Heron", "Indigo", "Juniper", "Kestrel", "Lark",
    "Linden", "Maple", "Meadow", "Moss", "Nimbus", "Oak", "Orchid", "Pebble", "Pine", "Quill",
    "Raven", "Reed", "Rowan", "Sage", "Sparrow", "Thistle", "Tide", "Willow", "Wren", "Yarrow",
)  # fmt: skip
_take_lock = threading.Lock()


@dataclass(frozen=True)
class Polecat:
    """One polecat directory of a rig, and whether something is using it (and what)."""

    rig: str
    name: str
    path: Path
    session: str
    in_use: bool
    reason: str = ""

    @property
    def state(self) -> str:
        return "in use" if self.in_use else "idle"


@dataclass(frozen=True)
class RigPool:
    """A rig's polecats, split idle / in use, with the rig's cap on polecat directories."""

    rig: str
    cap: int
    polecats: tuple[Polecat, ...]

    @property
    def idle(self) -> tuple[Polecat, ...]:
        return tuple(p for p in self.polecats if not p.in_use)

    @property
    def in_use(self) -> tuple[Polecat, ...]:
        return tuple(p for p in self.polecats if p.in_use)


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


# ---------------------------------------------------------------- where things are


def find_rig(town: Town, name: str) -> Rig:
    """The rig called `name`, or one line naming the rigs there are."""
    for rig in town.rigs:
        if rig.name == name:
            return rig
    known = ", ".join(r.name for r in town.rigs) or "none"
    raise GtTuiError(f"no rig '{name}' in town {town.name} (rigs: {known})")


def repo_base(town: Town, rig: Rig) -> Path:
    """The repository polecat worktrees come from: `.repo.git`, else `mayor/rig`."""
    rig_dir = town.root / rig.name
    for candidate in (rig_dir / ".repo.git", rig_dir / "mayor" / "rig"):
        if candidate.is_dir():
            return candidate
    raise GtTuiError(f"rig {rig.name} has no repository ({rig_dir}/.repo.git or mayor/rig)")


def polecat_names(town: Town, rig: Rig) -> list[str]:
    """Polecat directories of a rig, sorted (dot-entries and files skipped, as gt does)."""
    folder = town.polecats_dir(rig)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def worktree_path(town: Town, rig: Rig, name: str) -> Path:
    """`polecats/<Name>/<rig>/`, or the legacy `polecats/<Name>/` where that is the worktree."""
    home = town.polecats_dir(rig) / name
    nested = home / rig.name
    return home if not nested.exists() and (home / ".git").exists() else nested


def heartbeat_path(town: Town, session: str) -> Path:
    return heartbeat_file(town.root, session)


def rig_cap(settings: Settings | None) -> int:
    """The most polecat directories a rig may hold: gt's 30 or `polecat.max_per_rig`."""
    settings = settings or Settings.defaults()
    return min(MAX_POLECAT_DIRS, int(settings["polecat.max_per_rig"]))  # type: ignore[arg-type]


# ---------------------------------------------------------------- creating and removing


def branch_name(name: str, millis: int | None = None) -> str:
    """gt's branch for a polecat without an issue: `polecat/<Name>-<unix millis base 36>`."""
    return f"polecat/{name}-{_base36(millis if millis is not None else time.time_ns() // 10**6)}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def start_point(town: Town, rig: Rig) -> str:
    """Where new worktrees start: `origin/<default branch>`, else the branch, else HEAD."""
    base = repo_base(town, rig)
    branch = _default_branch(town, rig)
    for ref in (f"origin/{branch}", branch):
        if git_ok(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], base):
            return ref
    return "HEAD"


def _default_branch(town: Town, rig: Rig) -> str:
    try:
        config = json.loads(read_regular_text(town.root / rig.name / "config.json"))
    except (OSError, ValueError, RecursionError):
        return "main"
    branch = config.get("default_branch") if isinstance(config, dict) else None
    return str(branch) if branch else "main"


def add_polecat(town: Town, rig: Rig, name: str, start: str | None = None) -> Path:
    """Create polecat `name`'s worktree the way gt does; its path. Cleans up after a failure."""
    base, folder = repo_base(town, rig), town.polecats_dir(rig)
    home, pending = folder / name, folder / f"{name}.pending"
    if home.exists():
        raise GtTuiError(f"polecat {name} already exists in rig {rig.name}")
    folder.mkdir(parents=True, exist_ok=True)
    pending.write_text(f"{os.getpid()}\n")  # gt's reservation marker while the dir is made
    try:
        home.mkdir()
        path = home / rig.name
        ref = start or start_point(town, rig)
        run_git(["worktree", "add", "-q", "-b", branch_name(name), str(path), ref], base)
        _redirect_beads(town, rig, path)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        git_ok(["worktree", "prune"], base)
        raise
    finally:
        pending.unlink(missing_ok=True)
    return path


def _redirect_beads(town: Town, rig: Rig, worktree: Path) -> None:
    """gt's `.beads/redirect`: the worktree shares the rig's beads instead of its own copy."""
    rig_dir = town.root / rig.name
    shared = (rig_dir / "mayor" / "rig" / ".beads", rig_dir / ".beads")
    target = next((folder for folder in shared if folder.is_dir()), None)
    if target is None:
        return  # no beads in this rig (a scratch town): nothing to point at
    beads = worktree / ".beads"
    shutil.rmtree(beads, ignore_errors=True)
    beads.mkdir()
    (beads / "redirect").write_text(os.path.relpath(target, beads) + "\n")


def remove_polecat(town: Town, rig: Rig, name: str) -> None:
    """Remove a polecat's worktree, its branch, its directory and its heartbeat."""
    base, path = repo_base(town, rig), worktree_path(town, rig, name)
    branch = _current_branch(path)
    if path.exists():
        git_ok(["worktree", "remove", "--force", str(path)], base)
    shutil.rmtree(town.polecats_dir(rig) / name, ignore_errors=True)
    git_ok(["worktree", "prune"], base)
    if branch and branch.startswith("polecat/"):
        git_ok(["branch", "-D", branch], base)
    heartbeat_path(town, rig.session_name(name)).unlink(missing_ok=True)


def _current_branch(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return run_git(["rev-parse", "--abbrev-ref", "HEAD"], path).strip()
    except GtTuiError:
        return None


# ---------------------------------------------------------------- the pool


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
    created, failed = _create_with_git(town, rig, new_names(rig, before, target - len(before)))
    return PoolCreated(rig.name, target, len(before), created, failed, "git", size > cap)


def _create_with_git(
    town: Town, rig: Rig, names: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    created: list[str] = []
    failed: list[str] = []
    start = start_point(town, rig) if names else "HEAD"
    for name in names:
        try:
            add_polecat(town, rig, name, start)
        except GtTuiError as err:
            failed.append(f"{name}: {err}")
            continue
        write_heartbeat(town, rig.session_name(name), IDLE, "pooled by gt-tui")
        created.append(name)
    return tuple(created), tuple(failed)


def new_names(rig: Rig, taken: Iterable[str], count: int) -> list[str]:
    """`count` names not in use: the name pool in order, then `<rig>-<n>` overflow names."""
    used = set(taken)
    names = [n for n in NAMES if n not in used][: max(count, 0)]
    number = len(NAMES) + 1
    while len(names) < count:
        candidate = f"{rig.name}-{number}"
        if candidate not in used:
            names.append(candidate)
        number += 1
    return names


def list_pool(
    town: Town, settings: Settings | None = None, now: float | None = None
) -> list[RigPool]:
    """Every rig's polecats, idle and in use, judged as the module docstring says."""
    live = _live_sessions(town)
    moment = time.time() if now is None else now
    cap, stale_s = rig_cap(settings), polecat_heartbeat_stale_s(town.root)
    pools = []
    for rig in town.rigs:
        names = polecat_names(town, rig)
        found = (_polecat(town, rig, name, live, (moment, stale_s)) for name in names)
        pools.append(RigPool(rig.name, cap, tuple(found)))
    return pools


def _polecat(
    town: Town, rig: Rig, name: str, live: set[str], clock: tuple[float, float]
) -> Polecat:
    session = rig.session_name(name)
    path = worktree_path(town, rig, name)
    if session in live:
        return Polecat(rig.name, name, path, session, True, f"tmux session {session} is live")
    if heartbeat_working(heartbeat_path(town, session), *clock):
        return Polecat(rig.name, name, path, session, True, "heartbeat says working")
    return Polecat(rig.name, name, path, session, False)


def _live_sessions(town: Town) -> set[str]:
    """Sessions with a live pane on the town socket; none where tmux is missing."""
    try:
        return {s.name for s in list_sessions(town.tmux_socket) if not s.pane_dead}
    except SourceUnavailable:
        return set()  # no tmux: no agent can be running in a session


def take_from_pool(town: Town, rig_name: str) -> Path | None:
    """An idle polecat's worktree, claimed (heartbeat `working`); None when none is idle."""
    rig = find_rig(town, rig_name)
    with _take_lock:
        pool = next(p for p in list_pool(town) if p.rig == rig.name)
        idle = [p for p in pool.idle if p.path.is_dir()]
        if not idle:
            return None
        chosen = idle[0]
        write_heartbeat(town, chosen.session, WORKING, "claimed from the pool by gt-tui")
        return chosen.path


def release_to_pool(town: Town, rig_name: str, name: str) -> None:
    """Mark a polecat idle again once its session has ended (its worktree is kept)."""
    rig = find_rig(town, rig_name)
    write_heartbeat(town, rig.session_name(name), IDLE, "returned to the pool by gt-tui")
