"""Small files of the sandbox: JSON others read while we write it (heartbeats, the demo
state), and the database password its agents read (never their argv or environment).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from gt_tui.files import write_atomically
from gt_tui.town.model import Town
from gt_tui.town.secret_env import read_password_file, write_password_file

# The sandbox's database password, mode 0600: the agents read it, tmux never sees it.
DB_PASSWORD_FILE = Path(".runtime") / "gt-tui-db-password"


def write_json_atomically(path: Path, data: dict[str, Any], indent: int | None = None) -> None:
    """Write through a temporary file and a rename: readers never see half a file."""
    write_atomically(path, json.dumps(data, indent=indent) + "\n")


def write_db_password(root: Path, password: str) -> Path:
    """Leave the sandbox's database password for its agents, in a 0600 file."""
    return write_password_file(root / DB_PASSWORD_FILE, password)


def with_db_password(town: Town) -> Town:
    """`town` with the sandbox's database password, where the sandbox left one."""
    path = town.root / DB_PASSWORD_FILE
    if town.is_sqlite or not path.exists():
        return town
    return replace(town, endpoint=replace(town.endpoint, password=read_password_file(path)))
