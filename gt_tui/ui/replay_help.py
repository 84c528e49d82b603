"""The replay's `?` screen: its own keys first, then every key of the console and the legend."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.export.style import Palette
from gt_tui.ui import keymap
from gt_tui.ui.screens.help import HelpScreen


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

    BOX_TITLE = "gt-tui replay · keys"

    def leading(self, palette: Palette) -> tuple[RenderableType, ...]:
        return (replay_keys_table(palette),)
