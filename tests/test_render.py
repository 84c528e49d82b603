"""The renderables and the text snapshot: words, numbers, widths, colours, and no Textual."""

from __future__ import annotations

import statistics
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from snapshots_fixtures import NOW, calm_snapshot, empty_snapshot, summarise, trouble_snapshot

from gt_tui.engine.snapshot import MapNode, Sample
from gt_tui.export import engine_view, header_view, map_view, metric_view, style, window
from gt_tui.export.charts import FONTS, BigNumber, Trend
from gt_tui.export.style import DEFAULT_PALETTE, Palette, Part, ViewState
from gt_tui.export.text import render_text
from gt_tui.health import Health, Threshold


def plain(renderable, width: int = 100) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def test_text_snapshot_does_not_import_textual():
    code = (
        "import sys, gt_tui.export.text, gt_tui.export.header_view, gt_tui.export.metric_view,"
        " gt_tui.export.engine_view, gt_tui.ui.svg_export,"
        " gt_tui.export.map_view, gt_tui.export.window, gt_tui.export.style;"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_plain_text_names_every_metric_with_numbers_and_words():
    text = render_text(calm_snapshot(), color=False)
    assert "\x1b" not in text
    for metric in calm_snapshot().metrics:
        assert metric.label in text
        assert metric_view.figure(metric, metric.p95) in text
    assert text.count("● HEALTHY") >= 5 + 7
    assert "No bottleneck" in text
    assert "root@127.0.0.1:3307" in text
    assert "2026-05-01 14:03:27" in text


def test_colour_only_when_asked():
    assert "\x1b[" in render_text(calm_snapshot(), color=True)
    assert "\x1b[" not in render_text(calm_snapshot(), color=False)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_text_fits_the_width(width):
    for snapshot in (calm_snapshot(), trouble_snapshot(), empty_snapshot()):
        lines = render_text(snapshot, color=False, width=width).splitlines()
        assert max(cell_len(line) for line in lines) <= width


def test_town_in_trouble_says_what_and_why():
    text = render_text(trouble_snapshot(), color=False, width=120)
    assert "✖ Bottleneck: Dolt server — p95 81.2 ms · 61 connections" in text
    assert "✖ DANGER" in text
    assert "▲ WARNING" in text
    assert "◌ STALE 42s" in text
    assert "✖ patrol_cycle: wisps query timed out after 5 s  42s" in text
    assert "refresh 6.42 s > target 5s ✖" in text  # 6.42 s refresh against a 5 s target


def test_nothing_measured_yet():
    text = render_text(empty_snapshot(), color=False)
    assert text.count("○ NO DATA") >= 5
    assert "Not enough data yet" in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), (0.4242, "0.42"), (8.24, "8.2"), (42.16, "42.2"), (420.4, "420"), (-3.0, "-3.0")],
)
def test_format_value(value, shown):
    assert style.format_value(value) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-5, "0s"),
        (42, "42s"),
        (91, "1m 31s"),
        (7200, "2h 0m"),
        (10500, "2h 55m"),
        (691200, "8d 0h"),
    ],
)
def test_format_age(seconds, shown):
    assert style.format_age(seconds) == shown


def test_fit_line_keeps_the_important_parts_and_grows_them():
    parts = [
        Part.of(0, Text("AAAA")),
        Part.of(2, Text("cccccccc"), Text("cc")),
        Part.of(1, Text("bbbbbb"), Text("bb")),
    ]
    assert style.fit_line(parts, 100, sep=" ").plain == "AAAA cccccccc bbbbbb"
    assert style.fit_line(parts, 14, sep=" ").plain == "AAAA cc bbbbbb"
    assert style.fit_line(parts, 10, sep=" ").plain == "AAAA cc bb"
    # strict priority: when `b` cannot fit, the lesser `c` is not shown in its place
    assert style.fit_line(parts, 6, sep=" ").plain == "AAAA"


def test_header_shortens_before_it_drops():
    snapshot = trouble_snapshot()
    view = ViewState(now=NOW + timedelta(seconds=3))
    wide = header_view.header_line(snapshot, view, DEFAULT_PALETTE, 160).plain
    narrow = header_view.header_line(snapshot, view, DEFAULT_PALETTE, 80).plain
    assert "medium town · target <5s · refresh 6.42 s ✖ over target" in wide
    assert "medium 6.42 s > 5s ✖" in narrow
    for line in (wide, narrow):
        assert "gastown-demo" in line and "✖ DANGER" in line and "14:03:30" in line
        assert "3s ago" in line
    assert cell_len(narrow) <= 80


