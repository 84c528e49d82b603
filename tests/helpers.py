"""Helpers for tests that drive real tools: the skip-or-fail rule, git and tmux with timeouts,
and `gt-tui` itself as a subprocess in a clean environment."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import psutil
import pytest

TOOL_TIMEOUT = 30.0
CLI_TIMEOUT = 90.0  # generous: a bound on a hang, not a timing assertion
# Identity and config for test commits, without reading or writing the user's git config.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "gt-tui tests",
    "GIT_AUTHOR_EMAIL": "tests@gt-tui.invalid",
    "GIT_COMMITTER_NAME": "gt-tui tests",
    "GIT_COMMITTER_EMAIL": "tests@gt-tui.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def missing(reason: str) -> NoReturn:
    """Skip for a missing tool, or fail under CI, where nothing may pass by skipping."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)", pytrace=False)
    pytest.skip(reason)


def run_tool(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command with a timeout (killed on expiry); return stdout, raise on failure."""
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def run_git(repo: Path, *args: str) -> str:
    """Run one git command in `repo` with the test identity; return its stdout."""
    return run_tool(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV})


def tmux(socket: str, *args: str) -> str:
    """Run one tmux command on a private socket (`tmux -L socket ...`); return its stdout."""
    return run_tool(["tmux", "-L", socket, *args])


def kill_pane_process(socket: str, session: str) -> None:
    """Kill a pane's process, then wait until tmux reports the pane dead."""
    pid = int(tmux(socket, "list-panes", "-t", f"={session}:", "-F", "#{pane_pid}").strip())
    psutil.Process(pid).kill()
    for _ in range(500):
        if tmux(socket, "list-panes", "-t", f"={session}:", "-F", "#{pane_dead}").strip() == "1":
            return
        time.sleep(0.01)
    raise AssertionError(f"tmux never marked {session}'s pane dead")


def tmux_socket_path(socket: str) -> Path:
    """Where tmux keeps the socket named by `-L socket` (tmux's own rule)."""
    base = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return Path(base) / f"tmux-{os.getuid()}" / socket


def kill_tmux_server(socket: str) -> None:
    """Kill the tmux server on `socket`, if any, and remove the socket file it leaves."""
    with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
        tmux(socket, "kill-server")  # "no server running" is the usual answer
    tmux_socket_path(socket).unlink(missing_ok=True)


def clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with no GT_* (or anything else) from the caller's shell: PATH, a
    private HOME and XDG_CONFIG_HOME, a UTF-8 locale, and `extra`."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C.UTF-8",
        **(extra or {}),
    }


def run_gt_tui(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = CLI_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """`python -m gt_tui ARGS` as a subprocess, output captured, killed on timeout."""
    return subprocess.run(
        [sys.executable, "-m", "gt_tui", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_main(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`gt_tui.cli.main(ARGS)` in this process, as `run_gt_tui` runs it in a child: only
    `env` in os.environ, `cwd` as the working directory, stdin empty, output captured; the
    exit code is main's return or argparse's SystemExit. Everything is restored afterwards.
    For tests of what a command answers; what concerns the process itself (signals, the
    interpreter's exit code, no traceback on a crash) keeps a `run_gt_tui` test."""
    from gt_tui.cli import main  # here: importing the CLI costs a test module nothing

    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: usage errors (2), --help and --version (0)
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(
        ["gt_tui.cli.main", *args], code, out.getvalue(), err.getvalue()
    )
