"""One metric zoomed: numbers, thresholds, source and precision; the chart; breakdown; worst."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Static

from gt_tui.engine.snapshot import DoltInfo, HostInfo, MetricSummary, Snapshot
from gt_tui.export.style import Palette, ViewState, metric_state
from gt_tui.export.window import breakdown_table, worst_samples_table, zoom_summary
from gt_tui.health import METRICS
from gt_tui.ui.screens.base import SnapshotScreen
from gt_tui.ui.screens.dashboard import metric_of
from gt_tui.ui.widgets.action_bar import ActionBar
from gt_tui.ui.widgets.footer import ConsoleFooter
from gt_tui.ui.widgets.header import StatusHeader
from gt_tui.ui.widgets.state import set_state
from gt_tui.ui.widgets.window_plot import WindowPlot


@dataclass(frozen=True)
class ZoomData:
    """What the zoom shows (compared: the metric, Dolt, host, the second, the palette)."""

    metric: MetricSummary
    dolt: DoltInfo
    host: HostInfo
    second: datetime
    palette: Palette
    now: datetime = field(compare=False)
    generated_at: datetime = field(compare=False)


class ZoomScreen(SnapshotScreen):
    """A metric in full; `1`–`5` switch metric, `escape` goes back."""

    data: var[ZoomData | None] = var(None, init=False)
    """The metric drawn; redrawn only when what it shows changes."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    @property
    def key(self) -> str:
        return METRICS[self.index - 1].key

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Vertical(id="zoom-head"):
            yield Static("", id="zoom-summary")
        with Horizontal(id="zoom-body"):
            yield WindowPlot()
            with Vertical(id="zoom-side"):
                yield Static("", id="zoom-breakdown")
                yield Static("", id="zoom-worst")
        yield ActionBar()
        yield ConsoleFooter()

    def on_mount(self) -> None:
        self.query_one("#zoom-breakdown").border_title = "by rig / role"
        self.query_one("#zoom-worst").border_title = "slowest samples"
        self.query_one(WindowPlot).border_title = "window"
        super().on_mount()

    def set_metric(self, index: int) -> None:
        self.index = index
        self.show_state()

    def show(self, snapshot: Snapshot | None, view: ViewState, palette: Palette) -> None:
        metric = metric_of(snapshot, self.key)
        head = self.query_one("#zoom-head")
        head.border_title = f"{self.index} {METRICS[self.index - 1].label}"
        if metric is None or snapshot is None:
            return
        second = view.now.replace(microsecond=0)
        at = snapshot.generated_at
        self.data = ZoomData(metric, snapshot.dolt, snapshot.host, second, palette, view.now, at)

    def watch_data(self, data: ZoomData | None) -> None:
        if data is None:
            return
        metric, palette, at = data.metric, data.palette, data.generated_at
        set_state(self.query_one("#zoom-head"), metric_state(metric))
        summary = zoom_summary(metric, data.now, palette, data.dolt, data.host)
        self.query_one("#zoom-summary", Static).update(summary)
        self.query_one(WindowPlot).update_from(metric, at)
        self.query_one("#zoom-breakdown", Static).update(breakdown_table(metric, palette))
        self.query_one("#zoom-worst", Static).update(worst_samples_table(metric, at, palette))
