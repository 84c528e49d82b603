"""`gt-tui report --type performance`: one self-contained HTML page over a sequence of Snapshots.

No Textual, no I/O but the caller's: `build_report` takes the snapshots (a history's, or one
fresh refresh), the settings in force and where the snapshots came from, and returns the page.
The charts are pygal's SVG, inline; the timelines are plain SVG strips (`report.strips`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from gt_tui.engine.snapshot import Snapshot
from gt_tui.errors import GtTuiError
from gt_tui.report.data import within
from gt_tui.report.page import Origin, render_page
from gt_tui.settings import Settings

__all__ = ["Origin", "build_report", "within"]


def build_report(
    snapshots: Sequence[Snapshot],
    origin: Origin,
    settings: Settings,
    made: datetime | None = None,
) -> str:
    """The HTML of the report over the snapshots made since `origin.since` (all when None);
    a one-line GtTuiError when none is left."""
    kept = within(snapshots, origin.since)
    if not kept:
        since = f" since {origin.since:%Y-%m-%d %H:%M:%S}" if origin.since else ""
        raise GtTuiError(f"{origin.source}: no snapshot to report{since}")
    return render_page(kept, origin, settings, made or datetime.now(UTC))
