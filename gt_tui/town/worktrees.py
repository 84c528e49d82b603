"""gt's polecat worktree layout: where a polecat's worktree is, and making or removing one.

Layout, exactly gt's: the worktree of polecat `<Name>` of rig `<rig>` is
`<town>/<rig>/polecats/<Name>/<rig>/`, added from the rig's shared bare repo
`<rig>/.repo.git` (falling back to the canonical clone `<rig>/mayor/rig`) on its own branch
`polecat/<Name>-<unix millis in base 36>`, with `.beads/redirect` pointing at the rig's
beads. While a name is being created gt's reservation marker `polecats/<Name>.pending`
exists. A rig never holds more than gt's 30 polecat directories; names come from gt's
name pool in order, then its overflow form `<rig>-<n>`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from gt_tui.errors import GtTuiError
from gt_tui.files import read_regular_text
from gt_tui.town.git import git_ok, run_git
from gt_tui.town.layout import heartbeat_file
from gt_tui.town.model import Rig, Town

MAX_POLECAT_DIRS = 30  # gt's per-rig cap (SpawnPolecatForSling)
# The name pool: pleasant names, used in order; then gt's overflow form `<rig>-<n>`.
NAMES = (
    "Alder", "Aspen", "Birch", "Bramble", "Briar", "Cedar", "Clover", "Dune", "Ember", "Fable",
    "Fern", "Finch", "Glade", "Harbor", "Hazel", "Heron", "Indigo", "Juniper", "Kestrel", "Lark",
    "Linden", "Maple", "Meadow", "Moss", "Nimbus", "Oak", "Orchid", "Pebble", "Pine", "Quill",
    "Raven", "Reed", "Rowan", "Sage", "Sparrow", "Thistle", "Tide", "Willow", "Wren", "Yarrow",
)  # fmt: skip


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
    """gt's heartbeat file of a session: `<town>/.runtime/heartbeats/<session>.json`."""
    return heartbeat_file(town.root, session)


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