def test_header_states():
    snapshot = calm_snapshot()
    line = header_view.header_line(
        snapshot, ViewState(now=NOW, paused=True, read_only=True), DEFAULT_PALETTE, 120
    ).plain
    assert "⏸ PAUSED" in line and "READ-ONLY" in line
    failed = header_view.header_line(
        snapshot, ViewState(now=NOW, failure="boom"), DEFAULT_PALETTE, 120
    )
    assert "refresh failed: boom" in failed.plain
    slow = header_view.header_line(
        snapshot, ViewState(now=NOW, refreshing_for=12), DEFAULT_PALETTE, 120
    )
    assert "refreshing 12s" in slow.plain
    waiting = header_view.header_line(None, ViewState(now=NOW), DEFAULT_PALETTE, 120)
    assert "waiting for the first refresh" in waiting.plain


def test_trend_scales_from_zero_to_the_warning_line():
    trend = Trend([0, 5, 10], Threshold(10, 50), lambda h: "")
    assert [eighths for eighths, _ in trend.columns(3, 1)] == [1, 4, 8]  # a zero sample: lowest
    spiky = Trend([10, 20], Threshold(10, 50), lambda h: "")
    assert [eighths for eighths, _ in spiky.columns(2, 2)] == [8, 16]
    # a tiny positive value still shows, and buckets keep the worst value
    assert Trend([0.01], Threshold(10, 50), lambda h: "").columns(1, 1)[0][0] == 1
    assert Trend([1, 9, 2, 3], Threshold(10, 50), lambda h: "").columns(2, 1)[0][1] == 9
    assert Trend([1, float("nan"), float("inf")], Threshold(10, 50), lambda h: "").values == [1]


def test_trend_colours_each_bar_by_its_own_threshold():
    styles = {Health.HEALTHY: "green", Health.WARNING: "yellow", Health.DANGER: "red"}
    trend = Trend([1, 20, 80], Threshold(10, 50), styles.__getitem__, height=1)
    console = Console(width=3, color_system="truecolor", force_terminal=True)
    segments = [s for s in console.render(trend) if s.text.strip()]
    assert [s.style.color.name for s in segments] == ["green", "yellow", "red"]


def test_big_number_falls_back_to_one_line_when_narrow():
    big = BigNumber("12.5", side=("p95", "", "ms"))
    assert len(plain(big, 40).splitlines()) == 3
    assert plain(big, 12).strip() == "12.5 ms p95"


@pytest.mark.parametrize("rows", sorted(FONTS))
def test_every_font_has_every_glyph_in_equal_rows_and_widths(rows):
    font = FONTS[rows]
    assert set("0123456789.:—- ") <= set(font)  # everything a headline can show
    for ch, glyph in font.items():
        assert len(glyph) == rows, ch
        assert len({cell_len(line) for line in glyph}) == 1, ch  # every row equally wide
    assert len({cell_len(font[digit][0]) for digit in "0123456789"}) == 1  # digits line up
    assert cell_len(font["—"][0]) == cell_len(font["0"][0])


def test_big_number_takes_the_largest_font_that_fits():
    big = BigNumber("81.2", side=("p95", "", "ms"), rows=7)
    assert len(plain(big, 40).splitlines()) == 7
    assert len(plain(big, 24).splitlines()) == 5  # too narrow for seven rows: a size smaller
    assert len(plain(big, 17).splitlines()) == 3


def test_group_summaries_match_the_statistics_module():
    metric = calm_snapshot().metric("polecat_spawn")
    summaries = {s.group: s for s in window.group_summaries(metric)}
    for group, summary in summaries.items():
        values = [s.value for s in metric.samples if s.group == group]
        assert summary.count == len(values)
        assert summary.p50 == statistics.median(values)
        assert summary.p95 == statistics.quantiles(values, n=100, method="inclusive")[94]
    assert window.percentile([3.0], 95) == 3.0
    assert window.percentile([], 95) is None


