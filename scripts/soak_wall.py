"""An hour (or N minutes) of the wall monitor on the live demo: does it leak or slow down?

The live demo town runs in a process of its own (`gt-tui sandbox run`, SQLite beads); the
wall (`gt-tui --wall --town ROOT --refresh 1`) in a 200×50 session of a private tmux server.
Once a minute the script reads the console's RSS and its CPU over that minute (psutil
user+system time of the process and its children), prints a table, then a verdict:

- memory: RSS at minute 60 within 10% of minute 15 (for N minutes: the last minute against
  minute N/4, rounded up);
- CPU: the least-squares slope of CPU% per minute over minutes 15..N (the windows full) when
  N >= 23, else over minutes 5..N (all of them when N < 8), under `SLOPE_LIMIT` points a minute.
  Until the 15-minute metric windows are full the work per refresh grows by design (readers
  that read their whole window, e.g. mail lag and patrol cycles, read more rows; the trends
  fill their columns); from then on nothing should grow, so a slope there is a real climb. The
  windows' own statistics no longer grow with their size at all (tests/test_window_cost.py).

    .venv/bin/python scripts/soak_wall.py [--minutes 60]      exit 1 when the verdict fails
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from wall_tmux import GT_TUI, PrivateTmux, SandboxRun, cpu_percent, read, wait_for_screen

SIZE = (200, 50)
WARM_UP_S = 10.0
SCREEN_TIMEOUT_S = 90
RSS_TOLERANCE = 0.10
SLOPE_LIMIT = 0.05  # CPU points per minute: +3 points over an hour
SLOPE_FROM_MINUTE = 5
WINDOW_FILLS_MINUTE = 15


def slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of y over x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def soak(minutes: int, minute_s: float) -> list[tuple[int, float, float]]:
    """(minute, RSS MiB at its end, CPU% over it) for each minute."""
    rows = []
    with SandboxRun() as town, PrivateTmux("gttui-soak") as tmux:
        proc = tmux.start("wall", f"{GT_TUI} --wall --town {town.root} --refresh 1", SIZE)
        if not wait_for_screen(tmux, "wall", "Bottleneck", SCREEN_TIMEOUT_S):
            raise RuntimeError("the wall did not come up: " + tmux.capture("wall")[-200:])
        time.sleep(WARM_UP_S)
        last = read(proc)
        for minute in range(1, minutes + 1):
            time.sleep(max(0.0, last.at + minute_s - time.monotonic()))
            now = read(proc)
            rows.append((minute, now.rss / 2**20, cpu_percent(last, now)))
            print(f"{minute:6d}  {rows[-1][1]:8.1f}  {rows[-1][2]:6.2f}", flush=True)
            last = now
    return rows


def verdict(rows: list[tuple[int, float, float]]) -> tuple[bool, list[str]]:
    n = len(rows)
    quarter = max(1, math.ceil(n / 4))
    base, final = rows[quarter - 1][1], rows[-1][1]
    growth = (final - base) / base
    memory_ok = abs(growth) <= RSS_TOLERANCE
    first = 1
    if n >= WINDOW_FILLS_MINUTE + 8:
        first = WINDOW_FILLS_MINUTE  # the windows full: see the module's docstring
    elif n >= SLOPE_FROM_MINUTE + 3:
        first = SLOPE_FROM_MINUTE
    trend = slope([(m, cpu) for m, _, cpu in rows if m >= first])
    cpu_ok = trend < SLOPE_LIMIT
    lines = [
        f"memory: minute {n} {final:.1f} MiB vs minute {quarter} {base:.1f} MiB: "
        f"{growth:+.1%} (limit ±{RSS_TOLERANCE:.0%}) -> {'ok' if memory_ok else 'FAIL'}",
        f"cpu: least-squares slope over minutes {first}..{n}: {trend:+.3f} points/minute "
        f"(limit {SLOPE_LIMIT}) -> {'ok' if cpu_ok else 'FAIL'}",
    ]
    if n < WINDOW_FILLS_MINUTE + 3:
        lines.append(
            f"note: the metric windows (`metrics.window`, 15 min by default) fill during the first "
            f"{WINDOW_FILLS_MINUTE} minutes, so memory and CPU grow by design in a run this short"
        )
    return memory_ok and cpu_ok, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--minute", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.minutes < 2:
        parser.error("--minutes: at least 2")
    print("minute  RSS MiB   CPU %", flush=True)
    try:
        rows = soak(args.minutes, args.minute)
    except (OSError, RuntimeError) as error:
        print(f"soak_wall: {error}", file=sys.stderr)
        return 1
    ok, lines = verdict(rows)
    print("\n".join(lines))
    print("verdict:", "ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
