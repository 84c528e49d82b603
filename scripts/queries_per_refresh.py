"""Count the engine's queries per refresh: the first one, then steady ones.

The first refresh also reads what later ones take from the caches (the schema, the agent
beads, the status rows); this prints both figures for the live demo town (SQLite, and on a
private MariaDB where one is installed) and for a static medium town on that MariaDB.

    .venv/bin/python scripts/queries_per_refresh.py [--refreshes 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACE = 0.25  # as the console spaces refreshes: the engine's own rate limit never throttles
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sqlserver import SQLServer, find_server, start_server  # noqa: E402

from gt_tui.engine.engine import Engine  # noqa: E402
from gt_tui.sandbox.demo import DemoTown  # noqa: E402
from gt_tui.sandbox.scale import build_scale_town  # noqa: E402
from gt_tui.settings import load_settings  # noqa: E402
from gt_tui.town.connect import open_database  # noqa: E402
from gt_tui.town.layout import load_town  # noqa: E402


def count_queries(root: Path, refreshes: int) -> list[int]:
    """Queries of the first refresh and of each of `refreshes` paced ones after it."""
    town = load_town(root, os.environ)
    settings = load_settings(root)
    engine = Engine(town, open_database(town, settings, read_only=True), settings, read_only=True)
    try:
        counts = [engine.refresh().engine.queries]
        for _ in range(refreshes):
            time.sleep(PACE)
            counts.append(engine.refresh().engine.queries)
    finally:
        engine.close()
    return counts


@contextmanager
def demo(url: str | None) -> Iterator[Path]:
    with DemoTown(None, url, "normal", seed=1, use_tmux=False) as town:
        yield town.root


@contextmanager
def medium(url: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        built = build_scale_town(Path(tmp) / "medium", "medium", url)
        try:
            yield built.root
        finally:
            built.drop()


def row(name: str, counts: list[int]) -> str:
    steady = sorted(set(counts[1:]))
    return f"| {name} | {counts[0]} | {'/'.join(map(str, steady))} | {counts[1:]} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=20)
    args = parser.parse_args(argv)
    print("| town | first refresh | steady refresh | every steady refresh |")
    print("|---|---|---|---|")
    with demo(None) as root:
        print(row("demo, SQLite", count_queries(root, args.refreshes)), flush=True)
    found = find_server()
    if found is None:
        return 0
    server: SQLServer = start_server(*found)
    try:
        ep = server.endpoint
        url = f"mysql://{ep.user}@{ep.host}:{ep.port}"
        os.environ["GT_DOLT_PORT"] = str(ep.port)
        with demo(url) as root:
            print(row(f"demo, {server.kind}", count_queries(root, args.refreshes)), flush=True)
        with medium(url) as root:
            print(row(f"medium, {server.kind}", count_queries(root, args.refreshes)), flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
