"""What the wall monitor costs a real town, engine included: CPU of one core and RSS.

Runs `gt-tui --town TOWN --wall --refresh 1` in a private tmux server (200×50 unless
`--size`), lets it settle, then reads the console process's CPU time (psutil user+system, with
and without its children: the engine runs `tmux` for the town's sessions) and RSS over
SECONDS. Without TOWN it measures the wall over the live demo town, run by `gt-tui sandbox run`
in a process of its own (so its agents are not counted as the console's).

    .venv/bin/python scripts/idle_wall.py [TOWN] [--seconds 60] [--size 200x50]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import psutil
from wall_tmux import GT_TUI, PrivateTmux, Reading, SandboxRun, cpu_percent, read, wait_for_screen

SETTLE_S = 8.0
SCREEN_TIMEOUT_S = 90


def own_cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def measure(
    town: Path, seconds: float, size: tuple[int, int]
) -> tuple[float, float, Reading, Reading]:
    """(CPU % with children, CPU % of the process alone, first and last reading)."""
    with PrivateTmux("gttui-idle-wall") as tmux:
        proc = tmux.start("wall", f"{GT_TUI} --town {town} --wall --refresh 1", size)
        if not wait_for_screen(tmux, "wall", "Bottleneck", SCREEN_TIMEOUT_S):
            raise SystemExit("idle_wall: the wall did not come up")
        time.sleep(SETTLE_S)
        start, own0 = read(proc), own_cpu(proc)
        time.sleep(seconds)
        end, own1 = read(proc), own_cpu(proc)
    return cpu_percent(start, end), 100 * (own1 - own0) / (end.at - start.at), start, end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("town", nargs="?", help="a town's root (default: the live demo)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", default="200x50", help="COLSxROWS of the pane")
    args = parser.parse_args(argv)
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    with contextlib.ExitStack() as stack:
        town = Path(args.town) if args.town else stack.enter_context(SandboxRun()).root
        assert town is not None
        total, alone, start, end = measure(town, args.seconds, (cols, rows))
    what = args.town or "the live demo (sandbox run)"
    print(f"wall over {what}, {cols}x{rows}, 1 s refresh, {end.at - start.at:.0f} s: "
          f"CPU {total:.1f}% of one core ({alone:.1f}% without its children); "
          f"RSS {start.rss / 2**20:.0f} -> {end.rss / 2**20:.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
