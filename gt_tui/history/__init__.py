"""Recorded history: every snapshot of a run, appended to a compact SQLite file, read back whole.

No Textual here: `--record` (console, wall, serve) appends through `HistoryWriter`; `--replay`
and `gt-tui report` read through `read_history`. See gt_tui.history.store for the layout.
"""

from gt_tui.history.paths import default_history_path
from gt_tui.history.reader import HistoryRead, read_history
from gt_tui.history.writer import HistoryWriter

__all__ = ["HistoryRead", "HistoryWriter", "default_history_path", "read_history"]
