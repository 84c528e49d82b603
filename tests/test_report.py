"""The performance report's page over hand-built snapshots: self-contained, escaped, every
chart and strip there, the settings in force shown, `--since` keeping only its range; and the
command's bad arguments, each a one-line error with exit 2."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
from helpers import clean_env, run_main
from report_fixtures import HOSTILE, NETWORK_LOAD, STEP_S, hostile_snapshot, run_of_snapshots
from snapshots_fixtures import calm_snapshot

from gt_tui.errors import GtTuiError
from gt_tui.health import METRICS
from gt_tui.report import Origin, build_report
from gt_tui.report.charts import CHART_CLASS
from gt_tui.report.strips import STRIP_CLASS
from gt_tui.setting_table import SETTINGS
from gt_tui.settings import Settings

CHART = re.compile(rf'<svg[^>]*class="[^"]*\b{CHART_CLASS}\b')
STRIP = re.compile(rf'<svg[^>]*class="[^"]*\b{STRIP_CLASS}\b')


def page(snapshots, since=None, source: str = "history h.sqlite") -> str:
    return build_report(snapshots, Origin(source, since), Settings.defaults())


def sections(html: str) -> dict[str, str]:
    """Each metric's chart section, by metric key."""
    found = re.findall(
        r'<section class="metric" data-metric="([a-z_]+)">(.*?)</section>', html, re.S
    )
    return dict(found)


def test_the_page_loads_nothing_from_the_network() -> None:
    html = page(run_of_snapshots())
    assert html.startswith("<!DOCTYPE html>")
    assert NETWORK_LOAD.findall(html) == []
    # Every script is inline: none has a src.
    assert re.findall(r"<script\b[^>]*\bsrc\b", html, re.IGNORECASE) == []
    assert "<style>" in html  # the styles are inline too


def test_every_metric_has_its_chart_with_threshold_bands() -> None:
    snapshots = run_of_snapshots()
    html = page(snapshots)
    charts = sections(html)
    assert list(charts) == [m.key for m in METRICS]
    assert len(CHART.findall(html)) == 5
    newest = snapshots[-1]
    for key, body in charts.items():
        metric = newest.metric(key)
        assert CHART.search(body), key
        # The bands name the thresholds the snapshot was judged by; p50/p95 lines per refresh.
        for word in ("danger above", "warning from", "healthy below", "p50", "p95"):
            assert word in body, (key, word)
        assert f"{metric.warning:g}" in body and f"{metric.danger:g}" in body


def test_one_refresh_charts_its_samples() -> None:
    html = page([calm_snapshot()], source="one fresh refresh")
    assert "from one fresh refresh: one refresh" in html
    for key, body in sections(html).items():
        assert "samples" in body and "p95" not in body.split("</style>")[-1], key


def test_health_and_bottleneck_timelines() -> None:
    snapshots = run_of_snapshots(trouble=(5, 6, 7))
    html = page(snapshots)
    strips = STRIP.findall(html)
    assert len(strips) == 2
    health = html.split('class="timeline-strip health-strips"')[1].split("</svg>")[0]
    # 5 metrics x 12 refreshes, each cell coloured by its health; the trouble shows as danger.
    assert health.count("data-health=") == 5 * 12
    assert 'data-health="danger"' in health and 'data-health="healthy"' in health
    timeline = html.split('class="timeline-strip bottleneck-strips"')[1].split("</svg>")[0]
    assert "all calm" in timeline and timeline.count("data-health=") == 12
    # The spans table: calm, the trouble's worst part, calm again.
    spans = html.split("worst part of the town")[1].split("</table>")[0]
    assert spans.count("<tr>") == 3 and "danger" in spans


def test_slowest_beads_and_polecats() -> None:
    html = page(run_of_snapshots())
    slowest = html.split("Slowest beads and polecats")[1].split("Town scale")[0]
    assert "gastown/polecats/" in slowest and "hq-m" in slowest and "hq-wisp-" in slowest
    # Each metric's table has at most 10 rows, the slowest first.
    tables = re.findall(r'<div class="slowest">(.*?)</div>', slowest, re.S)
    assert len(tables) == 5
    for table in tables:
        assert 1 <= table.count("<tr>") - 1 <= 10


def test_hostile_text_is_escaped_everywhere() -> None:
    html = page([hostile_snapshot()])
    assert HOSTILE not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert escape(HOSTILE) in html  # shown, as text
    assert html.count("<script") == 1 + 5  # the page's own, and pygal's config per chart


def test_scale_and_settings_in_force_without_secrets() -> None:
    settings = Settings.defaults().with_value("ui.refresh_interval", "7", "override")
    snapshot = calm_snapshot()
    html = build_report([snapshot], Origin("one fresh refresh"), settings)
    scale = html.split("Town scale")[1].split("Settings in force")[0]
    assert f"<td>polecats</td><td>{snapshot.town.polecats}</td>" in scale
    assert f"<td>scale tier</td><td>{snapshot.town.scale} " in scale
    listed = html.split("Settings in force")[1]
    for spec in SETTINGS:
        assert f"<td>{spec.name}</td>" in listed
    assert "<td>ui.refresh_interval</td><td>7</td><td>override</td>" in listed
    assert "password" not in listed.lower()


def test_since_keeps_only_its_range() -> None:
    snapshots = run_of_snapshots(count=12)
    newest = snapshots[-1].generated_at
    since = newest - timedelta(seconds=STEP_S * 3)
    html = page(snapshots, since=since)
    assert "4 refreshes" in html
    health = html.split('class="timeline-strip health-strips"')[1].split("</svg>")[0]
    assert health.count("data-health=") == 5 * 4
    with pytest.raises(GtTuiError, match="no snapshot to report since"):
        page(snapshots, since=newest + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--since", "2h"], "--since needs --history"),
        (["--since", "soon"], "--since 'soon': expected a duration"),
        (["--since", "0"], "expected a duration"),
        (["--history", "h.sqlite"], "history h.sqlite: no such file"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    argv: list[str], says: str | None, tmp_path: Path, home: Path
) -> None:
    out = tmp_path / "r.html"
    done = run_main("report", "--type", "performance", "--output", str(out), *argv,
                    env=clean_env(home), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("gt-tui: ") and (says is None or says in line), line
    assert not out.exists()


@pytest.mark.parametrize(
    "output", ["{tmp}", "{tmp}/no/such/dir/r.html"], ids=["a directory", "no directory"]
)
def test_a_bad_output_is_a_one_line_error(output: str, tmp_path: Path, home: Path) -> None:
    done = run_main("report", "--type", "performance", "--output", output.format(tmp=tmp_path),
                    env=clean_env(home), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("gt-tui: --output ")


def test_an_unknown_type_is_a_usage_error(tmp_path: Path, home: Path) -> None:
    done = run_main("report", "--type", "cost", "--output", str(tmp_path / "r.html"),
                    env=clean_env(home))  # fmt: skip
    assert done.returncode == 2 and "invalid choice: 'cost'" in done.stderr.splitlines()[-1]
