"""Regenerate screenshots/ from the live demo town: console, wall, a zoomed pane, a town in trouble.

Each picture is the real console run headless (`gt_tui.ui.svg_export.render_svg`) over a snapshot
of a real sandbox town (`gt_tui.sandbox.demo.DemoTown`), refreshed by the real engine for a while
first: normal load for the calm pictures, heavy load for the town in trouble. Every number in
them was measured; none is made up.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--seconds 45]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.sandbox.demo import DemoTown
from gt_tui.settings import load_settings
from gt_tui.town.connect import open_database
from gt_tui.town.layout import load_town
from gt_tui.ui.svg_export import render_svg

ROOT = Path(__file__).resolve().parent.parent
CALM = (
    ("console.svg", {"width": 140, "height": 44}),
    ("wall.svg", {"width": 100, "height": 30, "wall": True}),
)
TROUBLE = (
    ("trouble.svg", {"width": 140, "height": 44}),
    ("zoom.svg", {"width": 140, "height": 44, "zoom": "mail_lag"}),
)


def watch(load: str, seconds: float) -> Snapshot:
    """Run a demo town under `load`, refreshing every second; the last snapshot."""
    with DemoTown(None, None, load) as demo:
        town = load_town(demo.root)
        settings = load_settings(demo.root)
        engine = Engine(
            town,
            open_database(town, settings, read_only=True),
            settings,
            mode="demo",
            read_only=True,
        )
        try:
            deadline = time.monotonic() + seconds
            snapshot = engine.refresh()
            while time.monotonic() < deadline:
                time.sleep(1.0)
                snapshot = engine.refresh()
            return snapshot
        finally:
            engine.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--seconds", type=float, default=45.0, help="how long each town runs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for load, shots in (("normal", CALM), ("heavy", TROUBLE)):
        snapshot = watch(load, args.seconds)
        for name, options in shots:
            path = args.out / name
            path.write_text(render_svg(snapshot, **options), encoding="utf-8")
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
