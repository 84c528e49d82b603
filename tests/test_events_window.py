"""The events history is not read whole at start: the tail seeks back to the window.

`EventsTail.read_new(since)` reads backwards from the end, a block at a time, to the first
line older than `since` (less EVENTS_DISORDER_S), then tails as before. Its `bytes_read`
must stay a small fraction of a large file, and the in-window figures must be exact.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from clock import FakeClock
from test_engine import Towns
from towns import NOW, add_known_events, ago

from gt_tui.health import EVENTS_DISORDER_S, SPAWN_LOOKBACK_S, Health
from gt_tui.town.events import EventsTail

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

SINCE = ago(NOW, 900)


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path):
    made = Towns(request, tmp_path)
    yield made
    made.close()


def line(actor: str, at: datetime, type: str = "nudge", **payload: str) -> bytes:
    ts = at.isoformat().replace("+00:00", "Z")
    return json.dumps({"ts": ts, "type": type, "actor": actor, "payload": payload}).encode() + b"\n"


def history(count: int, newest: datetime) -> bytes:
    """`count` old lines, one a second, the last at `newest` (the way gt appends them)."""
    start = newest - timedelta(seconds=count - 1)
    return b"".join(line("mayor", start + timedelta(seconds=i), n=str(i)) for i in range(count))


def test_a_large_history_is_not_read_at_start(towns: Towns) -> None:
    built = towns.make("sqlite")
    events = built.root / ".events.jsonl"
    events.write_bytes(history(200_000, ago(NOW, 7200)))
    add_known_events(built, NOW)  # test_engine's spawn figures, appended after the history
    engine = towns.engine(built.town(), FakeClock())
    spawn = engine.refresh().metric("polecat_spawn")
    assert (spawn.count, spawn.p50, spawn.max, spawn.health) == (
        3,
        8.0,
        20.0,
        Health.WARNING,
    )  # few: median
    assert spawn.p95 == pytest.approx(18.8)
    size = events.stat().st_size
    assert size > 15_000_000
    assert engine.events.bytes_read < size / 50, (engine.events.bytes_read, size)


def test_starts_at_the_window_and_then_tails(tmp_path: Path) -> None:
    path = tmp_path / ".events.jsonl"
    late = ago(SINCE, EVENTS_DISORDER_S / 2)  # older than the window, but only slightly
    path.write_bytes(
        history(2000, ago(SINCE, 3600))
        + line("in-a", ago(NOW, 800))
        + line("late", late)
        + line("in-b", ago(NOW, 10))
        + b'{"ts": "2026-03-02T12:00:00Z", "type": "par'  # a line still being written
    )
    tail = EventsTail(path, block=256)
    assert [e.actor for e in tail.read_new(SINCE)] == ["in-a", "late", "in-b"]
    assert tail.bytes_read < path.stat().st_size / 20
    with path.open("ab") as handle:
        handle.write(b'tial", "actor": "in-c"}\n')
    assert [e.actor for e in tail.read_new(SINCE)] == ["in-c"]


def test_a_replaced_file_is_sought_again(tmp_path: Path) -> None:
    path = tmp_path / ".events.jsonl"
    path.write_bytes(history(500, ago(NOW, 100)))
    tail = EventsTail(path, block=512)
    assert len(tail.read_new(SINCE)) == 500  # all of them are in the window
    replaced = tmp_path / "new"
    replaced.write_bytes(history(3000, ago(SINCE, 4000)) + line("fresh", ago(NOW, 5)))
    replaced.replace(path)  # gt's pruning writes a new file
    before = tail.bytes_read
    assert [e.actor for e in tail.read_new(SINCE)] == ["fresh"]
    assert tail.bytes_read - before < path.stat().st_size / 10


def test_every_line_in_the_window_when_nothing_is_older(tmp_path: Path) -> None:
    path = tmp_path / ".events.jsonl"
    path.write_bytes(b"garbage\n" + history(300, ago(NOW, 1)) + b"[" * 5000 + b"\n")
    tail = EventsTail(path, block=100)
    assert len(tail.read_new(SINCE)) == 300 and tail.bad_lines == 2


def test_a_spawn_before_the_window_still_pairs(towns: Towns) -> None:
    """The lookback: a spawn SPAWN_LOOKBACK_S / 2 before the window start is read at start."""
    built = towns.make("sqlite")
    spawned = ago(SINCE, SPAWN_LOOKBACK_S / 2)
    (built.root / ".events.jsonl").write_bytes(
        history(50_000, ago(NOW, 86_400))
        + line("gt", spawned, "spawn", rig="gastown", polecat="Toast")
        + line("gastown/polecats/Toast", ago(NOW, 60), "session_start")
    )
    spawn = towns.engine(built.town(), FakeClock()).refresh().metric("polecat_spawn")
    assert [s.value for s in spawn.samples] == [(ago(NOW, 60) - spawned).total_seconds()]
