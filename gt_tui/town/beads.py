"""The beads queries the engine runs each refresh: a constant number, whatever the town's size.

Each function is one round trip. Where the data spans databases or the issues/wisps twin
tables, the parts are joined with UNION ALL into that one statement.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from gt_tui.town.db import Database, Row, quote_name, sql_time, utc
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema

ACK_PREFIX = "delivery-acked-at:"
PATROL_TITLE = "mol-%-patrol%"
PATROL_DONE = "patrol cycle complete%"
ACK_MARGIN = timedelta(minutes=1)

# (database, beads table) -> the ids of the beads to read there (the changed ones)
Only = Mapping[tuple[str, str], Collection[str]]


def ack_time(label: object) -> datetime | None:
    """The moment of a `delivery-acked-at:<RFC 3339>` label; ValueError where it is none."""
    return utc(str(label)[len(ACK_PREFIX) :])


def _union(parts: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({text}) AS part{i}" for i, (text, _) in enumerate(parts)
    )
    return sql, [param for _, params in parts for param in params]


def run_union(db: Database, parts: list[tuple[str, list[Any]]]) -> list[Row]:
    if not parts:
        return []
    sql, params = _union(parts)
    return db.query(sql, params)


def only_ids(
    alias: str, database: str, table: str, only: Only | None
) -> tuple[str, list[str]] | None:
    """A part's restriction to the beads that changed: `("", [])` to read everything,
    `(" AND a.id IN (…)", ids)` for the changed beads of `database`.`table` (primary-key
    lookups), None when none of them changed (the part is left out)."""
    if only is None:
        return "", []
    ids = sorted(only.get((database, table), ()))
    if not ids:
        return None
    return f" AND {alias}.id IN ({', '.join(['%s'] * len(ids))})", ids


def each_issue_table(
    schema: BeadsSchema, databases: Iterable[str]
) -> Iterator[tuple[str, str, str, str]]:
    """(database, its quoted name, issues table, labels table) for each twin where present."""
    for database in databases:
        for issues, labels in schema.issue_tables(database):
            yield database, quote_name(database), issues, labels


def each_changed_table(
    schema: BeadsSchema, databases: Iterable[str], alias: str, only: Only | None
) -> Iterator[tuple[str, str, str, str, str, list[str]]]:
    """`each_issue_table` with each part's restriction to the changed beads (`only_ids`):
    (database, quoted name, issues, labels, restriction SQL, its ids). Tables where no bead
    changed are left out."""
    for database, q, issues, labels in each_issue_table(schema, databases):
        ids = only_ids(alias, database, issues, only)
        if ids is not None:
            yield database, q, issues, labels, *ids


def mail_acks(db: Database, schema: BeadsSchema, hq: str, since: datetime) -> list[Row]:
    """Messages acked since `since`: (id, created_at, ack label, assignee).

    gt writes the ack time as RFC3339 UTC, which sorts as text, so the window is a range of
    the `label` index (`delivery-acked-at:<since>` up to the prefix's end) that drives the
    query: its cost follows the acks in the window, not every message ever sent. The
    collector re-checks each time exactly.
    """
    floor = ACK_PREFIX + (since - ACK_MARGIN).strftime("%Y-%m-%dT%H:%M:%S")
    ceiling = ACK_PREFIX[:-1] + chr(ord(ACK_PREFIX[-1]) + 1)  # just past every ack label
    parts = [
        (
            f"SELECT m.id, m.created_at, a.label, m.assignee FROM {q}.{labels} a"
            f" JOIN {q}.{issues} m ON m.id = a.issue_id"
            f" WHERE a.label >= %s AND a.label < %s AND EXISTS (SELECT 1 FROM {q}.{labels} g"
            f" WHERE g.issue_id = m.id AND g.label = %s)",
            [floor, ceiling, "gt:message"],
        )
        for _, q, issues, labels in each_issue_table(schema, [hq])
    ]
    return run_union(db, parts)


def mail_backlog(db: Database, schema: BeadsSchema, hq: str, only: Only | None = None) -> list[Row]:
    """Messages still `delivery:pending`, never acked, not closed, in both tables:
    (database, id). With `only`, just those of these beads."""
    parts = [
        (
            f"SELECT %s AS db, m.id FROM {q}.{issues} m"
            f" JOIN {q}.{labels} g ON g.issue_id = m.id AND g.label = %s"
            f" JOIN {q}.{labels} p ON p.issue_id = m.id AND p.label = %s"
            f" WHERE m.status <> %s AND NOT EXISTS (SELECT 1 FROM {q}.{labels} k"
            f" WHERE k.issue_id = m.id AND k.label = %s){where}",
            [database, "gt:message", "delivery:pending", "closed", "delivery:acked", *ids],
        )
        for database, q, issues, labels, where, ids in each_changed_table(schema, [hq], "m", only)
    ]
    return run_union(db, parts)


def patrols(
    db: Database,
    schema: BeadsSchema,
    databases: tuple[str, ...],
    since: datetime,
    only: Only | None = None,
    *,
    running: bool = False,
) -> list[Row]:
    """Patrol root wisps completed since `since`, and those still open (hooked).

    With `only`, just those of these beads (primary-key lookups); with `running` too, every
    hooked patrol besides (a range of the `status` index). Without either, a scan of the
    titles. Rows: (database, id, assignee, title, status, created_at, closed_at).
    """
    select = "SELECT %s AS db, p.id, p.assignee, p.title, p.status, p.created_at, p.closed_at"
    parts: list[tuple[str, list[Any]]] = [
        (
            f"{select} FROM {q}.{issues} p WHERE p.title LIKE %s AND ((p.close_reason"
            f" LIKE %s AND p.closed_at >= %s) OR p.status = %s){where}",
            [database, PATROL_TITLE, PATROL_DONE, sql_time(since), "hooked", *ids],
        )
        for database, q, issues, _, where, ids in each_changed_table(schema, databases, "p", only)
    ]
    if running:
        parts += [
            (
                f"{select} FROM {q}.{issues} p WHERE p.status = %s AND p.title LIKE %s",
                [database, "hooked", PATROL_TITLE],
            )
            for database, q, issues, _ in each_issue_table(schema, databases)
        ]
    return run_union(db, parts)


# gt's open convoy is `status = 'open'`; newer gt stages convoys (`staged_ready`,
# `staged_warnings`) before launch. Both are read, and told apart by their status.
CONVOY_STATUS = "(c.status = %s OR c.status LIKE %s)"
CONVOY_STATUS_PARAMS = ["open", "staged_%"]


def open_convoys(db: Database, schema: BeadsSchema, hq: str) -> list[Row]:
    """Open and staged convoys with each tracked target: (id, title, status, created_at,
    target)."""
    q = quote_name(hq)
    if not schema.has(hq, "issues"):
        return []
    join = ""
    target = "NULL"
    if schema.has(hq, "dependencies"):
        target = schema.dependency_target(hq)
        join = f" LEFT JOIN {q}.dependencies d ON d.issue_id = c.id AND d.type = %s"
    sql = (
        f"SELECT c.id, c.title, c.status, c.created_at, {target} FROM {q}.issues c{join}"
        f" WHERE c.issue_type = %s AND {CONVOY_STATUS} ORDER BY c.created_at, c.id"
    )
    params = (["tracks"] if join else []) + ["convoy", *CONVOY_STATUS_PARAMS]
    return db.query(sql, params)


def tracked_issues(db: Database, schema: BeadsSchema, town: Town) -> list[Row]:
    """Every issue an open (or staged) convoy tracks, resolved to its rig's database through
    the prefix.

    Rows: (convoy id, issue id, status, assignee, database).
    """
    hq = town.hq_database
    if not (schema.has(hq, "issues") and schema.has(hq, "dependencies")):
        return []
    target = schema.dependency_target(hq)
    q = quote_name(hq)
    convoy = (
        f" FROM {q}.dependencies d JOIN {q}.issues c ON c.id = d.issue_id"
        f" AND c.issue_type = %s AND {CONVOY_STATUS}"
    )
    head = ["convoy", *CONVOY_STATUS_PARAMS]
    parts: list[tuple[str, list[Any]]] = [
        (
            f"SELECT d.issue_id, i.id, i.status, i.assignee, %s AS db{convoy}"
            f" JOIN {q}.issues i ON i.id = {target} WHERE d.type = %s",
            [hq, *head, "tracks"],
        )
    ]
    for rig in town.rigs:
        if not schema.has(rig.database, "issues"):
            continue
        marker = f"external:{rig.prefix}:"
        parts.append(
            (
                f"SELECT d.issue_id, i.id, i.status, i.assignee, %s AS db{convoy}"
                f" JOIN {quote_name(rig.database)}.issues i ON i.id = SUBSTR({target}, %s)"
                f" WHERE d.type = %s AND {target} LIKE %s",
                [rig.database, *head, len(marker) + 1, "tracks", marker + "%"],
            )
        )
    return run_union(db, parts)


def merge_requests(
    db: Database, schema: BeadsSchema, databases: tuple[str, ...], only: Only | None = None
) -> list[Row]:
    """Open merge requests (label `gt:merge-request`): (database, id, created_at). With
    `only`, just those of these beads."""
    parts = [
        (
            f"SELECT %s AS db, m.id, m.created_at FROM {q}.{issues} m"
            f" JOIN {q}.{labels} l ON l.issue_id = m.id AND l.label = %s"
            f" WHERE m.status <> %s{where}",
            [database, "gt:merge-request", "closed", *ids],
        )
        for database, q, issues, labels, where, ids in each_changed_table(
            schema, databases, "m", only
        )
    ]
    return run_union(db, parts)


def agents(db: Database, schema: BeadsSchema, databases: tuple[str, ...]) -> list[Row]:
    """Agent beads (label `gt:agent`, in either table): (database, id, title, status)."""
    parts = [
        (
            f"SELECT %s AS db, a.id, a.title, a.status FROM {q}.{issues} a"
            f" JOIN {q}.{labels} l ON l.issue_id = a.id AND l.label = %s",
            [database, "gt:agent"],
        )
        for database, q, issues, labels in each_issue_table(schema, databases)
    ]
    return run_union(db, parts)
