"""tmux on the town's own socket, with a timeout on every call.

libtmux is the API surface (`TimedServer` is a `libtmux.Server`), but libtmux runs tmux
without a timeout, so `TimedServer.cmd` goes through our runner, which kills a tmux
that hangs. Listing goes through `cmd` too (not `server.sessions`, whose fetch calls
tmux directly), so no call to tmux can outlive its timeout.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libtmux

from gt_tui.errors import SourceUnavailable
from gt_tui.safe_text import safe_text
from gt_tui.town.secret_env import without_secrets

TMUX_TIMEOUT = 3.0
_UNSAFE = re.compile(r"[^a-z0-9-]+")
_SESSION_FIELDS = (
    "session_name",
    "session_created",
    "session_activity",
    "pane_dead",
    "pane_pid",
)


def tmux_socket_name(town_root: Path, env: Mapping[str, str] | None = None) -> str:
    """The socket gt derives for a town: `sanitize(basename)-<6 hex of sha256(path)>`.

    `GT_TMUX_SOCKET` (in `env`, default the process environment) overrides it, except for
    "", "default" and "auto", which mean derive.
    """
    override = (os.environ if env is None else env).get("GT_TMUX_SOCKET", "")
    if override not in ("", "default", "auto"):
        return override
    base = _UNSAFE.sub("-", town_root.name.lower()).strip("-") or "default"
    canonical = os.path.realpath(town_root)
    return f"{base}-{hashlib.sha256(canonical.encode()).hexdigest()[:6]}"


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


@dataclass
class TmuxResult:
    """What libtmux expects back from a command: stdout/stderr lines and the exit code."""

    cmd: list[str]
    stdout: list[str]
    stderr: list[str]
    returncode: int


def run_tmux(args: list[str], timeout: float = TMUX_TIMEOUT) -> TmuxResult:
    """Run tmux with a timeout; a tmux that hangs is killed and reported, never waited on.

    tmux runs without our secrets: a server it starts copies its environment into its
    global environment (`show-environment -g`) and every pane's.
    """
    cmd = ["tmux", *args]
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            errors="backslashreplace",
            stdin=subprocess.DEVNULL,
            env=without_secrets(),
        )
    except FileNotFoundError:
        raise SourceUnavailable("tmux is not installed") from None
    except subprocess.TimeoutExpired:
        raise SourceUnavailable(f"tmux did not answer within {timeout:g}s") from None
    return TmuxResult(cmd, done.stdout.splitlines(), done.stderr.splitlines(), done.returncode)


class TimedServer(libtmux.Server):
    """A libtmux server whose every command runs through `run_tmux`, with a timeout."""

    timeout: float = TMUX_TIMEOUT

    def cmd(self, cmd: str, *args: Any, target: str | int | None = None) -> Any:
        head = [f"-L{self.socket_name}"] if self.socket_name else []
        tail = [cmd, *(["-t", str(target)] if target is not None else []), *map(str, args)]
        return run_tmux([*head, *tail], self.timeout)


@dataclass(frozen=True)
class TmuxSession:
    """One session on the town socket, as `list-sessions` reports it."""

    name: str
    created: int
    activity: int
    pane_dead: bool
    pane_pid: int | None


def list_sessions(socket_name: str, timeout: float = TMUX_TIMEOUT) -> list[TmuxSession]:
    """Sessions on the socket; none when no server runs there. Raises when tmux is missing."""
    if not socket_path(socket_name).exists():
        return []  # no server can run there: no tmux run to say so (a fork and exec)
    server = TimedServer(socket_name=socket_name)
    server.timeout = timeout
    fmt = "\t".join(f"#{{{name}}}" for name in _SESSION_FIELDS)
    result = server.cmd("list-sessions", "-F", fmt)
    if result.returncode != 0:
        return []  # "no server running" is an empty town, not a failure
    return [_parse_session(line) for line in result.stdout if line.count("\t") == 4]


def socket_path(socket_name: str) -> Path:
    """Where a tmux client looks for the server of `-L socket_name`, by tmux's own rule:
    `$TMUX_TMPDIR` (`/tmp` when unset or empty), `tmux-<uid>/`, the name (`default`)."""
    base = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return Path(base) / f"tmux-{os.getuid()}" / (socket_name or "default")


def _parse_session(line: str) -> TmuxSession:
    name, created, activity, dead, pid = line.split("\t")
    return TmuxSession(
        safe_text(name),  # tmux escapes C0 itself (\\033) but passes bidi overrides through
        int(created or 0),
        int(activity or 0),
        dead == "1",
        int(pid) if pid.isdigit() else None,
    )
