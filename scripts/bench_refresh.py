"""Measure the engine at each scale tier: refresh time, queries, memory, snapshot wall time.

Builds a static town of each tier (`gt_tui.sandbox.scale`) on SQLite and, where a MariaDB
server binary is installed, on a private MariaDB started for the run; then times refreshes of the
real engine and a whole `gt-tui --snapshot --format json` process. Prints a Markdown table.
Refreshes are measured by the CLI's own code (`gt_tui.engine.bench.refresh`): ms, queries and
the rows the server read (server-wide `Handler_read_*`; "n/a" on SQLite and Dolt).

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
from typing import Any

PACE = 0.25
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sqlserver import find_server, start_server  # noqa: E402

from gt_tui.engine.bench.refresh import run_refresh_bench  # noqa: E402
from gt_tui.engine.engine import Engine  # noqa: E402
from gt_tui.engine.snapshot import Snapshot  # noqa: E402
from gt_tui.sandbox.scale import build_scale_town  # noqa: E402
from gt_tui.settings import load_settings  # noqa: E402
from gt_tui.town.connect import open_database  # noqa: E402
from gt_tui.town.layout import load_town  # noqa: E402


def time_refreshes(root: Path, env: dict[str, str], count: int) -> dict[str, Any]:
    """A first (cold) refresh, then `count` steady ones PACE s apart: the CLI's own refresh
    benchmark (`gt-tui benchmark --type refresh`), plus the first refresh's peak memory.

    PACE is 0.25 s, not the console's 2 s: fast enough to stay under the engine's own rate
    limit (100 queries/s by default) and to keep the same spacing as this table's earlier
    rows; no cache of the engine expires within either spacing. The sources on a cadence
    (`CADENCES`, a 10 s floor) are held through these refreshes of a static town: for the
    cost of the refreshes that read them, pace the CLI's benchmark at 1 s (BENCHMARKS.md).
    """
    town = load_town(root, env)
    settings = load_settings(root)
    engine = Engine(town, open_database(town, settings, read_only=True), settings, read_only=True)
    peak = [0]

    def refresh() -> Snapshot:
        if peak[0]:
            return engine.refresh()
        tracemalloc.start()
        try:
            return engine.refresh()
        finally:
            peak[0] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    try:
        result = run_refresh_bench(refresh, engine.db, count, PACE)
    finally:
        engine.close()
    steady = result.group("steady")
    assert steady is not None
    return {**result.params, "max_ms": max(steady.samples), "peak_kib": peak[0] / 1024}


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
    first, steady = r["first"], r["steady"]
    return (
        f"| {tier} | {backend} | {built.total_rows:,} | {built.polecats} | {build_s:.1f} s"
        f" | {first['ms']:.0f} ms | {steady['ms_p50']:.1f} ms | {steady['ms_p95']:.1f} ms"
        f" | {r['max_ms']:.1f} ms | {steady['queries']} | {_rows(first['rows_read'])}"
        f" | {_rows(steady['rows_read_p50'])} | {r['peak_kib']:.0f} KiB | {wall:.2f} s |"
    )


def _rows(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="small,medium,large,xlarge")
    parser.add_argument("--refreshes", type=int, default=20)
    args = parser.parse_args(argv)
    print(
        "| tier | backend | rows | polecats | build | first refresh | steady p50 | steady p95"
        " | steady max | queries | rows read (first) | rows read (steady p50)"
        " | first-refresh peak memory | `--snapshot` wall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
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
