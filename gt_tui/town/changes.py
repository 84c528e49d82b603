"""bd's events tables read as a change feed: which beads changed since a watermark.

bd records an event for every write it makes to a bead (created, updated, status_changed,
closed, reopened, label_added, label_removed, …; beads `internal/storage/issueops`), in
`events`, or `wisp_events` for a wisp. The server stamps it (`created_at DEFAULT
CURRENT_TIMESTAMP`) and the column has an index, so the events since a moment name the
beads that changed at a cost that follows the town's writes, not its history.

The watermark is the server's own clock at the last read (`CURRENT_TIMESTAMP`, the very
expression of the column default, so in the frame of the stamps: on older gt the server's
zone, not UTC); it is handed back to the server as it came and never compared with ours.
A quiet town costs the feed no row at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from gt_tui.town.beads import run_union
from gt_tui.town.db import Database, Row, quote_name
from gt_tui.town.schema import BeadsSchema

# Each events table and the table of the beads it records: a bead moved between the two
# (bd's promote/demote) gets a new event in its new table's events.
EVENT_TABLES = {"events": "issues", "wisp_events": "wisps"}
EventTable = tuple[str, str]  # (database, events table)


def event_tables(schema: BeadsSchema, databases: tuple[str, ...]) -> Iterator[EventTable]:
    """Each database's events tables that the schema has, with a `created_at` column."""
    for database in databases:
        for table in EVENT_TABLES:
            if "created_at" in schema.columns.get((database, table), frozenset()):
                yield database, table


def server_now(db: Database) -> Any:
    """The server's clock in the frame it stamps events with (the column default's)."""
    return db.query("SELECT CURRENT_TIMESTAMP")[0][0]


def events_since(
    db: Database, tables: list[EventTable], floor: str, vouched: Iterable[tuple[str, str]] = ()
) -> list[Row]:
    """Every event stamped at or after `floor` (server frame): (database, table, event id,
    issue id, created_at); one query, an index range per table. Its last row is the
    server's clock as it answered, (None, None, None, None, CURRENT_TIMESTAMP): where the
    next read starts.

    The feed vouches that nothing else changed, so the query also names each `vouched`
    (database, table) the readers keep rows of, reading none of its rows: a table gone
    since the last read fails the query as it would fail the readers."""
    parts: list[tuple[str, list[Any]]] = [
        (
            f"SELECT %s AS db, %s AS tbl, id, issue_id, created_at"
            f" FROM {quote_name(database)}.{table} WHERE created_at >= %s",
            [database, table, floor],
        )
        for database, table in tables
    ]
    nothing = "SELECT NULL AS db, NULL AS tbl, NULL AS id, NULL AS issue_id"
    parts += [
        (f"{nothing}, NULL AS created_at FROM {quote_name(database)}.{table} WHERE 1 = 0", [])
        for database, table in vouched
    ]
    parts.append((f"{nothing}, CURRENT_TIMESTAMP AS created_at", []))
    return run_union(db, parts)


def beads_closed_since(
    db: Database, tables: list[EventTable], floor: str
) -> dict[tuple[str, str], set[str]]:
    """The beads with a `closed` event stamped at or after `floor` (server frame), per
    database and beads table: one query, an index range per events table."""
    parts: list[tuple[str, list[Any]]] = [
        (
            f"SELECT %s AS db, %s AS tbl, issue_id FROM {quote_name(database)}.{table}"
            f" WHERE created_at >= %s AND event_type = %s",
            [database, table, floor, "closed"],
        )
        for database, table in tables
    ]
    found: dict[tuple[str, str], set[str]] = {}
    for database, table, issue_id in run_union(db, parts):
        found.setdefault((str(database), EVENT_TABLES[str(table)]), set()).add(str(issue_id))
    return found
