"""Tailing `.events.jsonl`: only new lines, partial lines wait, bad lines counted, rewinds."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gt_tui.sandbox.event_log import append_event_line
from gt_tui.town.events import Event, EventsTail, parse_event

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


def line(type: str, second: int, actor: str = "mayor", **payload: str) -> str:
    ts = T0.replace(second=second).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = {"ts": ts, "source": "gt", "type": type, "actor": actor, "payload": payload}
    return json.dumps(record | {"visibility": "feed"}) + "\n"


def append(path: Path, text: str | bytes) -> None:
    with path.open("ab") as handle:
        handle.write(text.encode() if isinstance(text, str) else text)


@pytest.fixture
def events(tmp_path: Path) -> Path:
    return tmp_path / ".events.jsonl"


def test_parse_event_fields() -> None:
    event = parse_event(line("spawn", 7, "gt", rig="gastown", polecat="Toast").encode())
    assert event == Event(
        T0.replace(second=7), "spawn", "gt", {"rig": "gastown", "polecat": "Toast"}
    )


def test_missing_file_reads_nothing(events: Path) -> None:
    tail = EventsTail(events)
    assert tail.read_new() == []
    assert (tail.offset, tail.bad_lines) == (0, 0)


def test_reads_only_what_was_appended(events: Path) -> None:
    append(events, line("sling", 1) + line("spawn", 2))
    tail = EventsTail(events)
    assert [e.type for e in tail.read_new()] == ["sling", "spawn"]
    assert tail.read_new() == []
    append(events, line("session_start", 3))
    assert [(e.type, e.ts.second) for e in tail.read_new()] == [("session_start", 3)]
    assert tail.offset == events.stat().st_size


def test_writer_lines_read_back(events: Path) -> None:
    append_event_line(events.parent, "spawn", "gt", {"rig": "gastown", "polecat": "Nux"}, T0)
    [event] = EventsTail(events).read_new()
    assert (event.type, event.actor, event.ts, event.payload["polecat"]) == (
        "spawn",
        "gt",
        T0,
        "Nux",
    )


def test_partial_last_line_waits_for_its_newline(events: Path) -> None:
    whole = line("done", 4)
    append(events, line("hook", 3) + whole[:20])
    tail = EventsTail(events)
    assert [e.type for e in tail.read_new()] == ["hook"]
    assert tail.offset == len(line("hook", 3))
    assert tail.read_new() == []  # still no newline
    append(events, whole[20:])
    assert [e.type for e in tail.read_new()] == ["done"]
    assert tail.bad_lines == 0


def test_bad_lines_are_skipped_and_counted(events: Path) -> None:
    bad = [
        "not json\n",
        "[1, 2]\n",
        '"a string"\n',
        '{"type": "spawn", "actor": "gt"}\n',  # no ts
        '{"ts": "yesterday", "type": "spawn"}\n',
        '{"ts": "2026-03-02T12:00:00Z", "type": 5}\n',
    ]
    append(events, line("sling", 1) + "".join(bad) + "\n   \n")
    append(events, b'{"ts": "\xff"}\n' + line("spawn", 2).encode())
    tail = EventsTail(events)
    assert [e.type for e in tail.read_new()] == ["sling", "spawn"]
    assert tail.bad_lines == 7  # blank lines are not bad lines
    append(events, "{oops\n")
    assert tail.read_new() == []
    assert tail.bad_lines == 8


def test_payload_that_is_not_an_object_becomes_empty(events: Path) -> None:
    append(events, '{"ts": "2026-03-02T12:00:00Z", "type": "mail", "payload": [1]}\n')
    [event] = EventsTail(events).read_new()
    assert (event.payload, event.actor) == ({}, "")


def test_truncated_file_is_read_from_the_start(events: Path) -> None:
    append(events, line("sling", 1) + line("spawn", 2) + line("hook", 3))
    tail = EventsTail(events)
    assert len(tail.read_new()) == 3
    events.write_text(line("done", 9))  # pruned in place: same inode, smaller
    assert [e.type for e in tail.read_new()] == ["done"]
    assert tail.offset == len(line("done", 9))


def test_replaced_file_is_read_from_the_start(events: Path) -> None:
    append(events, line("sling", 1))
    tail = EventsTail(events)
    assert len(tail.read_new()) == 1
    fresh = events.with_name("new.jsonl")
    fresh.write_text(line("kill", 5) + line("nudge", 6) + line("boot", 7))  # larger than before
    os.replace(fresh, events)
    assert [e.type for e in tail.read_new()] == ["kill", "nudge", "boot"]
