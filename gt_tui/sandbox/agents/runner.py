"""Starting and stopping the sandbox's agent processes, so that none outlives its sandbox.

Each agent runs as `python -m gt_tui.sandbox.agents.<module> --town <root> ...` in a process
group of its own (polecats running without tmux join the mayor's group), with its output in
`<town>/logs/<name>.log`. Stopping sends SIGTERM to every group, waits, then SIGKILLs what is
left; `sweep` then finds any process still naming this town (`--town <root>`, e.g. polecats
whose tmux server was killed) and ends it the same way.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

import gt_tui
from gt_tui.town.secret_env import without_secrets
from gt_tui.town.tmux import run_tmux

STOP_TIMEOUT_S = 5.0
KILL_TIMEOUT_S = 3.0
TMUX_KILL_TIMEOUT_S = 5.0
# Variables that would point the sandbox at a real town (its tmux socket, root or database).
FOREIGN_VARS = ("GT_TMUX_SOCKET", "GT_ROOT", "GT_TOWN_ROOT", "GT_DOLT_USER", "GT_DOLT_PASSWORD")


@dataclass
class AgentProcess:
    """A started agent: its name and its process (the leader of its own group)."""

    name: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def agent_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The agents' environment: ours without a real town's variables or any secret, plus
    `extra`. (The database password reaches them in a 0600 file: `files.write_db_password`.)"""
    env = {k: v for k, v in without_secrets().items() if k not in FOREIGN_VARS}
    package_parent = str(Path(gt_tui.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def start_agent(
    root: Path, name: str, module: str, args: Sequence[str], env: Mapping[str, str]
) -> AgentProcess:
    """Start one agent in its own process group, its output appended to its log."""
    log = root / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        f"gt_tui.sandbox.agents.{module}",
        "--town",
        str(root),
        "--owner",
        str(os.getpid()),
        *args,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            cwd=root,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return AgentProcess(name, process)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_agents(agents: Sequence[AgentProcess], timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM every agent's group, wait up to `timeout` for the agents, SIGKILL a group
    whose agent is still there. (Members of a group that outlive their agent, such as
    polecats run without tmux, name the town: `sweep` ends them.)"""
    for agent in agents:
        _signal_group(agent.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for agent in agents:
        with contextlib.suppress(subprocess.TimeoutExpired):
            agent.process.wait(max(0.0, deadline - time.monotonic()))
    for agent in agents:
        if agent.process.poll() is None:
            _signal_group(agent.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                agent.process.wait(KILL_TIMEOUT_S)


def town_processes(root: Path) -> list[psutil.Process]:
    """Processes started for this town: their command line holds `--town <root>`."""
    needle, found = str(root), []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        argv = proc.info.get("cmdline") or []
        if proc.pid != os.getpid() and any(
            a == "--town" and b == needle for a, b in itertools.pairwise(argv)
        ):
            found.append(proc)
    return found


def sweep(root: Path, timeout: float = STOP_TIMEOUT_S) -> list[int]:
    """End every process still naming this town: SIGTERM, wait, SIGKILL; their pids."""
    procs = town_processes(root)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    alive = _wait_gone(procs, timeout)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _wait_gone(alive, KILL_TIMEOUT_S)
    return [proc.pid for proc in procs]


def _running(proc: psutil.Process) -> bool:
    """Still running; a zombie waiting for init to reap it has finished."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until none of `procs` runs (or `timeout`); those still running."""
    deadline = time.monotonic() + timeout
    alive = [proc for proc in procs if _running(proc)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [proc for proc in alive if _running(proc)]
    return alive


def tmux_socket_file(socket: str) -> Path:
    """Where tmux keeps the socket named by `-L socket`."""
    base = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return Path(base) / f"tmux-{os.getuid()}" / socket


def kill_tmux_server(socket: str) -> None:
    """`tmux -L <socket> kill-server` (no server is fine), and its socket file."""
    with contextlib.suppress(Exception):
        run_tmux(["-L", socket, "kill-server"], TMUX_KILL_TIMEOUT_S)
    with contextlib.suppress(OSError):
        tmux_socket_file(socket).unlink(missing_ok=True)
