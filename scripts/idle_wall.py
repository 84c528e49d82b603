"""What the wall monitor costs a real town, engine included: CPU of one core and RSS.

Runs `gt-tui --town TOWN --wall --refresh 1` in a private tmux server (120×40), lets it settle
for 8 s, then reads the console process's CPU time and RSS over SECONDS with psutil.

    .venv/bin/python scripts/idle_wall.py TOWN [SECONDS]     (build a town with `sandbox build`)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

GT_TUI = Path(sys.executable).with_name("gt-tui")
SOCKET = "gttui-idle-wall"
SETTLE_S = 8.0


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, timeout=30)
    return done.stdout


def console_process() -> psutil.Process:
    """The gt-tui process in the pane (the largest Python process of the pane's tree)."""
    pane = psutil.Process(int(tmux("list-panes", "-F", "#{pane_pid}").split()[0]))
    tree = [pane, *pane.children(recursive=True)]
    return max((p for p in tree if "python" in p.name() or "gt-tui" in p.name()),
               key=lambda p: p.memory_info().rss)  # fmt: skip


def main() -> None:
    town, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    tmux("kill-server")
    tmux("new-session", "-d", "-x", "120", "-y", "40", f"{GT_TUI} --town {town} --wall --refresh 1")
    try:
        time.sleep(SETTLE_S)
        proc = console_process()
        rss0, cpu0, wall0 = proc.memory_info().rss, sum(proc.cpu_times()[:2]), time.monotonic()
        time.sleep(seconds)
        rss1, cpu1, wall1 = proc.memory_info().rss, sum(proc.cpu_times()[:2]), time.monotonic()
    finally:
        tmux("kill-server")
    share = 100 * (cpu1 - cpu0) / (wall1 - wall0)
    print(f"cpu {share:.1f}% of one core over {wall1 - wall0:.0f} s; "
          f"rss {rss0 / 2**20:.0f} -> {rss1 / 2**20:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
