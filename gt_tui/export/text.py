"""The text snapshot: the console's renderables printed once as a compact, pasteable report.

No Textual here (a test imports this module in a subprocess and checks): only Rich.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.text import Text

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.engine_view import all_errors, engine_strip, errors_text
from gt_tui.export.header_view import header_line, town_line
from gt_tui.export.map_view import map_table, verdict
from gt_tui.export.metric_view import metrics_table
from gt_tui.export.style import DEFAULT_PALETTE, Palette, ViewState

DEFAULT_WIDTH = 100


def sections(snapshot: Snapshot, palette: Palette, width: int) -> list[RenderableType]:
    """Header, metrics table, verdict and map, engine strip, then any failing sources."""
    view = ViewState(now=snapshot.generated_at, full_time=True)
    parts: list[RenderableType] = [
        header_line(snapshot, view, palette, width, details=False),
        town_line(snapshot, palette, width),
        Text(""),
        metrics_table(snapshot, snapshot.generated_at, palette),
        Text(""),
        verdict(snapshot, palette),
        Padding(map_table(snapshot, palette), (0, 0, 0, 2)),
        Text(""),
        engine_strip(snapshot.engine, palette, width),
    ]
    if all_errors(snapshot):
        parts += [Text(""), errors_text(snapshot, snapshot.generated_at, palette, one_line=False)]
    return parts


def render_text(snapshot: Snapshot, *, color: bool, width: int | None = None) -> str:
    """The snapshot as text, `width` columns wide (100 by default), with ANSI colour if `color`."""
    width = width or DEFAULT_WIDTH
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    for part in sections(snapshot, DEFAULT_PALETTE, width):
        console.print(part)
    output = buffer.getvalue()
    return "\n".join(line.rstrip() for line in output.splitlines()) + "\n"
