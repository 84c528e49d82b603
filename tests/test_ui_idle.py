"""The idle console does no work when nothing it shows changed (issue 12).

Every widget refresh (Textual's `Widget.refresh`, which every repaint and layout goes through)
and every line rendered (`Widget.render_lines`) is counted while the wall takes in a
snapshot: the same one again must repaint nothing at all; a change too small to show (a p95
that still reads the same, a map fact the wall's boxes have no room for) nothing either; a
visible change repaints only the widgets that show it, without laying the screen out again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from apps import console
from snapshots_fixtures import NOW, FakeEngine, calm_snapshot, screen_text, wait_for
from textual.widget import Widget

from gt_tui.engine.snapshot import MapNode, Snapshot
from gt_tui.ui.widgets.bottleneck_map import MapBox
from gt_tui.ui.widgets.metric_pane import MetricPane

SIZE = (200, 50)


class Repaints:
    """Counts refreshes (by widget, and those asking for a layout) and rendered widgets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.refreshed: Counter[Widget] = Counter()
        self.layouts: Counter[Widget] = Counter()
        self.rendered: Counter[Widget] = Counter()
        self.regions: dict[Widget, list[tuple]] = {}
        self.counting = True
        refresh, render_lines = Widget.refresh, Widget.render_lines

        def counting_refresh(widget: Widget, *regions, **options):
            if not self.counting:
                return refresh(widget, *regions, **options)
            self.refreshed[widget] += 1
            self.regions.setdefault(widget, []).append(regions)
            if options.get("layout"):
                self.layouts[widget] += 1
            return refresh(widget, *regions, **options)

        def counting_render_lines(widget: Widget, crop):
            if self.counting:
                self.rendered[widget] += 1
            return render_lines(widget, crop)

        monkeypatch.setattr(Widget, "refresh", counting_refresh)
        monkeypatch.setattr(Widget, "render_lines", counting_render_lines)

    def clear(self) -> None:
        self.refreshed.clear()
        self.layouts.clear()
        self.rendered.clear()
        self.regions.clear()


def with_dolt_p95(snapshot: Snapshot, p95: float) -> Snapshot:
    metrics = tuple(replace(m, p95=p95) if m.key == "dolt_latency" else m for m in snapshot.metrics)
    return replace(snapshot, metrics=metrics)


def with_last_fact(snapshot: Snapshot, key: str, fact: str) -> Snapshot:
    """Box `key` with twenty more facts than it has room for, the last one `fact`."""

    def changed(node: MapNode) -> MapNode:
        return replace(node, facts=(*node.facts, *["more"] * 20, fact)) if node.key == key else node

    return replace(snapshot, bottlenecks=tuple(changed(n) for n in snapshot.bottlenecks))


async def settle(app, pilot) -> None:
    """Run one refresh to its end and let the screen draw it."""
    before = app.refreshes
    app.start_refresh()
    await wait_for(pilot, lambda: app.refreshes > before)
    await pilot.pause()
    await pilot.pause()


async def run_wall(monkeypatch, first: Snapshot, second: Snapshot):
    """The wall shown `first`, then, counted, `second`: the app, what was repainted, and the
    panes and map boxes (by key) as they were on screen."""
    repaints = Repaints(monkeypatch)
    engine = FakeEngine(first)
    app = console(engine, wall=True, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)  # sizes known: the panes' digits and bars are final
        engine.queue = [second]
        repaints.clear()
        await settle(app, pilot)
        app.broadcast()  # the clock's tick, with the clock still: nothing to draw either
        await pilot.pause()
        repaints.counting = False
        panes = {pane.key: pane for pane in app.screen.query(MetricPane)}
        repaints.text = screen_text(app)  # type: ignore[attr-defined]
        boxes = list(app.screen.query(MapBox))
    return app, repaints, panes, boxes


async def test_the_same_snapshot_again_repaints_nothing(monkeypatch):
    snapshot = calm_snapshot()
    app, repaints, _panes, _boxes = await run_wall(monkeypatch, snapshot, snapshot)
    assert app.refreshes == 4  # the one at mount, and the three asked for
    assert not repaints.refreshed, [type(w).__name__ for w in repaints.refreshed]
    assert not repaints.rendered, [type(w).__name__ for w in repaints.rendered]


async def test_a_change_too_small_to_show_repaints_nothing(monkeypatch):
    snapshot = calm_snapshot()
    dolt = snapshot.metric("dolt_latency")
    assert dolt.p95 is not None
    first = with_last_fact(snapshot, "dolt", "one fact out of sight")
    hair = with_dolt_p95(snapshot, dolt.p95 * 1.0001)  # still reads the same figure
    hidden = with_last_fact(hair, "dolt", "another fact out of sight")
    _app, repaints, _panes, _boxes = await run_wall(monkeypatch, first, hidden)
    assert not repaints.refreshed, [type(w).__name__ for w in repaints.refreshed]


async def test_a_visible_change_repaints_only_its_pane_and_lays_nothing_out(monkeypatch):
    snapshot = calm_snapshot()
    dolt = snapshot.metric("dolt_latency")
    assert dolt.p95 is not None
    changed = with_dolt_p95(snapshot, dolt.p95 + 3)
    _app, repaints, panes, boxes = await run_wall(monkeypatch, snapshot, changed)
    pane = panes.pop("dolt_latency")
    assert repaints.refreshed[pane.body] >= 1  # the figure was drawn again
    assert not any(repaints.refreshed[p] or repaints.refreshed[p.body] for p in panes.values())
    assert not any(repaints.refreshed[box] for box in boxes)
    assert not repaints.layouts, [type(w).__name__ for w in repaints.layouts]


async def test_a_new_count_repaints_only_the_bottom_row_of_its_pane(monkeypatch):
    snapshot = calm_snapshot()
    count = snapshot.metric("dolt_latency").count
    metrics = tuple(
        replace(m, count=count + 1) if m.key == "dolt_latency" else m for m in snapshot.metrics
    )
    _app, repaints, panes, _boxes = await run_wall(
        monkeypatch, snapshot, replace(snapshot, metrics=metrics)
    )
    pane = panes["dolt_latency"]
    assert f"n {count + 1}" in repaints.text
    assert repaints.regions[pane], "the count was not drawn"
    for regions in repaints.regions[pane]:
        assert len(regions) == 1 and regions[0].height == 1  # the border's bottom row only
    assert not repaints.refreshed[pane.body] and not repaints.refreshed[pane.trend]
