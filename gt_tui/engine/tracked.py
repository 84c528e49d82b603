"""Server reads that follow the town's change: a change feed, and rows kept across refreshes.

The `ChangeFeed` reads bd's events tables (town/changes.py) from a watermark and names the
beads that changed since the last refresh. A `TrackedRows` holds one reader's rows: read
once in full (or through a window), then only the changed beads are read again and merged
in, so a steady refresh costs what the town wrote, not what it ever held.

Rows are read in full when the feed has no baseline: the first refresh, and whenever the
schema is read afresh (its L2 entry, every 15 minutes, and on a cache clear), which also
heals what no event announces (a bead deleted outright, a stamp from a skewed clock). They
are also read in full after a failed read, and when more beads changed than a full read
costs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar, cast

from gt_tui.engine.tmux_listing import TmuxListing
from gt_tui.town.changes import EVENT_TABLES, EventTable, event_tables, events_since, server_now
from gt_tui.town.db import Database, Row, sql_time, utc
from gt_tui.town.schema import BeadsSchema

# An event is stamped when bd writes it, and seen once its transaction commits: events
# stamped up to MARGIN before the last read are read again (and told apart by their id).
MARGIN = timedelta(seconds=10)
# Beyond this many changed beads in one refresh, a full read is cheaper than the lookups.
MAX_CHANGED = 2_000

ChangedIds = Mapping[tuple[str, str], frozenset[str]]  # (database, beads table) -> ids


@dataclass(frozen=True)
class Changes:
    """The beads that changed since the feed's previous read, per database and table."""

    at: datetime  # the refresh that read them
    ids: ChangedIds
    overflow: bool = False  # too many to look up: read in full


class ChangeFeed:
    """A watermark over each database's `events` and `wisp_events`; one query a refresh."""

    def __init__(self) -> None:
        self._last: datetime | None = None  # the server's clock at the last read
        self._seen: dict[tuple[str, str, str], datetime] = {}  # event key -> created_at
        self._schema: BeadsSchema | None = None  # the schema of the baseline

    def read(
        self, db: Database, schema: BeadsSchema, databases: tuple[str, ...], now: datetime
    ) -> Changes | None:
        """The changes since the last read; None when there is no baseline to read from
        (this read sets it: readers read in full this time)."""
        tables = list(event_tables(schema, databases))
        if not tables:
            return None
        if schema is not self._schema or self._last is None:  # first, or resync
            self._baseline(db, tables)
            self._schema = schema
            return None
        vouched = [
            (database, table)
            for database in databases
            for pair in schema.issue_tables(database)
            for table in pair
        ]
        rows = events_since(db, tables, sql_time(self._last - MARGIN), vouched)
        changed: dict[tuple[str, str], set[str]] = {}
        for key, issue_id in self._take(rows):
            changed.setdefault((key[0], EVENT_TABLES[key[1]]), set()).add(issue_id)
        ids = {table: frozenset(found) for table, found in changed.items()}
        return Changes(now, ids, overflow=sum(map(len, ids.values())) > MAX_CHANGED)

    def _baseline(self, db: Database, tables: list[EventTable]) -> None:
        """The server's clock, and the events inside the margin before it taken as seen:
        the full reads of this refresh come after them."""
        self._seen.clear()
        start = _stamp(server_now(db))
        self._last = None
        if start is not None:
            list(self._take(events_since(db, tables, sql_time(start - MARGIN))))

    def _take(self, rows: list[Row]) -> Iterator[tuple[tuple[str, str, str], str]]:
        """The events not seen before (marked seen now), and the server's clock from the
        query's last row as the next watermark; what is older than it forgotten."""
        for database, table, event_id, issue_id, created_at in rows:
            stamp = _stamp(created_at)
            if database is None:  # the clock's row
                self._last = stamp or self._last
                continue
            key = (str(database), str(table), str(event_id))
            if key in self._seen:
                continue
            if stamp is not None:  # an unreadable stamp names its bead, is never kept
                self._seen[key] = stamp
            yield key, str(issue_id)
        if self._last is not None:
            floor = self._last - MARGIN
            self._seen = {k: at for k, at in self._seen.items() if at >= floor}


def _stamp(value: object) -> datetime | None:
    """An event's `created_at` (or the server's clock) as the feed compares it (None:
    none, or unreadable)."""
    try:
        return utc(value)
    except ValueError:
        return None


