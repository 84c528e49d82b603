"""Measure what the wall monitor costs when nobody touches it: CPU of one core, memory, bytes.

The console runs in a real pseudo-terminal (so layout, drawing and writing escape codes all
count), `--wall` with a 1-second refresh, on an engine that does no I/O: by default its snapshot
changes on every refresh like a live town's (a new Dolt probe each second, values from a fixed
formula); `--static` returns the same snapshot every time. The engine's own queries are not
counted: this is the console's cost.

    .venv/bin/python scripts/idle_cost.py [--seconds 60] [--size 120x40] [--static]
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

WARM_UP_S = 5.0
QUIT_TIMEOUT_S = 10.0


class TickingEngine:
    """A read-only engine without I/O; each refresh rolls the Dolt window by one probe."""

    read_only = True
    actions = None

    def __init__(self, *, static: bool) -> None:
        from snapshots_fixtures import calm_snapshot

        self.static = static
        self.snapshot = calm_snapshot()
        self.count = 0

    def refresh(self):
        from snapshots_fixtures import summarise

        from gt_tui.engine.snapshot import Sample

        if self.static:
            return self.snapshot
        self.count += 1
        now = datetime.now(UTC)
        dolt = self.snapshot.metric("dolt_latency")
        value = round(4.0 + 2.5 * math.sin(self.count / 7), 3)
        samples = (*dolt.samples[1:], Sample(value, now, "probe", "hq"))
        rolled = summarise("dolt_latency", samples)
        metrics = tuple(rolled if m.key == rolled.key else m for m in self.snapshot.metrics)
        self.snapshot = replace(self.snapshot, generated_at=now, metrics=metrics)
        return self.snapshot

    def close(self) -> None:
        """Nothing to release."""


def child(static: bool) -> int:
    from gt_tui.engine.facade import EngineFacade
    from gt_tui.ui.app import run_console

    facade = EngineFacade(TickingEngine(static=static))
    return run_console(facade, wall=True, refresh_interval=1.0)


def drain(fd: int, counter: list[int]) -> None:
    """Read (and count) everything the console writes, as a terminal would."""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        counter[0] += len(data)


def spawn(size: tuple[int, int], static: bool) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the console
        cols, rows = size
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
        args = [sys.executable, __file__, "--child", *(["--static"] if static else [])]
        os.execv(sys.executable, args)
    return pid, fd


def stop(pid: int, fd: int) -> None:
    """Quit with `q`; kill if it does not go within the timeout (never leave it behind)."""
    os.write(fd, b"q")
    deadline = time.monotonic() + QUIT_TIMEOUT_S
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def sample(process: psutil.Process, written: list[int]) -> tuple:
    """CPU times, resident memory, bytes written so far, and the time, read together."""
    with process.oneshot():
        return process.cpu_times(), process.memory_info().rss, written[0], time.monotonic()


def measure(seconds: float, size: tuple[int, int], static: bool) -> dict[str, float]:
    pid, fd = spawn(size, static)
    written = [0]
    threading.Thread(target=drain, args=(fd, written), daemon=True).start()
    try:
        process = psutil.Process(pid)
        time.sleep(WARM_UP_S)
        cpu0, rss0, bytes0, t0 = (
            process.cpu_times(),
            process.memory_info().rss,
            written[0],
            time.monotonic(),
        )
        time.sleep(seconds)
        cpu1, rss1, bytes1, t1 = (
            process.cpu_times(),
            process.memory_info().rss,
            written[0],
            time.monotonic(),
        )
    finally:
        stop(pid, fd)
    used = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {
        "seconds": t1 - t0,
        "cpu_percent": 100 * used / (t1 - t0),
        "rss_mib_start": rss0 / 2**20,
        "rss_mib_end": rss1 / 2**20,
        "bytes_per_second": (bytes1 - bytes0) / (t1 - t0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", default="120x40", help="COLSxROWS of the pseudo-terminal")
    parser.add_argument("--static", action="store_true", help="the same snapshot every refresh")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.static)
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    result = measure(args.seconds, (cols, rows), args.static)
    kind = "static" if args.static else "changing"
    print(
        f"wall, 1 s refresh, {cols}x{rows}, {kind} snapshot, {result['seconds']:.0f} s: "
        f"CPU {result['cpu_percent']:.1f}% of one core, "
        f"RSS {result['rss_mib_start']:.0f} → {result['rss_mib_end']:.0f} MiB, "
        f"{result['bytes_per_second'] / 1024:.1f} KiB/s to the terminal"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
