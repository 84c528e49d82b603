"""The idle wall's refresh does no work for what did not change (issue 12, deliverable 3).

Counted calls, never timing: the hidden errors bar builds no line across refreshes; the
dashboard finds its widgets once, not by a DOM query per refresh; a pane whose metric came
back equal (a new summary each refresh, the same window) recomputes neither trend nor text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from apps import console
from snapshots_fixtures import NOW, FakeEngine, calm_snapshot, trouble_snapshot
from test_ui_idle import SIZE, settle, with_dolt_p95
from textual.dom import DOMNode

from gt_tui.engine.snapshot import Snapshot
from gt_tui.ui.screens.base import SnapshotScreen
from gt_tui.ui.widgets import metric_pane, strips
from gt_tui.ui.widgets.strips import ErrorsBar
from gt_tui.ui.widgets.trend_view import TrendView


def counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> Counter[str]:
    """Count the calls of `owner.name` (a module's function or a class's method)."""
    calls: Counter[str] = Counter()
    real = getattr(owner, name)

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[name] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def renewed(snapshot: Snapshot) -> Snapshot:
    """The same figures as new objects, as the engine hands out every refresh."""
    return replace(snapshot, metrics=tuple(replace(m) for m in snapshot.metrics))


async def test_the_hidden_errors_bar_builds_nothing_across_refreshes(monkeypatch) -> None:
    built = counting(monkeypatch, strips, "errors_text")
    calm = calm_snapshot()
    engine = FakeEngine(calm, with_dolt_p95(calm, 9.0), renewed(calm), calm)
    app = console(engine, wall=True, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(4):
            await settle(app, pilot)
        bar = app.screen.query_one(ErrorsBar)
        assert not bar.has_class("-visible") and built["errors_text"] == 0
        engine.queue = [trouble_snapshot()]
        await settle(app, pilot)
        assert bar.has_class("-visible") and built["errors_text"] >= 1
        assert "wisps query timed out" in bar.text.plain
        engine.queue = [calm]
        await settle(app, pilot)
        shown = built["errors_text"]
        for _ in range(3):
            await settle(app, pilot)
        assert not bar.has_class("-visible") and built["errors_text"] == shown


async def test_a_refresh_queries_no_widget_of_the_dashboard(monkeypatch) -> None:
    calm = calm_snapshot()
    engine = FakeEngine(calm)
    app = console(engine, wall=True, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        queried: Counter[str] = Counter()
        for name in ("query", "query_one"):
            real = getattr(DOMNode, name)

            def counted(node, *args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
                if isinstance(node, SnapshotScreen):
                    queried[_name] += 1
                return _real(node, *args, **kwargs)

            monkeypatch.setattr(DOMNode, name, counted)
        engine.queue = [with_dolt_p95(calm, 9.0), trouble_snapshot(), renewed(calm)]
        for _ in range(3):
            await settle(app, pilot)
        assert engine.calls >= 5
        assert not queried, queried


async def test_an_equal_metric_recomputes_nothing_for_its_pane(monkeypatch) -> None:
    calm = calm_snapshot()
    engine = FakeEngine(calm)
    app = console(engine, wall=True, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)  # sizes known: the panes are drawn for good
        trends = counting(monkeypatch, TrendView, "update_from")
        texts = counting(monkeypatch, metric_pane, "shown_text")
        engine.queue = [renewed(calm)]
        await settle(app, pilot)
        assert trends["update_from"] == 0 and texts["shown_text"] == 0
        engine.queue = [with_dolt_p95(calm, 9.0)]  # one metric changed: its pane alone
        await settle(app, pilot)
        assert trends["update_from"] == 1 and texts["shown_text"] == 1
