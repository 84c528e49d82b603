"""Measure the engine at each scale tier: refresh time, queries, memory, snapshot wall time.

Builds a static town of each tier (`gt_tui.sandbox.scale`) on SQLite and, where a MariaDB
server binary is installed, on a private MariaDB started for the run; then times refreshes of the
real engine and a whole `gt-tui --snapshot --format json` process. Prints a Markdown table.

    .venv/bin/python scripts/bench_refresh.py [--tiers small,medium,large,xlarge] [--refreshes 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PACE = 0.25
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sqlserver import find_server, start_server  # noqa: E402

from gt_tui.engine.engine import Engine  # noqa: E402
from gt_tui.engine.snapshot import Snapshot  # noqa: E402
from gt_tui.sandbox.scale import build_scale_town  # noqa: E402
from gt_tui.settings import load_settings  # noqa: E402
from gt_tui.town.connect import open_database  # noqa: E402
from gt_tui.town.layout import load_town  # noqa: E402


def time_refreshes(root: Path, env: dict[str, str], count: int) -> dict[str, float]:
    """Refresh the engine `count` times after a first (cold) refresh; ms and KiB figures.

    Refreshes are spaced by PACE seconds, as the console spaces them, so the engine's own
    rate limit (100 queries/s by default) does not throttle the measurement.
    """
    town = load_town(root, env)
    settings = load_settings(root)
    engine = Engine(town, open_database(town, settings, read_only=True), settings, read_only=True)
    try:
        tracemalloc.start()
        cold = engine.refresh().engine.refresh_ms
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        warm = [_paced(engine) for _ in range(count)]
    finally:
        engine.close()
    times = [s.engine.refresh_ms for s in warm]
    return {
        "cold_ms": cold,
        "p50_ms": statistics.median(times),
        "max_ms": max(times),
        "queries": warm[-1].engine.queries,
        "peak_kib": peak / 1024,
    }


def _paced(engine: Engine) -> Snapshot:
    time.sleep(PACE)
    return engine.refresh()


def time_snapshot(root: Path, env: dict[str, str], runs: int = 3) -> float:
    """Median wall time of a whole `gt-tui --snapshot --format json` process, in seconds."""
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gt_tui", "--snapshot", "--format", "json", "--town", str(root)],
            env=env,
            capture_output=True,
            check=True,
            timeout=120,
        )
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def measure(tier: str, backend: str, db_url: str | None, port: int | None, refreshes: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        built = build_scale_town(Path(tmp) / tier, tier, db_url)
        build_s = time.perf_counter() - start
        env = {**os.environ, **({"GT_DOLT_PORT": str(port)} if port else {})}
        try:
            r = time_refreshes(built.root, env, refreshes)
            wall = time_snapshot(built.root, env)
        finally:
            built.drop()
    return (
        f"| {tier} | {backend} | {built.total_rows:,} | {built.polecats} | {build_s:.1f} s"
        f" | {r['cold_ms']:.0f} ms | {r['p50_ms']:.1f} ms | {r['max_ms']:.1f} ms"
        f" | {r['queries']} | {r['peak_kib']:.0f} KiB | {wall:.2f} s |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="small,medium,large,xlarge")
    parser.add_argument("--refreshes", type=int, default=20)
    args = parser.parse_args(argv)
    print(
        "| tier | backend | rows | polecats | build | first refresh | refresh p50 | refresh max"
        " | queries | first-refresh peak memory | `--snapshot` wall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    server_binary = find_server()
    server = start_server(*server_binary) if server_binary else None
    try:
        for tier in args.tiers.split(","):
            print(measure(tier, "sqlite", None, None, args.refreshes), flush=True)
            if server is not None:
                ep = server.endpoint
                url = f"mysql://{ep.user}@{ep.host}:{ep.port}"
                print(measure(tier, server.kind, url, ep.port, args.refreshes), flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
