"""What the wall-monitor scripts share: a private tmux server, its panes' processes, CPU and RSS.

Every tmux call has a timeout; `PrivateTmux` is a context manager that kills its server (and so
every pane's process) on the way out, and then any process of the panes that outlived it.
CPU is psutil's user+system time of a process and all its children, so a console that runs
helpers (tmux, ps) is charged for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

# The gt-tui measured: the one beside this Python, or $GT_TUI_BIN (e.g. an older checkout's).
GT_TUI = os.environ.get("GT_TUI_BIN") or str(Path(sys.executable).with_name("gt-tui"))
TMUX_TIMEOUT_S = 30
KILL_TIMEOUT_S = 10


class PrivateTmux:
    """A tmux server on a socket of its own (`-L`), gone with everything in it at exit."""

    def __init__(self, name: str) -> None:
        self.socket = f"{name}-{os.getpid()}"
        self._pids: list[int] = []

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=TMUX_TIMEOUT_S,
            check=False,
        )
        return done.stdout

    def start(self, session: str, command: str, size: tuple[int, int]) -> psutil.Process:
        """A detached session of `size` (columns, rows) running `command`; its pane's process."""
        cols, rows = size
        self.run("new-session", "-d", "-s", session, "-x", str(cols), "-y", str(rows), command)
        pid = int(self.run("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0])
        self._pids.append(pid)
        return psutil.Process(pid)

    def capture(self, session: str) -> str:
        return self.run("capture-pane", "-p", "-t", session)

    def __enter__(self) -> PrivateTmux:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        survivors = [p for p in map(_process, self._pids) if p is not None]
        for proc in list(survivors):
            try:
                survivors += proc.children(recursive=True)
            except psutil.Error:
                continue
        self.run("kill-server")
        socket_dir = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)  # kill-server leaves it behind
        _, alive = psutil.wait_procs(survivors, timeout=KILL_TIMEOUT_S)
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                continue


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


@dataclass(frozen=True)
class Reading:
    """CPU seconds (user + system, the process and its children) and RSS, at a moment."""

    cpu_s: float
    rss: int
    at: float


def read(proc: psutil.Process) -> Reading:
    """The process's reading now; its children's CPU counts (those alive now, and those it
    waited for, which psutil reports as children_user/children_system)."""
    with proc.oneshot():
        times = proc.cpu_times()
        rss = proc.memory_info().rss
    cpu = times.user + times.system + times.children_user + times.children_system
    for child in proc.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        cpu += child_times.user + child_times.system
    return Reading(cpu, rss, time.monotonic())


def cpu_percent(start: Reading, end: Reading) -> float:
    """CPU between two readings, in percent of one core."""
    return 100 * (end.cpu_s - start.cpu_s) / max(1e-9, end.at - start.at)


def wait_for_screen(tmux: PrivateTmux, session: str, text: str, timeout: float) -> bool:
    """Wait until `text` shows in the pane (the console is up); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in tmux.capture(session):
            return True
        time.sleep(0.5)
    return False


SANDBOX_UP_TIMEOUT_S = 120
SANDBOX_STOP_TIMEOUT_S = 30


class SandboxRun:
    """`gt-tui sandbox run` in a process of its own (its agents are its children, not the
    console's): the live demo town, animated until exit, then stopped with Ctrl-C (killed if it
    will not go). `db` puts its beads on a MySQL-protocol server (`mysql://root@host:port`)."""

    def __init__(self, db: str | None = None, load: str = "normal") -> None:
        self.args = [str(GT_TUI), "sandbox", "run", "--load", load, *(["--db", db] if db else [])]
        self.process: subprocess.Popen[str] | None = None
        self.root: Path | None = None

    def __enter__(self) -> SandboxRun:
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            self.root = self._wait_for_root()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_root(self) -> Path:
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + SANDBOX_UP_TIMEOUT_S
        seen: list[str] = []
        while time.monotonic() < deadline:  # readline blocks: the process's own exit ends it
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip())
            if line.startswith("sandbox town running at "):
                threading.Thread(target=self.process.stdout.read, daemon=True).start()  # drain
                return Path(line.removeprefix("sandbox town running at ").strip())
        raise RuntimeError("gt-tui sandbox run did not start: " + " | ".join(seen[-5:]))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(2)  # SIGINT: the sandbox tears its town down
        try:
            self.process.wait(timeout=SANDBOX_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=KILL_TIMEOUT_S)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
