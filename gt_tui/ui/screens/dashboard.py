"""The dashboard: header, five metric panes, the bottleneck map, errors, engine strip, footer."""

from __future__ import annotations

from functools import cached_property

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from gt_tui.engine.snapshot import MetricSummary, Snapshot
from gt_tui.export.style import Palette, ViewState
from gt_tui.health import METRICS
from gt_tui.ui.screens.base import SnapshotScreen
from gt_tui.ui.widgets.action_bar import ActionBar
from gt_tui.ui.widgets.bottleneck_map import BottleneckMap
from gt_tui.ui.widgets.footer import ConsoleFooter
from gt_tui.ui.widgets.header import StatusHeader
from gt_tui.ui.widgets.metric_pane import MetricPane
from gt_tui.ui.widgets.side_panels import AttentionPanel, TownPanel
from gt_tui.ui.widgets.strips import EngineStrip, ErrorsBar


def metric_of(snapshot: Snapshot | None, key: str) -> MetricSummary | None:
    if snapshot is None:
        return None
    return next((m for m in snapshot.metrics if m.key == key), None)


class DashboardScreen(SnapshotScreen):
    """Everything at once; the eye goes to whatever is coloured."""

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="metrics"):
            for index, spec in enumerate(METRICS, 1):
                yield MetricPane(index, spec.key, spec.label)
        with Horizontal(id="lower"):
            yield BottleneckMap()
            with Vertical(id="side"):
                yield TownPanel()
                yield AttentionPanel()
        yield ErrorsBar(id="errors")
        yield ActionBar()
        yield EngineStrip(id="engine")
        yield ConsoleFooter()

    @cached_property
    def panes(self) -> tuple[MetricPane, ...]:
        """The metric panes, found once (composed once, they stay)."""
        return tuple(self.query(MetricPane))

    def show(self, snapshot: Snapshot | None, view: ViewState, palette: Palette) -> None:
        panes = self.panes
        if view.wall:  # the largest digits every pane has room for, to be read across a room
            rows = min((pane.wall_rows() for pane in panes), default=3)
        else:
            rows = 5 if all(pane.fits_big_digits() for pane in panes) else 3  # one size for all
        for pane in panes:
            metric = metric_of(snapshot, pane.key)
            pane.update_from(metric, view.now, palette, wall=view.wall, rows=rows)
        self.part(BottleneckMap).update_from(snapshot, palette)
        self.part(TownPanel).update_from(snapshot, palette)
        self.part(AttentionPanel).update_from(snapshot, palette)
        self.part(ErrorsBar).update_from(snapshot, view.now, palette)
        self.part(EngineStrip).update_from(snapshot, palette, wall=view.wall)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_state)  # sizes are known once the layout is done

    def focus_map(self) -> None:
        self.part(BottleneckMap).focus_bottleneck(self.host.snapshot)
