"""Appending to gt's event feed `<town>/.events.jsonl` as gt does, under its flock."""

from __future__ import annotations

import fcntl
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from .rows import rfc3339


def append_event_line(
    town_root: Path,
    type: str,
    actor: str,
    payload: dict[str, Any],
    ts: datetime,
    visibility: str = "feed",
) -> None:
    """Append one gt event to `<town>/.events.jsonl` under gt's flock `.events.jsonl.lock`."""
    record = {
        "ts": rfc3339(ts),
        "source": "gt",
        "type": type,
        "actor": actor,
        "payload": payload,
        "visibility": visibility,
    }
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    with (town_root / ".events.jsonl.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with (town_root / ".events.jsonl").open("a", encoding="utf-8") as events:
                events.write(line)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
