"""The one place git runs: every call has a timeout, and its process group is killed on expiry.

`run_bounded` is the shared runner for outside commands (`gt_cli` uses it too): it starts
the command in a new session so that, on timeout, the command *and anything it spawned*
(git hooks, `ssh`, a pager) are killed, then reaped: a console must never leave orphans.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.town.secret_env import without_secrets

GIT_TIMEOUT = 30.0
# Never wait on a credential prompt or a pager; keep messages in English for one-line errors.
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}


class CommandFailed(GtTuiError):
    """An outside command exited non-zero; the message is its first meaningful error line."""

    def __init__(self, message: str, returncode: int, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class CommandTimeout(SourceUnavailable):
    """An outside command outlived its timeout and was killed."""


@dataclass(frozen=True)
class Completed:
    """A finished command: exit code and decoded output."""

    returncode: int
    stdout: str
    stderr: str


def run_bounded(
    cmd: Sequence[str],
    cwd: Path | str | None,
    timeout: float,
    env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
) -> Completed:
    """Run `cmd`; on timeout kill its process group, reap it and raise CommandTimeout.

    The child's environment is `base_env` (default: ours) with `env` on top, minus every
    secret (`secret_env.without_secrets`): no password reaches git, gt or their hooks.
    """
    name = Path(cmd[0]).name
    try:
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=without_secrets({**(os.environ if base_env is None else base_env), **(env or {})}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
            errors="backslashreplace",
        )
    except FileNotFoundError:
        raise SourceUnavailable(f"{name} is not installed (or {cwd} does not exist)") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise CommandTimeout(f"{name} {_verb(cmd)} did not finish within {timeout:g}s") from None
    except BaseException:
        _kill_group(proc)  # Ctrl-C in the middle must not leave the child behind either
        raise
    return Completed(proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(Exception):
        proc.communicate(timeout=5)


def _verb(cmd: Sequence[str]) -> str:
    """The subcommand words of a command line, for messages (`worktree add`)."""
    words = [arg for arg in cmd[1:3] if not arg.startswith("-")]
    return " ".join(words)


def first_error_line(stderr: str, stdout: str = "") -> str:
    """The line that says what went wrong: git's `fatal:`/`error:` line, else the last one."""
    lines = [line.strip() for line in (stderr or stdout).splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else "no output"


def run_git(
    args: Sequence[str],
    cwd: Path | str,
    timeout: float = GIT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
) -> str:
    """Run `git <args>` in `cwd`; its stdout, or CommandFailed with one line on a non-zero exit.

    `env` adds variables; `base_env` replaces the inherited environment (the sandbox passes
    one without the user's git config).
    """
    done = run_bounded(["git", *args], cwd, timeout, {**_GIT_ENV, **(env or {})}, base_env)
    if done.returncode != 0:
        reason = first_error_line(done.stderr, done.stdout)
        raise CommandFailed(f"git {_verb(['git', *args])}: {reason}", done.returncode, done.stderr)
    return done.stdout


def git_ok(args: Sequence[str], cwd: Path | str, timeout: float = GIT_TIMEOUT) -> bool:
    """Whether `git <args>` exits 0 (for probes such as `rev-parse --verify`)."""
    try:
        run_git(args, cwd, timeout)
    except CommandFailed:
        return False
    return True
