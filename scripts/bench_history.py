"""Measure the history file on the live demo: bytes per record and the cost of an append.

    .venv/bin/python scripts/bench_history.py [--seconds 180] [--every 2] [--load normal]

Builds the demo sandbox (SQLite), refreshes its engine every `--every` seconds for `--seconds`,
appends each snapshot to a fresh history file, and prints: records, file size, bytes per
record (whole file / records, after a checkpoint), sample rows, the append time (median and
max), and what one record's body would weigh compressed by zstd and by zlib (for the choice).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import zstandard

from gt_tui.history import HistoryWriter, read_history
from gt_tui.history.codec import encode, without_samples
from gt_tui.modes import open_engine
from gt_tui.sandbox.demo import DemoTown


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--load", default="normal")
    parser.add_argument("--keep", type=Path, help="copy the history file here at the end")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, DemoTown(None, None, args.load) as town:
        engine = open_engine(town.root, argparse.Namespace(set=[]), mode="demo", read_only=True)
        path = Path(tmp) / "demo.history.sqlite"
        writer = HistoryWriter(path, retention_s=7 * 86_400)
        appends, bodies = [], {"zstd": [], "zlib": [], "json": []}
        deadline = time.monotonic() + args.seconds
        try:
            while time.monotonic() < deadline:
                snapshot = engine.refresh()
                started = time.perf_counter()
                problem = writer.append(snapshot)
                appends.append(time.perf_counter() - started)
                if problem:
                    print(problem, file=sys.stderr)
                text = json.dumps(encode(without_samples(snapshot)), separators=(",", ":"))
                bodies["json"].append(len(text))
                bodies["zstd"].append(
                    len(zstandard.ZstdCompressor(level=3).compress(text.encode()))
                )
                bodies["zlib"].append(len(zlib.compress(text.encode(), 6)))
                time.sleep(args.every)
        finally:
            writer.close()
            engine.close()
        records = len(read_history(path).snapshots)
        if args.keep:
            args.keep.write_bytes(path.read_bytes())
        size = path.stat().st_size
        windows = sum(len(m.samples) for m in snapshot.metrics)
        print(f"records {records}, file {size} bytes, {size / records:.0f} bytes per record")
        print(f"samples in the last window: {windows}")
        for name, sizes in bodies.items():
            print(f"body {name}: median {statistics.median(sizes):.0f} bytes")
        ms = [a * 1000 for a in appends]
        print(f"append: median {statistics.median(ms):.2f} ms, max {max(ms):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
