"""Reading `.events.jsonl` incrementally, by byte offset, skipping and counting bad lines."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gt_tui.town.db import utc


@dataclass(frozen=True)
class Event:
    """One line of gt's raw event bus: `{ts, source, type, actor, payload, visibility}`."""

    ts: datetime
    type: str
    actor: str
    payload: dict[str, Any] = field(default_factory=dict)


def parse_event(line: bytes) -> Event | None:
    """An event from one line, or None when the line is not a well-formed event."""
    try:
        data = json.loads(line)
        ts = utc(data["ts"])
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(data, dict) or ts is None or not isinstance(data.get("type"), str):
        return None
    payload = data.get("payload")
    return Event(
        ts, data["type"], str(data.get("actor") or ""), payload if isinstance(payload, dict) else {}
    )


class EventsTail:
    """Follows an append-only events file: each `read_new()` returns only what was appended.

    A file that shrinks or is replaced (gt's pruning) is read again from the start. A last
    line without its newline is left for the next read, since a writer may be mid-append.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.bad_lines = 0
        self._inode: int | None = None

    def read_new(self) -> list[Event]:
        try:
            with self.path.open("rb") as handle:
                self._rewind_if_replaced(os.fstat(handle.fileno()))
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        return self._parse(complete)

    def _rewind_if_replaced(self, stat: os.stat_result) -> None:
        if stat.st_ino != self._inode or stat.st_size < self.offset:
            self.offset = 0
        self._inode = stat.st_ino

    def _parse(self, complete: bytes) -> list[Event]:
        events = []
        for line in complete.splitlines():
            if not line.strip():
                continue
            event = parse_event(line)
            if event is None:
                self.bad_lines += 1
            else:
                events.append(event)
        return events