def test_worst_samples_and_what_is_over_threshold():
    snapshot = trouble_snapshot()
    worst = plain(
        window.worst_samples_table(snapshot.metric("polecat_spawn"), NOW, DEFAULT_PALETTE)
    )
    assert worst.index("12 s") < worst.index("11 s")  # whole seconds: spawn events are 1-s
    assert "Slit" in worst and "gastown" in worst  # the polecat, and its rig as the group
    items = window.over_threshold(snapshot)
    assert items[0][0].key == "dolt_latency"
    assert all(sample.value >= metric.warning for metric, sample in items)
    per_metric = [metric.key for metric, _ in items]
    assert max(per_metric.count(key) for key in set(per_metric)) <= window.PER_METRIC_ATTENTION
    assert "patrol_cycle" not in per_metric  # stale: its samples are old
    calm = plain(window.attention_table(calm_snapshot(), DEFAULT_PALETTE))
    assert "nothing over its threshold" in calm


def test_stale_copy_greys_every_metric_and_names_the_failure():
    since = NOW + timedelta(seconds=10)
    stale = engine_view.stale_copy(trouble_snapshot(), "server gone", since)
    assert all(m.stale for m in stale.metrics)
    assert stale.metric("dolt_latency").error == "server gone"
    assert stale.metric("dolt_latency").error_since == since
    assert stale.metric("patrol_cycle").error == "wisps query timed out after 5 s"  # kept
    assert stale.errors[-1].source == "refresh"


def test_map_fills_missing_boxes_and_names_the_worst():
    snapshot = calm_snapshot(bottlenecks=(MapNode("mail", "Mail", Health.WARNING, ("lag",)),))
    rows = map_view.map_rows(snapshot)
    assert [[n.key for n in row] for row in rows] == [list(row) for row in map_view.MAP_ROWS]
    assert rows[1][0].health is Health.UNKNOWN
    assert map_view.bottleneck(snapshot).key == "mail"
    tie = calm_snapshot(
        bottlenecks=(
            MapNode("polecats", "Polecats", Health.DANGER),
            MapNode("mayor", "Mayor", Health.DANGER),
        )
    )
    assert map_view.bottleneck(tie).key == "mayor"  # first in the map's order
    assert map_view.bottleneck(calm_snapshot()) is None
    extra = calm_snapshot(bottlenecks=(MapNode("gc", "Garbage", Health.HEALTHY),))
    assert map_view.map_rows(extra)[-1][0].key == "gc"


def test_metric_words_and_tooltip():
    metric = trouble_snapshot().metric("patrol_cycle")
    assert style.metric_state(metric) == "stale"
    assert style.metric_badge(metric, NOW, DEFAULT_PALETTE).plain == "◌ STALE 42s"
    tip = style.metric_tooltip(metric)
    assert metric.source in tip and "1-second resolution" in tip and "wisps query" in tip
    assert "healthy < 30 s" in tip


def test_palette_is_the_only_source_of_colour():
    palette = Palette(healthy="#010101", warning="#020202", danger="#030303")
    metric = trouble_snapshot().metric("dolt_latency")
    badge = style.metric_badge(metric, NOW, palette)
    assert badge.style == "#030303"
    assert metric_view.big_headline(metric, palette).style == "#030303"


def test_summary_of_one_metric_in_words():
    metric = replace(
        summarise("mail_lag", (Sample(0.5, NOW, "hq-m1", "mayor"),)),
        error="ack label unreadable",
        error_since=NOW,
    )
    text = plain(window.zoom_summary(metric, NOW + timedelta(seconds=5), DEFAULT_PALETTE))
    assert "healthy < 1 s · warning 1–5 s · danger > 5 s" in text
    assert "database timestamps have 1-second resolution" in text
    assert "ack label unreadable  (5s)" in text


def test_refresh_time_in_the_unit_that_reads_best():
    fast = calm_snapshot()  # 182 ms
    line = header_view.header_line(fast, ViewState(now=NOW), DEFAULT_PALETTE, 160).plain
    assert "refresh 182 ms ✓" in line
    assert style.format_duration(0.005) == "5.00 ms" and style.format_duration(6.42) == "6.42 s"


def test_breakdown_needs_groups():
    metric = summarise("convoy_refresh", (Sample(0.2, NOW), Sample(0.3, NOW)))
    assert "carry no rig or role" in plain(window.breakdown_table(metric, DEFAULT_PALETTE))
