"""Health that one sample cannot flip: a window with few samples is judged on its median.

Issue 11, deliver 3: a new demo opened in WARNING from one 31.7 ms probe among ten (the p95 of
ten values is 55 % their maximum). The judging (`assemble.metric_summary`), the JSON field and
the text snapshot are each checked on the same window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from snapshots_fixtures import calm_metrics, calm_snapshot

from gt_tui.engine.assemble import metric_summary
from gt_tui.engine.snapshot import MetricSummary, Sample
from gt_tui.export.json import snapshot_dict
from gt_tui.export.metric_view import metric_body
from gt_tui.export.style import DEFAULT_PALETTE
from gt_tui.export.text import render_text
from gt_tui.health import FEW_SAMPLES, METRIC_BY_KEY, Health, judge_window

NOW = datetime(2026, 12, 1, 14, 2, 11, tzinfo=UTC)
SPEC = METRIC_BY_KEY["dolt_latency"]  # healthy < 10 ms, warning 10–50 ms


def _samples(values: list[float]) -> tuple[Sample, ...]:
    return tuple(Sample(v, NOW - timedelta(seconds=len(values) - i)) for i, v in enumerate(values))


def _dolt(values: list[float]) -> MetricSummary:
    return metric_summary(SPEC, SPEC.threshold, _samples(values), None, "probe", 0)


def test_one_outlier_among_ten_does_not_flip_health() -> None:
    metric = _dolt([0.8] * 9 + [31.7])
    assert metric.p95 is not None and metric.p95 > SPEC.threshold.warning  # p95 alone: WARNING
    assert SPEC.threshold.judge(metric.p95) is Health.WARNING
    assert metric.few_samples is True
    assert metric.health is Health.HEALTHY  # judged on the second-largest, 0.8 ms


def test_two_slow_samples_among_few_do_flip_health() -> None:
    """Heavy load shows in a young window: two slow spawns are no single outlier."""
    metric = _dolt([0.8] * 8 + [31.7, 31.7])
    assert metric.few_samples is True
    assert metric.health is Health.WARNING


def test_a_slow_median_is_still_judged_with_few_samples() -> None:
    metric = _dolt([12.0] * 6 + [0.5] * 4)
    assert metric.few_samples is True
    assert metric.health is Health.WARNING


@pytest.mark.parametrize("count", [FEW_SAMPLES, 60])
def test_a_full_window_is_judged_on_p95(count: int) -> None:
    slow = count // 10  # 10 % of the window over threshold: the p95 sees it, the median not
    metric = _dolt([0.8] * (count - slow) + [31.7] * slow)
    assert metric.few_samples is False
    assert metric.health is Health.WARNING


def test_no_samples_is_unknown_not_few() -> None:
    metric = _dolt([])
    assert (metric.few_samples, metric.health) == (False, Health.UNKNOWN)
    assert judge_window(SPEC.threshold, 0, None, None) is Health.UNKNOWN


def test_json_and_text_say_few_samples() -> None:
    few = _dolt([0.8] * 9 + [31.7])
    metrics = (few, *calm_metrics()[1:])
    snap = calm_snapshot(metrics=metrics)
    data = snapshot_dict(snap)["metrics"]
    assert data["dolt_latency"]["few_samples"] is True
    assert data["dolt_latency"]["health"] == "healthy"
    assert data["mail_lag"]["few_samples"] is False
    lines = render_text(snap, color=False).splitlines()
    assert "10 few" in next(line for line in lines if "Dolt query latency" in line)
    assert "few" not in next(line for line in lines if "Mail lag" in line)


def _pane(metric: MetricSummary, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(metric_body(metric, NOW, DEFAULT_PALETTE))
    return console.export_text()


def test_the_pane_says_few_samples() -> None:
    few, full = _dolt([0.8] * 9 + [31.7]), _dolt([0.8] * 30)
    assert "few samples" in _pane(few, 40)
    assert "few" in _pane(few, 16)  # narrow: the short form
    assert "few" not in _pane(full, 40)
