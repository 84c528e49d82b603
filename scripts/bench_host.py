"""Measure what the host-side signals cost per refresh (gt_tui/engine/host.py, dolt_process.py).

Times, over many repetitions with the median and p95 in ms:
- the bd pass as gt-tui makes it on Linux (`/proc/<pid>/stat` of every process), and for
  comparison psutil's `process_iter(["name", "create_time"])`, its fallback elsewhere;
- one steady-state read of a server process (`oneshot()`: cpu_percent + memory_info), on a
  child process of this script, kept across reads as the engine keeps the Dolt server's;
- the one-off search by port (`psutil.net_connections`), on a port this script listens on;
- resolving the polecat process names from a town's settings files (sandbox settings).

    .venv/bin/python scripts/bench_host.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gt_tui.engine.dolt_process import DoltProcess, pid_listening_on  # noqa: E402
from gt_tui.engine.host import bd_processes  # noqa: E402
from gt_tui.engine.proc_table import from_psutil  # noqa: E402
from gt_tui.sandbox.layout import town_settings  # noqa: E402
from gt_tui.town.agents import polecat_process_names  # noqa: E402
from gt_tui.town.endpoint import Endpoint  # noqa: E402
from gt_tui.town.model import Town  # noqa: E402


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, p95) in ms of `runs` calls, spaced 10 ms apart as refreshes are spaced."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000.0)
        time.sleep(0.01)
    return statistics.median(samples), statistics.quantiles(samples, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    child = subprocess.Popen(["sleep", "600"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "settings").mkdir()
        (root / "settings" / "config.json").write_text(json.dumps(town_settings()))
        town = Town(root, "bench", (), "hq", Endpoint("127.0.0.1", port), "bench")
        kept = DoltProcess()
        kept._proc = psutil.Process(child.pid)  # as if found: time the per-refresh read only
        rows = [
            ("bd pass (`/proc/*/stat`, every process)", timed(bd_processes, runs)),
            (
                "the same with psutil (`process_iter`)",
                timed(lambda: bd_processes(from_psutil()), runs),
            ),
            ("server process read (kept, `oneshot`)", timed(lambda: kept.read(town), runs)),
            (
                "search by port (`net_connections`, one-off)",
                timed(lambda: pid_listening_on(port), 20),
            ),
            (
                "polecat process names from settings",
                timed(lambda: polecat_process_names(root, "r", {}), runs),
            ),
        ]
    child.kill()
    child.wait()
    listener.close()
    print(f"processes on this host: {len(psutil.pids())}; cores: {psutil.cpu_count()}")
    print("| what | median | p95 |\n|---|---|---|")
    for what, (median, p95) in rows:
        print(f"| {what} | {median:.2f} ms | {p95:.2f} ms |")


if __name__ == "__main__":
    main()
