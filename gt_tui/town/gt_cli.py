"""Running Gas Town's own `gt`, where it is on PATH, with a timeout and no orphans.

Against a real town, an action gt can do itself (`gt polecat pool-init`) is delegated to
gt so the rows, files and sessions are exactly gt's. Calls run from the town root (gt
finds its town from the working directory) and go through `run_bounded`, which kills the
whole process group on timeout (gt itself spawns `bd`, `git` and `tmux`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from gt_tui.town.git import CommandFailed, first_error_line, run_bounded

GT_TIMEOUT = 120.0


def gt_available() -> bool:
    """Whether a `gt` executable is on PATH."""
    return shutil.which("gt") is not None


def run_gt(args: Sequence[str], cwd: Path | str, timeout: float = GT_TIMEOUT) -> str:
    """Run `gt <args>` in `cwd`; its stdout, or CommandFailed with one line on failure."""
    done = run_bounded(["gt", *args], cwd, timeout, {"NO_COLOR": "1"})
    if done.returncode != 0:
        reason = first_error_line(done.stderr, done.stdout)
        words = " ".join(arg for arg in args[:2] if not arg.startswith("-"))
        raise CommandFailed(f"gt {words}: {reason}", done.returncode, done.stderr)
    return done.stdout