RowKey = tuple[str, str]  # (database, bead id)
T = TypeVar("T")


@dataclass
class TrackedRows:
    """One reader's rows, kept across refreshes and brought up to date from the changes.

    `key` names a row's bead; `keep`, where given, drops rows that left the reader's window
    as time went by (a patrol closed before the window) without the server being asked.
    `version` moves whenever the rows may have changed: what a reader derives from them
    stands while it stays (engine/readers/work.py's patrol cycles).
    """

    key: Callable[[Row], RowKey]
    _rows: dict[RowKey, Row] = field(default_factory=dict)
    _schema: BeadsSchema | None = None
    version: int = 0
    _sorted: list[Row] | None = None  # the rows in key order, while `version` stays
    _derived: tuple[int, object] | None = None  # (version, what `derive` built at it)

    def read(
        self,
        schema: BeadsSchema,
        changes: Changes | None,
        full: Callable[[], list[Row]],
        changed: Callable[[ChangedIds], list[Row]],
        keep: Callable[[Row], bool] | None = None,
    ) -> list[Row]:
        """The rows now: `full()` when there is nothing to build on, else the old rows with
        the changed beads read again through `changed(ids)` (rows that no longer match are
        gone from what it returns). A failed read leaves the next one to read in full."""
        try:
            if changes is None or changes.overflow or schema is not self._schema:
                self._rows = {self.key(row): row for row in full()}
                self._schema = schema
                self._moved()
            elif changes.ids:
                fresh = changed(changes.ids)
                for (database, _table), ids in changes.ids.items():
                    for bead in ids:
                        self._rows.pop((database, bead), None)
                self._rows.update((self.key(row), row) for row in fresh)
                self._moved()
        except Exception:
            self._schema = None
            self._moved()
            raise
        if keep is not None:
            kept = {k: row for k, row in self._rows.items() if keep(row)}
            if len(kept) != len(self._rows):
                self._rows = kept
                self._moved()
        if self._sorted is None:
            self._sorted = [self._rows[k] for k in sorted(self._rows)]
        return list(self._sorted)

    def derive(self, build: Callable[[], T], stands: Callable[[T], bool]) -> T:
        """What `build()` makes of the rows, built again only when they moved since the last
        build, or when `stands(last)` says the last one no longer holds (one per rows)."""
        memo = self._derived
        if memo is not None and memo[0] == self.version and stands(cast(T, memo[1])):
            return cast(T, memo[1])
        value = build()
        self._derived = (self.version, value)
        return value

    def _moved(self) -> None:
        self.version += 1
        self._sorted = None


def by_database_and_id(database_at: int, id_at: int) -> Callable[[Row], RowKey]:
    """A row key from the row's database and bead id columns."""
    return lambda row: (str(row[database_at]), str(row[id_at]))


@dataclass
class Tracking:
    """The engine's long-lived change state: the feed, its latest changes, one
    `TrackedRows` per reader that keeps rows, and what the signals of the sources on a
    cadence (engine/cadence.py) compare with: the beads the convoy view rests on, the
    polecats and file marks of the files reader's last read, and the tmux listing."""

    feed: ChangeFeed = field(default_factory=ChangeFeed)
    latest: Changes | None = None
    backlog: TrackedRows = field(default_factory=lambda: TrackedRows(by_database_and_id(0, 1)))
    patrols: TrackedRows = field(default_factory=lambda: TrackedRows(by_database_and_id(0, 1)))
    queue: TrackedRows = field(default_factory=lambda: TrackedRows(by_database_and_id(0, 2)))
    merge_requests: TrackedRows = field(
        default_factory=lambda: TrackedRows(by_database_and_id(0, 1))
    )
    # Per database, the bead ids the convoy view rests on (None: all); None: not read yet.
    convoy_watch: Mapping[str, frozenset[str] | None] | None = None
    files_seen: tuple[list[tuple[str, str]], Hashable] | None = None  # (polecats, file marks)
    tmux_seen: TmuxListing | None = None  # the tmux sessions last listed, and the server's mark

    def changes(self, now: datetime) -> Changes | None:
        """This refresh's changes; None when the feed was not read this refresh."""
        latest = self.latest
        return latest if latest is not None and latest.at == now else None
