"""The recording's whole way: the live demo recorded (`--record`), then `gt-tui report
--history` over that file, loaded in headless Chromium: every metric's chart and both strips
rendered, no script error, a screenshot that is not blank. (The same kind of recording
replays in the console: tests/test_replay_ui.py.)"""

from __future__ import annotations

import re
from pathlib import Path

from helpers import clean_env, run_main
from history_fixtures import record_live_demo
from report_fixtures import colour_census, run_chromium

from gt_tui.history import read_history

RECORDS = 4
RENDER_CHECK = re.compile(r'<p id="render-check"[^>]*>')
ERRORS = re.compile(r'<pre id="script-errors">(.*?)</pre>', re.S)


def test_a_recording_of_the_live_demo_reports_and_renders(tmp_path: Path) -> None:
    recording = record_live_demo(tmp_path / "demo.history.sqlite", RECORDS)
    assert len(read_history(recording).snapshots) == RECORDS
    page = tmp_path / "report.html"
    done = run_main(
        "report", "--type", "performance", "--output", str(page), "--history", str(recording),
        env=clean_env(tmp_path / "home"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{RECORDS} refreshes" in page.read_text()

    dom = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    text = dom.stdout.decode()
    assert ERRORS.findall(text) == [""]
    (check,) = RENDER_CHECK.findall(text)
    assert 'data-rendered="yes"' in check
    assert 'data-charts="5"' in check and 'data-strips="2"' in check

    shot = tmp_path / "report.png"
    taken = run_chromium(
        page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,1400"
    )
    assert taken.returncode == 0 and shot.is_file()
    _, _, colours, ink = colour_census(shot.read_bytes())
    assert colours > 50 and ink > 0.1, (colours, ink)
