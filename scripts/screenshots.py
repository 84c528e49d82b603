"""Regenerate screenshots/: the console, the wall monitor, a zoomed pane, a town in trouble.

Each picture is the real console run headless (`gt_tui.export.svg.render_svg`). For now the
snapshots are the hand-built test fixtures (tests/snapshots_fixtures.py: fixed, made-up numbers);
switch `SHOTS` to snapshots of the live demo town once it exists.

    .venv/bin/python scripts/screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from snapshots_fixtures import calm_snapshot, trouble_snapshot  # noqa: E402

from gt_tui.export.svg import render_svg  # noqa: E402

SHOTS = (
    ("console.svg", calm_snapshot, {"width": 120, "height": 40}),
    ("wall.svg", calm_snapshot, {"width": 100, "height": 30, "wall": True}),
    ("zoom.svg", trouble_snapshot, {"width": 120, "height": 40, "zoom": "dolt_latency"}),
    ("trouble.svg", trouble_snapshot, {"width": 120, "height": 40}),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build, options in SHOTS:
        path = args.out / name
        path.write_text(render_svg(build(), **options), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
