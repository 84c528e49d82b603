"""Where gt-tui keeps its own files: the XDG base directories, resolved in one place.

`$XDG_STATE_HOME/gt-tui` holds what gt-tui records (audit log, benchmark results, demo
claims); `$XDG_CONFIG_HOME/gt-tui` the user's settings. A variable that is unset or not an
absolute path is ignored, as the XDG specification says, for `~/.local/state` and `~/.config`.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR = "gt-tui"


def _base(variable: str, fallback: tuple[str, ...]) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home().joinpath(*fallback)


def state_dir() -> Path:
    """`$XDG_STATE_HOME/gt-tui`, or `~/.local/state/gt-tui`."""
    return _base("XDG_STATE_HOME", (".local", "state")) / APP_DIR


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/gt-tui`, or `~/.config/gt-tui`."""
    return _base("XDG_CONFIG_HOME", (".config",)) / APP_DIR
