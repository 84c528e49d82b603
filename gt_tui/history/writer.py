"""Appending snapshots to a history file: one small transaction per refresh.

Samples already stored (those of the previous snapshot's windows) are named by id, not stored
again; a record is compressed against its keyframe (gt_tui.history.store). Records older
than the retention are pruned every PRUNE_EVERY appends, with the samples no kept record
names. A failing disk never raises: `append` returns a one-line reason, closes
the file, and the next append opens it again, so recording resumes by itself.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import zstandard

from gt_tui.engine.snapshot import Sample, Snapshot
from gt_tui.history.codec import compressor, encode, micros, to_json, without_samples
from gt_tui.history.runs import to_runs
from gt_tui.history.store import KEYFRAME_EVERY, FormatError, open_for_append

_Same = dict[
    int, tuple[Sample, int]
]  # id(sample) -> (the sample, held so its id stays its own; row)
PRUNE_EVERY = 300  # appends between two prunes (and one on the first append)

_INSERT_SAMPLE = "INSERT INTO sample (value, at_us, subject, grp, detail) VALUES (?, ?, ?, ?, ?)"
_INSERT_RECORD = "INSERT INTO record (at_us, first_sample, base, body) VALUES (?, ?, ?, ?)"
# Old records go, except a keyframe a kept record is compressed against.
_PRUNE_RECORDS = (
    "DELETE FROM record WHERE at_us < ? AND id < coalesce("
    "(SELECT min(coalesce(base, id)) FROM record WHERE at_us >= ?), 1 << 62)"
)
_PRUNE_SAMPLES = (
    "DELETE FROM sample WHERE id < (SELECT coalesce(min(first_sample), 1 << 62) FROM record)"
)


class HistoryWriter:
    """Appends snapshots to the history at `path`, keeping `retention_s` seconds of them."""

    def __init__(self, path: Path, retention_s: float) -> None:
        self.path = path
        self.retention_s = retention_s
        self._conn: sqlite3.Connection | None = None
        self._known: dict[Sample, int] = {}  # the last snapshot's samples, by their id
        self._same: _Same = {}  # the same, by identity: the engine's windows keep their objects
        self._appends = 0
        self._keyframe: tuple[int, zstandard.ZstdCompressor] | None = None
        self._since_keyframe = 0
        self._lock = threading.Lock()  # refreshes may come from more than one worker thread

    def append(self, snapshot: Snapshot) -> str | None:
        """Store `snapshot`; None when stored, else why not, in one line."""
        with self._lock:
            try:
                conn = self._connection()
                with conn:
                    self._insert(conn, snapshot)
                    if self._appends % PRUNE_EVERY == 0:
                        self._prune(conn, snapshot)
                self._appends += 1
                return None
            except (sqlite3.Error, OSError, FormatError) as exc:
                self._drop()
                return f"history {self.path}: {_reason(exc)}"

    def close(self) -> None:
        """Close the file (an append after it opens it again)."""
        with self._lock:
            self._drop()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_for_append(self.path)
            self._appends = 0
        return self._conn

    def _drop(self) -> None:
        self._known, self._same, self._keyframe = {}, {}, None
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _insert(self, conn: sqlite3.Connection, snapshot: Snapshot) -> None:
        known: dict[Sample, int] = {}
        same: _Same = {}
        windows = []
        for metric in snapshot.metrics:
            ids = [self._sample_id(conn, s, known, same) for s in metric.samples]
            windows.append(to_runs(ids))
        text = to_json({"s": encode(without_samples(snapshot)), "w": windows})
        first, at = min(known.values(), default=None), micros(snapshot.generated_at)
        if self._keyframe is None or self._since_keyframe >= KEYFRAME_EVERY - 1:
            body = compressor().compress(text)
            row = conn.execute(_INSERT_RECORD, (at, first, None, body)).lastrowid
            self._keyframe, self._since_keyframe = (int(row or 0), compressor(text)), 0
        else:
            base, using = self._keyframe
            conn.execute(_INSERT_RECORD, (at, first, base, using.compress(text)))
            self._since_keyframe += 1
        self._known, self._same = known, same

    def _sample_id(
        self, conn: sqlite3.Connection, sample: Sample, known: dict[Sample, int], same: _Same
    ) -> int:
        """The sample's row id: the one stored for it (by identity first, as hashing a
        dataclass costs more), else a new row."""
        hit = same.get(id(sample)) or self._same.get(id(sample))
        if hit is not None and hit[0] is sample:
            found = hit[1]
        else:
            found = known.get(sample) or self._known.get(sample) or self._store(conn, sample)
        known[sample] = found
        same[id(sample)] = (sample, found)
        return found

    def _store(self, conn: sqlite3.Connection, sample: Sample) -> int:
        row = (sample.value, micros(sample.at), sample.subject, sample.group, sample.detail)
        return int(conn.execute(_INSERT_SAMPLE, row).lastrowid or 0)

    def _prune(self, conn: sqlite3.Connection, snapshot: Snapshot) -> None:
        cutoff = micros(snapshot.generated_at) - int(self.retention_s * 1_000_000)
        conn.execute(_PRUNE_RECORDS, (cutoff, cutoff))
        conn.execute(_PRUNE_SAMPLES)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
