"""Making a polecat as gt does: a name, a worktree on its own branch, then its session.

The name is an idle polecat's (taken from the worktree pool: `take_from_pool`) or a new
one from gt's default Mad Max namepool, up to the rig's cap (`polecat.max_per_rig`, and
gt's 30). The worktree is `<rig>/polecats/<Name>/<rig>/`, added from the rig's bare
`.repo.git` on branch `polecat/<Name>/<bead>@<unix ms base 36>` (an idle polecat's worktree
switches to that branch), with gt's `.beads/redirect`. The session is `<prefix>-<Name>` on
the town's tmux socket running the polecat agent, or, without tmux, the agent as a plain
process (in the mayor's process group, so stopping the mayor stops it too).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from gt_tui.errors import GtTuiError
from gt_tui.sandbox.agents.runtime import Agent, utc_now
from gt_tui.sandbox.git import run_git
from gt_tui.sandbox.layout import add_polecat_worktree, polecat_dir
from gt_tui.sandbox.rows import base36
from gt_tui.sandbox.scale import POLECAT_NAMES
from gt_tui.town.model import Rig
from gt_tui.town.polecat_pool import take_from_pool
from gt_tui.town.secret_env import without_secrets
from gt_tui.town.tmux import run_tmux

DEFAULT_BRANCH = "main"
TMUX_START_TIMEOUT = 10.0
GT_POLECAT_DIR_CAP = 30  # gt's per-rig cap on polecat directories
_allocate_lock = threading.Lock()


@dataclass
class Polecat:
    """A polecat being spawned or running: where it works and how to watch it."""

    rig: Rig
    name: str
    worktree: Path
    branch: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def session(self) -> str:
        return self.rig.session_name(self.name)

    @property
    def actor(self) -> str:
        return f"{self.rig.name}/polecats/{self.name}"


def _taken(folder: Path) -> set[str]:
    """Names in use: polecat directories and `.pending` reservations."""
    if not folder.is_dir():
        return set()
    return {p.name.removesuffix(".pending") for p in folder.iterdir() if not p.name.startswith(".")}


def _new_name(rig: Rig, taken: set[str]) -> str:
    free = [name for name in POLECAT_NAMES if name not in taken]
    if free:
        return free[0]
    number = len(POLECAT_NAMES) + 1
    while f"{rig.name}-{number}" in taken:
        number += 1
    return f"{rig.name}-{number}"


def allocate(agent: Agent, rig: Rig, cap: int) -> Polecat | None:
    """An idle polecat, else a reserved new name; None when the rig is at its cap."""
    folder = agent.town.polecats_dir(rig)
    with _allocate_lock:
        idle = take_from_pool(agent.town, rig.name)
        if idle is not None:
            name = idle.relative_to(folder).parts[0]
            return Polecat(rig, name, idle)
        taken = _taken(folder)
        if len(taken) >= min(cap, GT_POLECAT_DIR_CAP):
            return None
        name = _new_name(rig, taken)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.pending").write_text(f"{os.getpid()}\n", encoding="utf-8")
        agent.heartbeat(rig.session_name(name), "working", "spawning")
        return Polecat(rig, name, polecat_dir(agent.root, rig.name, name))


def prepare_worktree(agent: Agent, polecat: Polecat, bead: str) -> None:
    """A new polecat's worktree, or an idle one's; either way on the bead's own branch."""
    stamp = base36(int(utc_now().timestamp() * 1000))
    polecat.branch = f"polecat/{polecat.name}/{bead}@{stamp}"
    if polecat.worktree.is_dir():
        run_git(["clean", "-fdq", "-e", ".beads"], polecat.worktree)
    else:
        pending = agent.town.polecats_dir(polecat.rig) / f"{polecat.name}.pending"
        try:
            add_polecat_worktree(agent.root, polecat.rig.name, polecat.name, utc_now())
        finally:
            pending.unlink(missing_ok=True)
    run_git(["checkout", "-q", "-f", "-B", polecat.branch, DEFAULT_BRANCH], polecat.worktree)


def polecat_command(agent: Agent, polecat: Polecat, bead: str, seed: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gt_tui.sandbox.agents.polecat",
        "--town",
        str(agent.root),
        "--rig",
        polecat.rig.name,
        "--name",
        polecat.name,
        "--bead",
        bead,
        "--seed",
        seed,
        "--owner",
        str(agent.owner),
    ]


def polecat_env(agent: Agent, polecat: Polecat) -> dict[str, str]:
    """gt's polecat environment (internal/config/env.go)."""
    return {
        "GT_ROLE": polecat.actor,
        "BD_ACTOR": polecat.actor,
        "GT_RIG": polecat.rig.name,
        "GT_POLECAT": polecat.name,
        "GT_SESSION": polecat.session,
        "GT_ROOT": str(agent.root),
        "BD_DOLT_AUTO_COMMIT": "off",
    }


def log_path(agent: Agent, polecat: Polecat) -> Path:
    folder = agent.root / "logs"
    folder.mkdir(exist_ok=True)
    return folder / f"polecat-{polecat.rig.name}-{polecat.name}.log"


def start_session(agent: Agent, polecat: Polecat, bead: str, seed: str, use_tmux: bool) -> None:
    """Start the polecat's agent: a tmux session on the town socket, or a plain process."""
    argv = polecat_command(agent, polecat, bead, seed)
    env = polecat_env(agent, polecat)
    log = log_path(agent, polecat)
    if not use_tmux:
        with log.open("ab") as out:
            polecat.process = subprocess.Popen(
                argv,
                cwd=polecat.worktree,
                env=without_secrets({**os.environ, **env}),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return
    assignments = [f"{key}={value}" for key, value in env.items()]
    command = f"exec {shlex.join(['env', *assignments, *argv])} >>{shlex.quote(str(log))} 2>&1"
    result = run_tmux(
        [
            "-L",
            agent.town.tmux_socket,
            "new-session",
            "-d",
            "-s",
            polecat.session,
            "-c",
            str(polecat.worktree),
            command,
        ],
        TMUX_START_TIMEOUT,
    )
    if result.returncode != 0:
        reason = " ".join(result.stderr).strip() or f"exit {result.returncode}"
        raise GtTuiError(f"tmux new-session {polecat.session}: {reason}")
