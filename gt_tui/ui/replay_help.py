"""The replay's `?` screen: its own keys first, then every key of the console and the legend."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from gt_tui.export.style import Palette
from gt_tui.ui import keymap
from gt_tui.ui.console_state import console_host
from gt_tui.ui.screens.help import HelpScreen, keys_table, legend


def replay_keys_table(palette: Palette) -> Table:
    """The replay's keys (`keymap.REPLAY_KEYS`)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style=palette.accent, no_wrap=True, justify="right")
    table.add_column()
    table.add_row("", Text("Replay", style=palette.strong))
    for key in keymap.REPLAY_KEYS:
        shown = {"left": "←", "right": "→"}.get(key.key, key.display)
        table.add_row(shown, key.help)
    return table


class ReplayHelpScreen(HelpScreen):
    """Keys (the replay's first) and legend; `escape`, `?` or `q` close it."""

    def compose(self) -> ComposeResult:
        host = console_host(self.app)
        palette = host.palette
        body = Group(
            replay_keys_table(palette),
            Text(""),
            keys_table(palette, read_only=host.read_only),
            Text(""),
            legend(host.snapshot, palette),
        )
        with VerticalScroll(id="help-box") as box:
            box.border_title = "gt-tui replay · keys"
            box.border_subtitle = "esc close"
            yield Static(body)
