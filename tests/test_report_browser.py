"""The report in a real browser: Debian's headless Chromium loads the file from disk.

Its DOM after load (--dump-dom) must show no script error (the page's own script writes any
into #script-errors) and every chart and strip rendered (the script counts them into
#render-check; the SVG elements are counted in the dump too); its screenshot, decoded with
zlib alone, must not be blank. Two controls prove the checks can fail: a script error does
show in the dump, and an empty page's screenshot is blank.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_fixtures import colour_census, run_chromium, run_of_snapshots

from gt_tui.report import Origin, build_report
from gt_tui.report.charts import CHART_CLASS
from gt_tui.report.strips import STRIP_CLASS
from gt_tui.settings import Settings

WIDTH, HEIGHT = 1000, 1400
RENDER_CHECK = re.compile(r'<p id="render-check"[^>]*>')
ERRORS = re.compile(r'<pre id="script-errors">(.*?)</pre>', re.S)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(build_report(run_of_snapshots(), Origin("test run"), Settings.defaults()))
    return path


def dump_dom(page: Path, profile: Path) -> str:
    done = run_chromium(page, profile, "--dump-dom")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode()


def screenshot(page: Path, profile: Path, shot: Path) -> bytes:
    done = run_chromium(page, profile, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}")
    assert done.returncode == 0 and shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    return shot.read_bytes()


def test_the_report_renders_in_chromium_without_script_errors(report: Path, tmp_path: Path) -> None:
    dom = dump_dom(report, tmp_path / "profile")
    (errors,) = ERRORS.findall(dom)
    assert errors == ""
    (check,) = RENDER_CHECK.findall(dom)
    assert 'data-rendered="yes"' in check
    assert 'data-charts="5"' in check and 'data-strips="2"' in check
    # The browser's own DOM holds the charts: five pygal SVGs, one per metric, and the strips.
    assert len(re.findall(rf'<svg[^>]*class="[^"]*\b{CHART_CLASS}\b', dom)) == 5
    assert len(re.findall(rf'<svg[^>]*class="[^"]*\b{STRIP_CLASS}\b', dom)) == 2
    assert len(re.findall(r'<section class="metric"', dom)) == 5


def test_a_script_error_would_show_in_the_dom(report: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    html = report.read_text().replace("</body>", "<script>noSuchFunction();</script></body>")
    broken.write_text(html)
    (errors,) = ERRORS.findall(dump_dom(broken, tmp_path / "profile"))
    assert "noSuchFunction" in errors


def test_the_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    png = screenshot(report, tmp_path / "profile", tmp_path / "report.png")
    width, height, colours, ink = colour_census(png)
    assert (width, height) == (WIDTH, HEIGHT)
    # Text, the bands' three colours, the lines: many colours, and a good share of ink.
    assert colours > 50 and ink > 0.1, (colours, ink)


def test_an_empty_page_screenshot_is_blank(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body style='background:#fff'></body></html>")
    png = screenshot(empty, tmp_path / "profile", tmp_path / "empty.png")
    _, _, colours, ink = colour_census(png)
    assert colours == 1 and ink == 0.0
