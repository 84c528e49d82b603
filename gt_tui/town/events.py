"""Reading `.events.jsonl` from the window on, incrementally by byte offset; bad lines are
skipped and counted."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from gt_tui.files import open_regular
from gt_tui.health import EVENTS_DISORDER_S
from gt_tui.safe_text import safe_data, safe_text
from gt_tui.town.db import utc

BLOCK = 64 * 1024  # how much the tail reads backwards at a time to find the window


@dataclass(frozen=True)
class Event:
    """One line of gt's raw event bus: `{ts, source, type, actor, payload, visibility}`."""

    ts: datetime
    type: str
    actor: str
    payload: dict[str, Any] = field(default_factory=dict)


def parse_event(line: bytes) -> Event | None:
    """An event from one line, or None when the line is not a well-formed event.

    Never raises: a line nested too deeply, a time out of range or any other oddity
    costs that one line, never the read it is part of. Its text is made safe to show.
    """
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return None
        ts = utc(data.get("ts"))
        if ts is None:
            return None
        payload = data.get("payload")
        actor = safe_text(str(data.get("actor") or ""))
        payload = safe_data(payload) if isinstance(payload, dict) else {}
    except (ValueError, RecursionError):
        return None
    return Event(ts, safe_text(data["type"]), actor, payload)


class EventsTail:
    """Follows an append-only events file: each `read_new()` returns only what was appended.

    The first read (and the first after gt prunes the file: it shrinks or is replaced) does
    not read the whole history: it reads backwards from the end, a block at a time, to the
    first line older than `since` (less EVENTS_DISORDER_S, as appends may be slightly out of
    order), and starts there. A last line without its newline is left for the next read,
    since a writer may be mid-append. `bytes_read` counts what the tail has read.
    """

    def __init__(self, path: Path, *, block: int = BLOCK) -> None:
        self.path = path
        self.offset = 0
        self.bad_lines = 0
        self.bytes_read = 0
        self.block = block
        self._inode: int | None = None
        self._started = False

    def read_new(self, since: datetime | None = None) -> list[Event]:
        """Events appended since the last read; on a first read, those from `since` on."""
        try:
            with open_regular(self.path) as handle:
                size = self._rewind_if_replaced(os.fstat(handle.fileno()))
                if not self._started and since is not None:
                    floor = since - timedelta(seconds=EVENTS_DISORDER_S)
                    self.offset = self._start_of_window(handle, size, floor)
                self._started = True
                handle.seek(self.offset)
                chunk = self._read(handle, size - self.offset)
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        return self._parse(complete)

    def _read(self, handle: BinaryIO, size: int) -> bytes:
        data = handle.read(max(0, size))
        self.bytes_read += len(data)
        return data

    def _rewind_if_replaced(self, stat: os.stat_result) -> int:
        if stat.st_ino != self._inode or stat.st_size < self.offset:
            self.offset, self._started = 0, False
        self._inode = stat.st_ino
        return stat.st_size

    def _start_of_window(self, handle: BinaryIO, size: int, floor: datetime) -> int:
        """The offset just past the last complete line dated before `floor`; 0 when none is."""
        pos, pending, found_end = size, b"", False
        while pos > 0:
            start = max(0, pos - self.block)
            handle.seek(start)
            pending = self._read(handle, pos - start) + pending
            pos = start
            if not found_end:  # drop a last line still being written
                pending, found_end = pending[: pending.rfind(b"\n") + 1], b"\n" in pending
            cut = pending.find(b"\n") + 1 if pos > 0 else 0  # the head of a line begun earlier
            at = _last_line_before(pending[cut:], floor)
            if at is not None:
                return pos + cut + at
            pending = pending[:cut]
        return 0

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


def _last_line_before(lines: bytes, floor: datetime) -> int | None:
    """The end (past its newline) of the last line in `lines` dated before `floor`."""
    end = len(lines)
    while end > 0:
        begin = lines.rfind(b"\n", 0, end - 1) + 1
        event = parse_event(lines[begin : end - 1])
        if event is not None and event.ts < floor:
            return end
        end = begin
    return None
