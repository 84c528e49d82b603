"""Buffered bulk writes that keep parents before children, and count what they wrote.

Rows are buffered per (database, table); when any buffer fills, every buffer is flushed,
issue tables first, so a label, event or dependency never reaches a server with
foreign keys before its issue (or its v1.0.5 target) does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .row_writer import CHUNK_ROWS, RowWriter
from .rows import DependencyRow, EventRow, IssueRow

_KINDS = ("issues", "labels", "dependencies", "events")


class BulkSink:
    """Collects issue, label, event and dependency rows and writes them in chunks."""

    def __init__(self, writer: RowWriter, chunk_rows: int = CHUNK_ROWS) -> None:
        self.writer = writer
        self.chunk_rows = chunk_rows
        self.counts: Counter[tuple[str, str]] = Counter()
        self._buffers: dict[tuple[str, str, str], list[Any]] = defaultdict(list)

    def issue(self, database: str, row: IssueRow, table: str = "issues") -> None:
        self._add(database, "issues", table, row)

    def label(self, database: str, issue_id: str, label: str, prefix: str = "") -> None:
        self._add(database, "labels", prefix, (issue_id, label))

    def event(self, database: str, row: EventRow, prefix: str = "") -> None:
        self._add(database, "events", prefix, row)

    def dependency(self, database: str, row: DependencyRow, prefix: str = "") -> None:
        self._add(database, "dependencies", prefix, row)

    def _add(self, database: str, kind: str, where: str, row: Any) -> None:
        buffer = self._buffers[(database, kind, where)]
        buffer.append(row)
        if len(buffer) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, issue tables first."""
        for kind in _KINDS:
            for (database, buffered_kind, where), rows in self._buffers.items():
                if buffered_kind == kind and rows:
                    self._write(database, kind, where, rows)
                    rows.clear()

    def _write(self, database: str, kind: str, where: str, rows: list[Any]) -> None:
        w = self.writer
        if kind == "issues":
            w.add_issues_bulk(database, rows, where)
            table = where
        elif kind == "labels":
            w.add_labels_bulk(database, rows, where)
            table = f"{where}labels"
        elif kind == "events":
            w.add_events_bulk(database, rows, where)
            table = f"{where}events"
        else:
            w.add_dependencies_bulk(database, rows, where)
            table = f"{where}dependencies"
        self.counts[(database, table)] += len(rows)
