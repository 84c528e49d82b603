"""`gt-tui report --history FILE [--since D]` over a real history file (gt_tui.history's own
writer): every recorded refresh reported, `--since` keeping only the last of them, a damaged
file reported up to its last good record with its one-line warning."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import clean_env, run_gt_tui
from report_fixtures import STEP_S, run_of_snapshots

from gt_tui.history import HistoryWriter

COUNT = 12
NEWEST_AGE_S = 5  # the newest record is this old: --since 2m then keeps 4 (5, 35, 65, 95 s)


def recorded(path: Path) -> None:
    """A history of COUNT snapshots STEP_S apart, the newest NEWEST_AGE_S ago."""
    snapshots = run_of_snapshots(COUNT)
    shift = datetime.now(UTC) - timedelta(seconds=NEWEST_AGE_S) - snapshots[-1].generated_at
    writer = HistoryWriter(path, retention_s=1e9)
    try:
        for snapshot in snapshots:
            assert (
                writer.append(replace(snapshot, generated_at=snapshot.generated_at + shift)) is None
            )
    finally:
        writer.close()


def report(tmp_path: Path, home: Path, *args: str) -> tuple[int, str, str]:
    out = tmp_path / "report.html"
    out.unlink(missing_ok=True)  # a refused run must leave no page
    done = run_gt_tui("report", "--type", "performance", "--output", str(out), *args,
                      env=clean_env(home), cwd=tmp_path)  # fmt: skip
    assert "Traceback" not in done.stderr
    return done.returncode, done.stderr, out.read_text() if out.exists() else ""


def health_cells(html: str) -> int:
    strip = html.split('class="timeline-strip health-strips"')[1].split("</svg>")[0]
    return strip.count("data-health=")


def test_every_recorded_refresh_is_reported(tmp_path: Path, home: Path) -> None:
    history = tmp_path / "h.sqlite"
    recorded(history)
    code, err, html = report(tmp_path, home, "--history", str(history))
    assert (code, err) == (0, "")
    assert f"from history {history}: {COUNT} refreshes" in html
    assert health_cells(html) == 5 * COUNT
    assert len(re.findall(r'<section class="metric"', html)) == 5


def test_since_keeps_the_last_of_them(tmp_path: Path, home: Path) -> None:
    history = tmp_path / "h.sqlite"
    recorded(history)
    assert STEP_S == 30  # what NEWEST_AGE_S and the 4 below are worked out for
    code, err, html = report(tmp_path, home, "--history", str(history), "--since", "2m")
    assert (code, err) == (0, "")
    assert "4 refreshes" in html and ", since " in html
    assert health_cells(html) == 5 * 4
    code, err, html = report(tmp_path, home, "--history", str(history), "--since", "1s")
    assert code == 2 and html == ""
    (line,) = err.splitlines()
    assert line.startswith(f"gt-tui: history {history}: no snapshot recorded since ")


def test_a_damaged_history_is_reported_with_its_warning(tmp_path: Path, home: Path) -> None:
    history = tmp_path / "h.sqlite"
    recorded(history)
    with history.open("ab") as handle:
        handle.write(b"\x00garbage" * 100)
    code, err, html = report(tmp_path, home, "--history", str(history))
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith("gt-tui: warning: history ") and "garbage" in line
    assert f"{COUNT} refreshes" in html and '<p class="warning">' in html
