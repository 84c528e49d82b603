"""A recording of the live demo, as `--record` makes it: the demo's engine refreshed through
the recording facade a few times, a second apart."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gt_tui.history import HistoryWriter
from gt_tui.modes import console_facade, open_engine
from gt_tui.sandbox.demo import DemoTown


def record_live_demo(path: Path, records: int) -> Path:
    """`records` refreshes of a fresh live demo appended to the history file `path`."""
    with DemoTown(None, None, "normal") as town:
        engine = open_engine(town.root, argparse.Namespace(set=[]), mode="demo", read_only=True)
        try:
            facade = console_facade(engine, recorder=HistoryWriter(path, 86_400))
            for _ in range(records):
                facade.refresh()
                time.sleep(1.0)
        finally:
            engine.close()
    return path
