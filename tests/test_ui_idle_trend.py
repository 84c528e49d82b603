"""The trend bars through Textual's line API (issue 12): the same picture as the Rich `Trend`,
and a new sample repaints only the rows of bars that changed, not the whole trend.
"""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console
from rich.style import Style
from snapshots_fixtures import calm_snapshot
from test_ui_idle import run_wall

from gt_tui.engine.snapshot import Sample, Snapshot
from gt_tui.export.metric_view import metric_trend
from gt_tui.export.style import DEFAULT_PALETTE
from gt_tui.health import Health
from gt_tui.ui.widgets.side_panels import AttentionPanel
from gt_tui.ui.widgets.trend_view import bar_rows, row_strip


def rich_lines(values: list[float], width: int, height: int) -> list[list[tuple[str, Style]]]:
    """The Rich `Trend`'s lines as (text, style) runs, styles as Rich parses them."""
    snapshot = calm_snapshot()
    metric = replace(
        snapshot.metric("dolt_latency"),
        samples=tuple(Sample(v, snapshot.generated_at) for v in values),
    )
    trend = metric_trend(metric, DEFAULT_PALETTE, height=height)
    console = Console(width=width, height=height, color_system="truecolor")
    lines = console.render_lines(trend, console.options.update(width=width, height=height))
    return [[(seg.text, seg.style or Style.null()) for seg in line if seg.text] for line in lines]


def test_the_line_api_draws_what_the_rich_trend_draws() -> None:
    values = [1.0, 4.0, 9.5, 30.0, 55.0, 80.0, 2.0, 0.5]
    width, height = 12, 4
    snapshot = calm_snapshot()
    metric = replace(
        snapshot.metric("dolt_latency"),
        samples=tuple(Sample(v, snapshot.generated_at) for v in values),
    )
    cells = metric_trend(metric, DEFAULT_PALETTE).cells(width, height)
    style_of = {h: Style.parse(DEFAULT_PALETTE.bar(h) or "none") for h in Health}
    strips = [
        row_strip(row, width, Style.null(), style_of) for row in bar_rows(cells, width, height)
    ]
    expected = rich_lines(values, width, height)
    assert len(strips) == height
    for strip, line in zip(strips, expected, strict=True):
        got = [(seg.text, seg.style or Style.null()) for seg in strip if seg.text]
        assert "".join(t for t, _ in got) == "".join(t for t, _ in line)
        assert [(t, s.color) for t, s in got] == [(t, s.color) for t, s in line]


def with_dolt_sample(snapshot: Snapshot, value: float) -> Snapshot:
    """One more Dolt probe at the end of its window, its count and figures as they were."""
    metrics = tuple(
        replace(m, samples=(*m.samples[1:], Sample(value, snapshot.generated_at)))
        if m.key == "dolt_latency"
        else m
        for m in snapshot.metrics
    )
    return replace(snapshot, metrics=metrics)


async def test_a_new_sample_repaints_only_the_rows_of_bars_that_changed(monkeypatch) -> None:
    snapshot = calm_snapshot()
    dolt = snapshot.metric("dolt_latency")
    changed = with_dolt_sample(snapshot, dolt.samples[-1].value * 1.5)
    _app, repaints, panes, _boxes = await run_wall(monkeypatch, snapshot, changed)
    trend = panes["dolt_latency"].trend
    regions = [region for call in repaints.regions.get(trend, []) for region in call]
    assert regions, "the new bar was not drawn"
    assert all(region.height == 1 for region in regions)  # rows, never the whole trend
    assert trend.data is not None
    height = trend.data.size[1]  # as drawn (the app has closed: the widget has no size now)
    assert len({region.y for region in regions}) < height, (sorted(r.y for r in regions), height)
    others = [p.trend for key, p in panes.items() if key != "dolt_latency"]
    assert not any(repaints.refreshed[t] for t in others)
    # a sample under the warning line leaves the attention list as it reads: no repaint
    assert dolt.samples[-1].value * 1.5 < dolt.warning
    assert not [w for w in repaints.refreshed if isinstance(w, AttentionPanel)]
