"""Where a town's history lives when `--record` names no file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from gt_tui.xdg import state_dir

SUFFIX = ".history.sqlite"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_history_path(town_name: str) -> Path:
    """`$XDG_STATE_HOME/gt-tui/history/<town>.history.sqlite`; a name that is not a safe file
    name is slugged, with a short hash so that two such names never share a file."""
    slug = _UNSAFE.sub("_", town_name).strip("._") or "town"
    if slug != town_name:
        slug += "-" + hashlib.sha256(town_name.encode()).hexdigest()[:8]
    return state_dir() / "history" / f"{slug}{SUFFIX}"
