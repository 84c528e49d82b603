"""Measure one `gt-tui --snapshot` over a town with a large `.events.jsonl` history.

Builds a SQLite test town whose events file holds `--mb` MiB of 30-day-old history (lines
shaped like gt's, about 220 bytes) followed by 20 spawn → session_start pairs in the last
10 minutes (spawn times 3..22 s), then runs the snapshot in a fresh interpreter `--runs`
times and prints each run's wall time, its peak RSS (the child's own `ru_maxrss`) and the
spawn figures it reported.

    .venv/bin/python scripts/bench_events_start.py [--mb 142] [--runs 2] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TIMEOUT_S = 600.0
TYPES = ("nudge", "mail", "sling", "spawn", "session_start", "patrol_started", "hook")


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def line(ts: datetime, type: str, actor: str, payload: dict) -> bytes:
    body = {"ts": stamp(ts), "source": "gt", "type": type, "actor": actor, "payload": payload}
    return json.dumps({**body, "visibility": "feed"}).encode() + b"\n"


def write_events(path: Path, size: int, now: datetime) -> int:
    """History up to `size` bytes over the last 30 days (ending an hour ago at the latest),
    then the in-window pairs."""
    start, end, written, i = now - timedelta(days=30), now - timedelta(hours=1), 0, 0
    step = (end - start) / (size / 230)  # lines are about 230 bytes
    with path.open("wb") as handle:
        while written < size:
            name = f"P{i % 40}"
            payload = {"rig": "gastown", "polecat": name, "bead": f"gt-{i:06x}", "note": "x" * 40}
            at = min(end, start + step * i)
            data = line(at, TYPES[i % 7], f"gastown/{name}", payload)
            handle.write(data)
            written, i = written + len(data), i + 1
        for k in range(20):
            at = now - timedelta(seconds=600 - 25 * k)
            handle.write(line(at, "spawn", "gt", {"rig": "gastown", "polecat": f"W{k}"}))
            actor = f"gastown/polecats/W{k}"
            handle.write(line(at + timedelta(seconds=3 + k), "session_start", actor, {}))
    return path.stat().st_size


def run_snapshot(town: Path, home: Path) -> tuple[float, int, dict]:
    """(wall seconds, peak RSS in KiB, spawn metric) of one snapshot in a fresh process."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    argv = [sys.executable, "-c", _MEASURED, "--snapshot", "--format", "json", "--town", str(town)]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"snapshot failed ({done.returncode}): {done.stderr.strip()}")
    rss = int(done.stderr.strip().splitlines()[-1])
    return wall, rss, json.loads(done.stdout)["metrics"]["polecat_spawn"]


# The child reports its own peak RSS on stderr's last line, after the snapshot has run.
_MEASURED = (
    "import resource, sys\n"
    "from gt_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=142.0, help="history size in MiB")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--dir", type=Path, help="build here (default: a temporary directory)")
    args = parser.parse_args()
    from towns import build_town

    base = args.dir or Path(tempfile.mkdtemp(prefix="gt-tui-events-"))
    built = build_town(base / "town", "sqlite")
    built.db.close()
    (base / "home").mkdir(exist_ok=True)
    size = write_events(built.root / ".events.jsonl", int(args.mb * 2**20), datetime.now(UTC))
    print(f"events file: {size / 2**20:.1f} MiB ({built.root})")
    for run in range(1, args.runs + 1):
        wall, rss, spawn = run_snapshot(built.root, base / "home")
        figures = f"count {spawn['count']} p50 {spawn['p50']} p95 {spawn['p95']} max {spawn['max']}"
        print(f"run {run}: {wall:.2f} s wall, {rss / 1024:.0f} MiB peak RSS; spawn {figures}")


if __name__ == "__main__":
    main()
