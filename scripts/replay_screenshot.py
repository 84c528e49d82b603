"""screenshots/replay.svg: the console replaying a recording of the live demo.

    .venv/bin/python scripts/replay_screenshot.py RECORDING [--out screenshots/replay.svg]

RECORDING is a history file, e.g. from `gt-tui --demo --record FILE` or
`scripts/bench_history.py --keep FILE`; the picture is the real replay app, run headless,
paused on the recording's middle record. Every number in it was recorded from the demo.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from gt_tui.history import read_history
from gt_tui.ui.replay import ReplayApp
from gt_tui.ui.replay_source import ReplaySource

SIZE = (140, 44)


async def shoot(recording: Path, out: Path) -> None:
    read = read_history(recording)
    if not read.snapshots:
        raise SystemExit(read.warning or f"{recording}: no snapshot recorded")
    app = ReplayApp(ReplaySource(read.snapshots))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("home")
        for _ in range(len(read.snapshots) // 2):
            await pilot.press("right")
        await pilot.pause(1.0)
        app.clear_notifications()
        await pilot.pause(0.5)
        out.write_text(app.export_screenshot(title="gt-tui --replay"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("recording", type=Path)
    parser.add_argument("--out", type=Path, default=Path("screenshots/replay.svg"))
    args = parser.parse_args()
    asyncio.run(shoot(args.recording, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
