"""The scratch town a spawn benchmark runs in: one rig, a bare repo, its own tmux socket.

Made from a directory or from a real town (whose first rig's repository is shared into
the scratch repo, nothing copied, nothing of the town changed); `destroy_scratch` kills
what was started there and deletes it all, and never raises.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from gt_tui.errors import GtTuiError
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.git import run_git
from gt_tui.town.model import Rig, Town
from gt_tui.town.tmux import TimedServer
from gt_tui.town.worktrees import repo_base

_SEED_FILES = 200  # a scratch repository big enough that checking it out costs something
_IDENTITY = (("NAME", "gt-tui bench"), ("EMAIL", "bench@gt-tui.invalid"))


@dataclass
class Scratch:
    """A throwaway town with one rig and a bare repo, on its own tmux socket."""

    root: Path
    town: Town
    rig: Rig
    owns_socket: bool
    sessions: set[str] = field(default_factory=set)


def source_repo(where: Town | Path | None) -> Path | None:
    """The repository a town's first rig makes worktrees from; None for a directory."""
    if not isinstance(where, Town) or not where.rigs:
        return None
    with suppress(GtTuiError):
        return repo_base(where, where.rigs[0])
    return None


def make_scratch(where: Town | Path | None, socket: str | None) -> Scratch:
    """A scratch town under `where` (a directory) or the temp dir; on `socket` or a new one."""
    parent = where if isinstance(where, Path) else None
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="gt-tui-bench-", dir=parent))
    rig = Rig("bench", "bn", "bench")
    name = socket or f"gt-tui-bench-{secrets.token_hex(4)}"
    town = Town(root, "bench", (rig,), "hq", Endpoint(), name)
    scratch = Scratch(root, town, rig, owns_socket=socket is None)
    try:
        _make_repo(root / rig.name / ".repo.git", source_repo(where))
    except BaseException:
        destroy_scratch(scratch)
        raise
    return scratch


def _make_repo(bare: Path, source: Path | None) -> None:
    """A bare repo: a mirror of `source` borrowing its objects (nothing copied), or seeded."""
    bare.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        run_git(["clone", "-q", "--mirror", "--shared", str(source), str(bare)], bare.parent, 120)
        return
    seed = bare.parent / "seed"
    seed.mkdir()
    for index in range(_SEED_FILES):
        (seed / f"file{index:03d}.txt").write_text(f"scratch file {index}\n" * 20)
    env = {
        f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in _IDENTITY
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        run_git(args, seed, env=env)
    run_git(["clone", "-q", "--bare", str(seed), str(bare)], bare.parent)
    shutil.rmtree(seed)


def destroy_scratch(scratch: Scratch) -> None:
    """Kill what the bench started and delete the scratch area (never raises)."""
    server = TimedServer(socket_name=scratch.town.tmux_socket)
    with suppress(GtTuiError):
        if scratch.owns_socket:
            server.cmd("kill-server")
        for session in scratch.sessions:
            server.cmd("kill-session", "-t", f"={session}")
    if scratch.owns_socket:  # tmux 3.3 leaves the socket file behind after kill-server
        _socket_file(scratch.town.tmux_socket).unlink(missing_ok=True)
    shutil.rmtree(scratch.root, ignore_errors=True)


def _socket_file(name: str) -> Path:
    return Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / name
