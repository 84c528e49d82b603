"""Cheap marks of the town's files: what tells that a file or directory changed, unread.

A mark is a `stat` of the path: inode, size, modification and change times (None where the
path is missing or unreadable). Writing a file gives it a new mark (an atomic rename, a new
inode); adding or removing an entry gives its directory a new one. Comparing marks costs one
`stat` per path and opens no file.
"""

from __future__ import annotations

import os
from pathlib import Path

from gt_tui.town.layout import heartbeat_file, heartbeats_dir
from gt_tui.town.model import Town

Mark = tuple[int, int, int, int] | None


def mark(path: Path | str) -> Mark:
    """The path's mark; None where it cannot be read."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def deacon_heartbeat(town: Town) -> Path:
    """The deacon's heartbeat file."""
    return town.root / "deacon" / "heartbeat.json"


def directory_marks(town: Town) -> tuple[Mark, ...]:
    """Each rig's `polecats/` directory, the heartbeats directory and the deacon's heartbeat."""
    paths = [town.polecats_dir(rig) for rig in town.rigs]
    return tuple(mark(p) for p in (*paths, heartbeats_dir(town.root), deacon_heartbeat(town)))


def heartbeat_marks(town: Town, polecats: list[tuple[str, str]]) -> tuple[Mark, ...]:
    """The heartbeat file of each (rig, Name) polecat: `heartbeat_file`'s paths, joined as
    text (a Path built per file cost more than its `stat`)."""
    rigs = {rig.name: rig for rig in town.rigs}
    base = os.fspath(heartbeats_dir(town.root))
    suffix = heartbeat_file(town.root, "session").suffix
    return tuple(
        mark(f"{base}/{rigs[r].session_name(n)}{suffix}") for r, n in polecats if r in rigs
    )
