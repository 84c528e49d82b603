"""Reading a history file back: every good record, oldest first, as full Snapshots.

A damaged file is read up to its last good record: a torn or garbled record, a record naming
a sample the file no longer holds, a file cut short (read from a salvaged in-memory copy,
gt_tui.history.store.open_salvaged), garbage after the end, a file that is not SQLite at all.
What was wrong is one line in `HistoryRead.warning`; nothing here raises for a bad file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import zstandard

from gt_tui.engine.snapshot import Sample, Snapshot
from gt_tui.history.codec import (
    CodecError,
    decode,
    decompress,
    decompressor,
    from_json,
    from_micros,
    micros,
    with_samples,
)
from gt_tui.history.runs import from_runs
from gt_tui.history.store import (
    FormatError,
    bytes_past_end,
    check_format,
    open_for_read,
    open_salvaged,
)


@dataclass(frozen=True)
class HistoryRead:
    """The snapshots read (oldest first) and, when the file was damaged, why it stopped."""

    snapshots: tuple[Snapshot, ...]
    warning: str | None = None


class _BadRecord(Exception):
    """One record that does not decode, and why."""


@dataclass
class _Reading:
    snapshots: list[Snapshot]
    problem: str | None = None
    damaged: bool = False  # SQLite itself failed (not one record): a salvaged copy may do better
    whole: bool = False  # every record was read (the problem is only garbage after them)


def read_history(path: Path, since: datetime | None = None) -> HistoryRead:
    """The snapshots recorded at `path` (those at or after `since`, if given)."""
    if not path.is_file():
        return HistoryRead((), f"history {path}: no such file")
    got = _attempt(lambda: open_for_read(path), since, path)
    if got.damaged:
        salvaged = _attempt(lambda: open_salvaged(path), since, None)
        if len(salvaged.snapshots) > len(got.snapshots):
            got.snapshots = salvaged.snapshots
    if got.problem is None:
        return HistoryRead(tuple(got.snapshots))
    kept = "" if got.whole else f"; read the {len(got.snapshots)} good records before it"
    return HistoryRead(tuple(got.snapshots), f"history {path}: {got.problem}{kept}")


def _attempt(
    connect: Callable[[], sqlite3.Connection], since: datetime | None, path: Path | None
) -> _Reading:
    got = _Reading([])
    try:
        with closing(connect()) as conn:
            check_format(conn)
            _read(conn, since, got.snapshots)
            extra = bytes_past_end(conn, path) if path is not None else 0
            if extra:
                got.problem = f"{extra} bytes of garbage after the database's end, ignored"
                got.whole = True
    except _BadRecord as exc:
        got.problem = str(exc)
    except FormatError as exc:
        got.problem = str(exc)
    except (sqlite3.Error, OSError) as exc:
        got.problem, got.damaged = f"damaged ({_line(exc)})", True
    return got


Row = tuple[int, int | None, int | None, Any]  # id, first_sample, base, body


def _read(conn: sqlite3.Connection, since: datetime | None, into: list[Snapshot]) -> None:
    """Decode the records from `since` into `into`, in order; a damaged table is read up to
    the damage, then its error raised."""
    start = -(2**62) if since is None else micros(since)
    rows: list[Row] = []
    damage: sqlite3.DatabaseError | None = None
    query = "SELECT id, first_sample, base, body FROM record WHERE at_us >= ? ORDER BY id"
    try:
        rows.extend(conn.execute(query, (start,)))
    except sqlite3.DatabaseError as exc:
        damage = exc
    first = min((r[1] for r in rows if isinstance(r[1], int)), default=0)
    samples = _samples(conn, first)
    keyframes = _Keyframes(conn)
    for record_id, _first, base, body in rows:
        try:
            text = keyframes.text(record_id, base, body)
            into.append(_decode_record(text, samples))
        except (CodecError, ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
            raise _BadRecord(f"record {record_id} does not decode ({_line(exc)})") from None
    if damage is not None:
        raise damage


class _Keyframes:
    """The JSON of records, each through its keyframe's dictionary; the last keyframe is
    kept (records come in order), one before the rows read is fetched by id."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._plain = decompressor()
        self._last: tuple[int, zstandard.ZstdDecompressor] | None = None

    def text(self, record_id: int, base: int | None, body: Any) -> bytes:
        if not isinstance(body, bytes):
            raise CodecError("the record's body is not a blob")
        if base is None:
            text = decompress(body, self._plain)
            self._last = (record_id, decompressor(text))
            return text
        if self._last is None or self._last[0] != base:
            self._last = (base, decompressor(self._fetch(base)))
        return decompress(body, self._last[1])

    def _fetch(self, base: int) -> bytes:
        row = self._conn.execute("SELECT body FROM record WHERE id = ?", (base,)).fetchone()
        if row is None or not isinstance(row[0], bytes):
            raise CodecError(f"its keyframe, record {base}, is not in the file")
        return decompress(row[0], self._plain)


def _samples(conn: sqlite3.Connection, first: int) -> dict[int, Sample]:
    """The samples from id `first` on; those before any damage, if damaged (a record naming
    a lost one then stops the reading)."""
    found: dict[int, Sample] = {}
    query = "SELECT id, value, at_us, subject, grp, detail FROM sample WHERE id >= ? ORDER BY id"
    try:
        for r in conn.execute(query, (first,)):
            found[r[0]] = Sample(r[1], from_micros(r[2]), r[3], r[4], r[5])
    except sqlite3.DatabaseError:
        pass
    return found


def _decode_record(text: bytes, samples: dict[int, Sample]) -> Snapshot:
    data = from_json(text)
    snapshot = decode(Snapshot, data["s"])
    if not isinstance(snapshot, Snapshot):
        raise CodecError("the record is not a snapshot")
    windows = [tuple(_sample(samples, i) for i in from_runs(runs)) for runs in data["w"]]
    return with_samples(snapshot, windows)


def _sample(samples: dict[int, Sample], sample_id: int) -> Sample:
    found = samples.get(sample_id)
    if found is None:
        raise CodecError(f"it names sample {sample_id}, which the file does not hold")
    return found


def _line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())
