"""The `?` screen: every key from the keymap, and what the colours and words mean."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.style import HEALTH_ICONS, HEALTH_WORDS, STALE_ICON, Palette, thresholds_text
from gt_tui.health import Health
from gt_tui.ui import keymap
from gt_tui.ui.console_state import console_host
from gt_tui.ui.screens.base import Released


def keys_table(palette: Palette, *, read_only: bool) -> Table:
    """Every key of the keymap, by section; refused keys are marked in read-only mode."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style=palette.accent, no_wrap=True, justify="right")
    table.add_column()
    section = ""
    for display, help_text, key in keymap.help_rows():
        if key.section != section:
            if section:
                table.add_row("", "")
            section = key.section
            note = "  (read-only: refused)" if read_only and key.refused_read_only else ""
            table.add_row("", Text(f"{section}{note}", style=palette.strong))
        style = palette.muted if read_only and key.refused_read_only else ""
        table.add_row(display, Text(help_text, style=style))
    return table


def legend(snapshot: Snapshot | None, palette: Palette) -> Group:
    """The health words and icons, and each metric's thresholds as the snapshot states them."""
    words = Text("   ").join(
        Text(f"{HEALTH_ICONS[h]} {HEALTH_WORDS[h]}", style=palette.of(h)) for h in Health
    )
    words.append(f"   {STALE_ICON} STALE", style=palette.stale)
    rows = Table.grid(padding=(0, 2))
    rows.add_column(no_wrap=True)
    rows.add_column()
    for metric in snapshot.metrics if snapshot else ():
        rows.add_row(metric.label, thresholds_text(metric, palette))
    note = Text(
        "Judged on p95 of the window. Stale: the source failed; last value shown, greyed.",
        style=palette.muted,
    )
    return Group(Text("Health", style=palette.strong), words, note, Text(""), rows)


class HelpScreen(Released, ModalScreen[None]):
    """Keys and legend; `escape`, `?` or `q` close it."""

    BINDINGS: ClassVar = [
        Binding("escape", "close", "close"),
        Binding("question_mark", "close", "close", show=False),
        Binding("q", "close", "close", show=False),
    ]

    BOX_TITLE = "gt-tui · keys"

    def leading(self, palette: Palette) -> tuple[RenderableType, ...]:
        """What a variant shows before the console's keys (nothing here)."""
        return ()

    def compose(self) -> ComposeResult:
        host = console_host(self.app)
        palette = host.palette
        body = Group(
            *(part for lead in self.leading(palette) for part in (lead, Text(""))),
            keys_table(palette, read_only=host.read_only),
            Text(""),
            legend(host.snapshot, palette),
        )
        with VerticalScroll(id="help-box") as box:
            box.border_title = self.BOX_TITLE
            box.border_subtitle = "esc close"
            yield Static(body)

    def action_close(self) -> None:
        self.dismiss(None)
