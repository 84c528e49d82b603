"""A damaged history opens up to its last good record, with a one-line warning, never a
traceback: cut short, garbage appended, not SQLite, a garbled or torn record, a lost sample,
another format version."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from snapshots_fixtures import calm_snapshot

from gt_tui.history import HistoryWriter, read_history
from gt_tui.history.store import KEYFRAME_EVERY

RECORDS = 120


@pytest.fixture
def recorded(tmp_path):
    """A history of RECORDS snapshots, each with one new sample, and the snapshots."""
    base, path, snapshots = calm_snapshot(), tmp_path / "h.sqlite", []
    writer = HistoryWriter(path, retention_s=86_400)
    for i in range(RECORDS):
        first = base.metrics[0]
        extra = replace(first.samples[0], subject=f"gt-{i}")
        metrics = (replace(first, samples=(*first.samples, extra)), *base.metrics[1:])
        at = base.generated_at + timedelta(seconds=i)
        snapshots.append(replace(base, generated_at=at, metrics=metrics))
        assert writer.append(snapshots[-1]) is None
    writer.close()
    return path, tuple(snapshots)


def _one_line(warning: str | None) -> str:
    assert warning is not None and "\n" not in warning and "Traceback" not in warning
    return warning


@pytest.mark.parametrize("cut", [1, 700, 4096, 3 * 4096, 0.8])
def test_a_file_cut_short_reads_its_good_records(recorded, cut):
    path, snapshots = recorded
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(int(size * cut) if isinstance(cut, float) else size - cut)
    read = read_history(path)
    assert str(path) in _one_line(read.warning)
    assert 0 < len(read.snapshots) < RECORDS
    assert read.snapshots == snapshots[: len(read.snapshots)]
    assert f"read the {len(read.snapshots)} good records" in read.warning


def test_garbage_after_the_end_is_ignored_with_a_warning(recorded):
    path, snapshots = recorded
    with path.open("ab") as f:
        f.write(b"\x00garbage\xff" * 300)
    read = read_history(path)
    assert read.snapshots == snapshots
    assert "2700 bytes of garbage" in _one_line(read.warning)


@pytest.mark.parametrize(
    "content", [b"", b"not a database at all\n" * 50, b"SQLite format 3\x00" + b"\xff" * 90]
)
def test_a_file_that_is_not_a_history_reads_nothing(tmp_path, content):
    path = tmp_path / "h.sqlite"
    path.write_bytes(content)
    read = read_history(path)
    assert read.snapshots == ()
    assert str(path) in _one_line(read.warning)


def test_a_missing_file_reads_nothing(tmp_path):
    read = read_history(tmp_path / "none.sqlite")
    assert read.snapshots == () and "no such file" in _one_line(read.warning)


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE record SET body = x'28b52ffd0000' WHERE id = ?",  # a torn zstd frame
        "UPDATE record SET body = substr(body, 1, length(body) / 2) WHERE id = ?",
        "UPDATE record SET body = 'text, not a blob' WHERE id = ?",
        "DELETE FROM sample WHERE subject = 'gt-' || ?",  # the sample record 81 added
    ],
)
def test_a_record_that_does_not_decode_stops_the_reading_there(recorded, damage):
    path, snapshots = recorded
    with sqlite3.connect(path) as conn:
        conn.execute(damage, (80,))
    conn.close()
    read = read_history(path)
    warning = _one_line(read.warning)
    assert "does not decode" in warning and "read the" in warning
    assert 0 < len(read.snapshots) <= 80
    assert read.snapshots == snapshots[: len(read.snapshots)]


def test_another_format_version_is_refused_in_one_line(recorded):
    path, _ = recorded
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
    conn.close()
    read = read_history(path)
    assert read.snapshots == () and "format 99" in _one_line(read.warning)


def test_a_lost_keyframe_stops_the_reading_at_the_first_record_that_needs_it(recorded):
    path, snapshots = recorded
    keyframe = KEYFRAME_EVERY + 1  # the second keyframe's record id
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT base FROM record WHERE id = ?", (keyframe,)).fetchone() == (
            None,
        )
        conn.execute("DELETE FROM record WHERE id = ?", (keyframe,))
    conn.close()
    read = read_history(path)
    assert f"keyframe, record {keyframe}, is not in the file" in _one_line(read.warning)
    assert read.snapshots == snapshots[:KEYFRAME_EVERY]
