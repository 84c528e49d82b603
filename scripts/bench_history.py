"""Measure the history file on the live demo: bytes per record and the cost of an append.

    .venv/bin/python scripts/bench_history.py [--seconds 180] [--every 2] [--load normal]

Builds the demo sandbox (SQLite), refreshes its engine every `--every` seconds for `--seconds`,
appends each snapshot to a fresh history file, and prints: records, file size, bytes per
record (whole file / records, after a checkpoint), sample rows, the append time (median and
max), and what one record's body weighs compressed alone and against its keyframe (every
KEYFRAME_EVERY-th record), by zstd and by zlib (its `zdict`): the codec's choice.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

from gt_tui.history import HistoryWriter, read_history
from gt_tui.history.codec import compressor, encode, to_json, without_samples
from gt_tui.history.store import KEYFRAME_EVERY
from gt_tui.modes import open_engine
from gt_tui.sandbox.demo import DemoTown

BODIES = ("json", "zstd alone", "zlib alone", "zstd vs keyframe", "zlib vs keyframe")


def body_sizes(text: bytes, keyframe: bytes) -> dict[str, int]:
    """One record's body, compressed each way the codec could (zstd level 3, zlib level 6)."""
    zdict = zlib.compressobj(6, zdict=keyframe)
    return dict(
        zip(
            BODIES,
            (
                len(text),
                len(compressor().compress(text)),
                len(zlib.compress(text, 6)),
                len(compressor(keyframe).compress(text)),
                len(zdict.compress(text) + zdict.flush()),
            ),
            strict=True,
        )
    )


def payload(path: Path, records: int) -> None:
    """What the records hold, apart from SQLite's pages: bodies, and sample rows (each
    stored once); the steady cost of a record is its body plus the samples it added."""
    with sqlite3.connect(path) as conn:
        bodies = conn.execute("SELECT sum(length(body)) FROM record").fetchone()[0]
        rows, text = conn.execute(
            "SELECT count(*), sum(length(subject) + length(grp) + length(detail)) FROM sample"
        ).fetchone()
    conn.close()
    row_bytes = text + rows * (8 + 8 + 6)  # REAL, the stamp's varint at most, a row header
    print(f"bodies: {bodies / records:.0f} bytes per record")
    print(f"sample rows: {rows} ({rows / records:.1f} per record), about {row_bytes} bytes")


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
        appends: list[float] = []
        bodies: dict[str, list[int]] = {name: [] for name in BODIES}
        keyframe = b""
        deadline = time.monotonic() + args.seconds
        try:
            while time.monotonic() < deadline:
                snapshot = engine.refresh()
                started = time.perf_counter()
                problem = writer.append(snapshot)
                appends.append(time.perf_counter() - started)
                if problem:
                    print(problem, file=sys.stderr)
                text = to_json({"s": encode(without_samples(snapshot))})
                if len(appends) % KEYFRAME_EVERY == 1:
                    keyframe = text
                for name, size in body_sizes(text, keyframe).items():
                    bodies[name].append(size)
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
            print(f"body {name}: mean {statistics.mean(sizes):.0f} bytes")
        payload(path, records)
        ms = [a * 1000 for a in appends]
        rest = sorted(ms[1:])
        p95 = rest[int(0.95 * (len(rest) - 1))]
        print(f"append: first {ms[0]:.2f} ms (creates the file, stores the whole window)")
        print(
            f"append after it: median {statistics.median(rest):.2f} ms,"
            f" p95 {p95:.2f} ms, max {rest[-1]:.2f} ms"
        )
        refresh = [s.engine.refresh_ms for s in read_history(path).snapshots]
        print(f"refresh itself: median {statistics.median(refresh):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
