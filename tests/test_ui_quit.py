"""Quitting never waits for a refresh stuck on a server that does not answer.

The real console runs under tmux (a real terminal) against the real engine and a loopback port
that accepts connections and never says a word. The first refresh hangs in the connect (its
timeout is 5 s); `q` pressed while it hangs must end the process at once.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import tmux
from test_ui_stalled import stalled_port, stalled_town

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

__all__ = ["stalled_port"]  # the fixture, used by name below

START_LIMIT_S = 60.0  # a safety bound for the console to draw (a loaded machine is slow)
QUIT_LIMIT_S = 3.0  # the spec says "within a second" on a quiet machine; a generous margin
SESSION = "console"


def pane(socket: str, field: str) -> str:
    return tmux(socket, "display-message", "-p", "-t", SESSION, f"#{{{field}}}").strip()


def screen(socket: str) -> str:
    return tmux(socket, "capture-pane", "-p", "-t", SESSION)


def wait_until(condition, limit: float, step: float = 0.05) -> float:
    """Poll `condition` until it holds; return how long it took (fail after `limit`)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > limit:
            raise AssertionError("the condition never held")
        time.sleep(step)
    return time.monotonic() - start


def console_command(root: Path, home: Path, rc_file: Path) -> str:
    """The console in a clean environment; the shell writes its exit status to `rc_file`."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
    }
    argv = [sys.executable, "-m", "gt_tui", "--town", str(root), "--refresh", "3600"]
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    return f"env -i {assignments} {shlex.join(argv)}; echo $? > {shlex.quote(str(rc_file))}"


def test_q_quits_at_once_while_a_refresh_hangs(
    tmp_path: Path, stalled_port: int, tmux_socket: str
) -> None:
    root = stalled_town(tmp_path / "town", stalled_port)
    rc_file = tmp_path / "rc"
    command = console_command(root, tmp_path / "home", rc_file)
    tmux(tmux_socket, "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command)
    shell = psutil.Process(int(pane(tmux_socket, "pane_pid")))
    wait_until(lambda: "waiting for the first refresh" in screen(tmux_socket), START_LIMIT_S)
    console = shell.children()[0]
    assert f"127.0.0.1:{stalled_port}" not in screen(tmux_socket)  # no answer yet: it hangs

    tmux(tmux_socket, "send-keys", "-t", SESSION, "q")
    took = wait_until(rc_file.exists, START_LIMIT_S)
    print(f"quit while a refresh hangs: the process ended {took:.2f} s after q")

    assert took < QUIT_LIMIT_S, f"quitting took {took:.1f} s"
    wait_until(lambda: rc_file.read_text().strip() != "", START_LIMIT_S)
    assert rc_file.read_text().strip() == "0"
    assert not console.is_running()
    leftovers = [
        p for p in psutil.process_iter(["cmdline"]) if str(root) in (p.info["cmdline"] or [])
    ]
    assert leftovers == []
