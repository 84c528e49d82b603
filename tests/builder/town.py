"""A whole test town on disk: gt's files, real git repos and polecat worktrees (test-only).

Layout per /work/shared/reference/gastown.md section 7: each rig is a container with a
shared bare `.repo.git`, the canonical `mayor/rig` clone and polecat worktrees at
`<rig>/polecats/<Name>/<rig>/` on gt's no-issue branch `polecat/<Name>-<unix ms, base 36>`,
each with a `.beads/redirect` to the rig's beads.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers import run_tool

from builder.beads import ID_CHARS
from builder.files import write_rig, write_town

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "gt-tui tests",
    "GIT_AUTHOR_EMAIL": "tests@gt-tui.invalid",
    "GIT_COMMITTER_NAME": "gt-tui tests",
    "GIT_COMMITTER_EMAIL": "tests@gt-tui.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class Rig:
    """A rig to lay out: its name, beads prefix (no dash) and polecats."""

    name: str
    prefix: str
    polecats: tuple[str, ...] = ()


def _git(args: list[str], cwd: Path, when: datetime) -> None:
    stamp = f"{int(when.timestamp())} +0000"
    env = {**os.environ, **GIT_IDENTITY, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    run_tool(["git", *args], cwd=cwd, env=env)


def base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = ID_CHARS[rest] + digits
        if number == 0:
            return digits


def lay_out(
    root: Path,
    name: str,
    rigs: tuple[Rig, ...],
    endpoint: Any | None,
    databases: Mapping[str, str],
    when: datetime,
) -> None:
    """Write the town's files and, per rig, its files, repos and polecat worktrees."""
    when = when.replace(microsecond=0)
    root.mkdir(parents=True, exist_ok=True)
    bares = {rig.name: root / rig.name / ".repo.git" for rig in rigs}
    write_town(
        root, name, {r.name: (r.prefix, bares[r.name]) for r in rigs}, endpoint, databases, when
    )
    for rig in rigs:
        _repos(root, rig.name, bares[rig.name], when)
        write_rig(root, rig.name, rig.prefix, bares[rig.name], endpoint, databases[rig.name], when)
        for polecat in rig.polecats:
            add_worktree(root, rig.name, polecat, when)


def _repos(root: Path, rig: str, bare: Path, when: datetime) -> None:
    bare.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gt-tui-test-seed-") as tmp:
        seed = Path(tmp)
        _git(["init", "-q", "-b", "main", str(seed)], root, when)
        (seed / "README.md").write_text(f"# {rig}\n", encoding="utf-8")
        _git(["add", "README.md"], seed, when)
        _git(["commit", "-q", "-m", "Initial commit"], seed, when)
        _git(["clone", "-q", "--bare", str(seed), str(bare)], root, when)
    _git(["--git-dir", str(bare), "remote", "remove", "origin"], root, when)
    _git(["clone", "-q", str(bare), str(root / rig / "mayor" / "rig")], root, when)


def add_worktree(root: Path, rig: str, name: str, when: datetime) -> Path:
    """A polecat's worktree off the rig's bare repo, with its `.beads/redirect`."""
    path = root / rig / "polecats" / name / rig
    path.parent.mkdir(parents=True, exist_ok=True)
    branch = f"polecat/{name}-{base36(int(when.timestamp() * 1000))}"
    bare = root / rig / ".repo.git"
    _git(["--git-dir", str(bare), "worktree", "add", "-q", "-b", branch, str(path)], root, when)
    (path / ".beads").mkdir(exist_ok=True)
    (path / ".beads" / "redirect").write_text("../../../mayor/rig/.beads\n", encoding="utf-8")
    return path
