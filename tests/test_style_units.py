"""Numbers in the right unit and precision: the one formatter, the same figure on the map and in
the pane, charts that are never blank and show a near-constant window's variation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.console import Console
from snapshots_fixtures import NOW, calm_snapshot, summarise, trouble_snapshot

from gt_tui.engine.bottlenecks import MapInputs, bottleneck_map
from gt_tui.engine.facts import TownFacts
from gt_tui.engine.snapshot import Sample
from gt_tui.export import metric_view, window
from gt_tui.export.charts import Trend, plot_scale, plot_unit, trend_scale
from gt_tui.export.style import DEFAULT_PALETTE, format_age, format_duration
from gt_tui.export.text import render_text
from gt_tui.health import METRICS, Threshold
from gt_tui.units import format_figure, split_figure


def plain(renderable, width: int = 100) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.00008, "80 µs"),
        (0.0123, "12.3 ms"),
        (0.0009996, "1.00 ms"),  # rounding up moves to the next unit, never `1000 µs`
        (0.182, "182 ms"),
        (1.5, "1.50 s"),
        (42, "42.0 s"),
        (91, "1m 31s"),
        (10500, "2h 55m"),
        (691200, "8d 0h"),
    ],
)
def test_a_duration_in_the_unit_that_suits_it(seconds, shown):
    assert format_duration(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(-5, "0s"), (42, "42s"), (91, "1m 31s"), (10500, "2h 55m"), (691200, "8d 0h")],
)
def test_ages_read_as_people_write_them(seconds, shown):
    assert format_age(seconds) == shown


def test_no_metric_value_reads_zero_point_zero_zero():
    assert format_figure(0.08, "ms", "dolt_latency") == "80 µs"
    assert format_figure(0.0008, "s", "convoy_refresh") == "800 µs"
    assert format_figure(0.0123, "s", "convoy_refresh") == "12.3 ms"  # convoy refresh in ms
    assert format_figure(None, "s", "convoy_refresh") == "—"


def test_figures_from_one_second_timestamps_are_whole_seconds_marked():
    assert format_figure(3.4, "s", "mail_lag") == "3 s"
    assert format_figure(91.2, "s", "patrol_cycle") == "1m 31s"
    assert split_figure(91.2, "s", "patrol_cycle") == ("1:31", "m:s")
    mail = summarise("mail_lag", (Sample(3.0, NOW), Sample(4.0, NOW), Sample(3.0, NOW)))
    headline = metric_view.big_headline(mail, DEFAULT_PALETTE)
    assert headline.side == ("p95", "±1", "s")  # the pane: `4` drawn large, `±1` beside its `s`
    assert "p50 3 s  max 4 s" in plain(metric_view.stats_line(mail, DEFAULT_PALETTE))
    assert "±1 s" in plain(window.zoom_summary(mail, NOW, DEFAULT_PALETTE))
    table = plain(metric_view.metrics_table(calm_snapshot(), NOW, DEFAULT_PALETTE), 140)
    assert "Mail lag (±1 s)" in table and "Dolt query latency (" not in table
    dolt = summarise("dolt_latency", (Sample(4.0, NOW),))
    assert metric_view.big_headline(dolt, DEFAULT_PALETTE).side == ("p95", "", "ms")


def test_the_map_and_the_pane_show_the_same_figure_the_same_way():
    metrics = {spec.key: summarise(spec.key, ()) for spec in METRICS}
    metrics["dolt_latency"] = summarise("dolt_latency", (Sample(0.08, NOW), Sample(0.07, NOW)))
    metrics["mail_lag"] = summarise("mail_lag", (Sample(2.6, NOW),))
    inputs = MapInputs(NOW, TownFacts(), metrics, queue_limit=100, refinery_queue_limit=20)
    boxes = {node.key: node for node in bottleneck_map(inputs)}
    for box, key, figure in (("dolt", "dolt_latency", "80 µs"), ("mail", "mail_lag", "3 s")):
        pane = metric_view.big_headline(metrics[key], DEFAULT_PALETTE).small().plain
        assert pane.startswith(f"{figure} p95")  # today `0.08 ms p95` beside the map's `0.1ms`
        assert f"p95 {figure}" in boxes[box].facts
        table = plain(metric_view.metrics_table(_snapshot_of(metrics), NOW, DEFAULT_PALETTE), 140)
        assert figure in table


def _snapshot_of(metrics):
    return calm_snapshot(metrics=tuple(metrics[spec.key] for spec in METRICS))


def test_a_window_of_tiny_values_never_draws_blank():
    # The Mail chart: 121 samples of a few milliseconds (or 0) against a 1 s warning line.
    values = [0.0 if i % 5 == 0 else 0.001 * (i % 9) for i in range(121)]
    trend = Trend(values, Threshold(1, 5), lambda _h: "")
    for width, height in ((40, 1), (121, 3)):
        rows = plain(Trend(values, Threshold(1, 5), lambda _h: "", height=height), width)
        assert rows.splitlines()[-1].strip(), "the bottom row has bars"
        assert all(eighths >= 1 for eighths, _ in trend.columns(width, height))
    assert all(
        eighths >= 1 for eighths, _ in Trend([0.0] * 10, Threshold(1, 5), str).columns(10, 1)
    )
    floor, top = plot_scale(values, 1.0)
    assert top < 0.05 and floor == 0.0  # the zoom chart fits the data, not the far warning line


def test_a_near_constant_window_shows_its_variation():
    values = [8.1, 8.3, 8.2, 8.1, 8.3, 8.25]
    floor, top = trend_scale(values, 10.0)
    assert 0 < floor < 8.1 and top == 8.3
    heights = [e for e, _ in Trend(values, Threshold(10, 50), str).columns(6, 2)]
    assert max(heights) - min(heights) >= 4  # today: all the same height
    low, high = plot_scale(values, 10.0)
    assert 7.5 < low < 8.1 and 8.3 < high < 9
    # a window that varies keeps the calm scale from zero up to the warning line
    assert trend_scale([1.0, 5.0], 10.0) == (0.0, 10.0)


def test_the_zoom_chart_reads_convoy_refresh_in_milliseconds():
    assert plot_unit([0.0008, 0.0012], "s") == ("ms", 1000.0)
    assert plot_unit([0.00008], "s") == ("µs", 1e6)
    assert plot_unit([0.08], "ms") == ("µs", pytest.approx(1000.0))
    assert plot_unit([20.0], "s") == ("s", 1.0)


def test_the_pane_says_a_unit_once_when_narrow():
    two = summarise("convoy_refresh", (Sample(0.24, NOW), Sample(0.3, NOW)))
    convoy = replace(two, few_samples=False)  # the units alone, without the few-samples note
    assert plain(metric_view.stats_line(convoy, DEFAULT_PALETTE), 60).strip() == (
        "p50 270 ms  max 300 ms"
    )
    assert plain(metric_view.stats_line(convoy, DEFAULT_PALETTE), 20).strip() == (
        "p50 270  max 300 ms"
    )
    grouped = (Sample(0.0008, NOW, "c", "hq"), Sample(0.0012, NOW, "d", "gt"))
    column = plain(window.breakdown_table(summarise("convoy_refresh", grouped), DEFAULT_PALETTE))
    assert "p95 ms" in column and "1.20" in column  # one unit for the column, said in its header


def test_the_refresh_time_reads_the_same_in_the_header_and_the_engine_strip():
    text = render_text(trouble_snapshot(), color=False, width=120)
    assert "refresh 6.42 s > target 5s" in text  # the header
    assert "engine   refresh 6.42 s" in text  # today `6420 ms` beside the header's `6.4s`
