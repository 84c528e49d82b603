"""Beads rows in bulk, on either backend: issues, labels, events, dependencies, in chunks.

Dates go in as aware UTC datetimes (see `rows`). Ids of events and v1.0.5 dependency rows
are UUIDs made here from the writer's random source, so a seeded writer repeats itself.
`writer.BeadsWriter` builds bd's and gt's operations on these.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from gt_tui.town.db import Database, quote_name

from .beads_tables import VARIANTS
from .rows import (
    BASE36,
    ISSUE_COLUMNS,
    DependencyRow,
    EventRow,
    IssueRow,
    aux_prefix,
    db_time,
    target_columns,
)
from .schema import insert_ignore

CHUNK_ROWS = 1000


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class RowWriter:
    """Writes beads rows, in bulk, into one Database holding the town's databases.

    `hq` names the town database (mail, convoys, patrols live there); `variant` is the
    dependency layout of every database written; `rng` makes ids and UUIDs repeatable.
    """

    def __init__(
        self,
        db: Database,
        *,
        hq: str = "hq",
        variant: str = "v1.0.0",
        rng: random.Random | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown beads schema variant {variant!r}; use one of {VARIANTS}")
        self.db = db
        self.hq = hq
        self.variant = variant
        self.rng = rng or random.Random()
        self.chunk_rows = chunk_rows

    # ---- ids -------------------------------------------------------------------------

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_id(self, prefix: str, *, wisp: bool = False, length: int = 8) -> str:
        """A bd-style id `<prefix>-<base36>` (or `<prefix>-wisp-<base36>`)."""
        tail = "".join(self.rng.choice(BASE36) for _ in range(length))
        return f"{prefix}-wisp-{tail}" if wisp else f"{prefix}-{tail}"

    # ---- bulk ------------------------------------------------------------------------

    def add_issues_bulk(
        self, database: str, rows: Iterable[IssueRow], table: str = "issues"
    ) -> int:
        aux_prefix(table)
        names = ", ".join(f"`{c}`" for c in ISSUE_COLUMNS)
        marks = ", ".join(["%s"] * len(ISSUE_COLUMNS))
        sql = f"INSERT INTO {quote_name(database)}.`{table}` ({names}) VALUES ({marks})"
        return self._many(sql, (row.values() for row in rows))

    def add_labels_bulk(
        self, database: str, rows: Iterable[tuple[str, str]], table_prefix: str = ""
    ) -> int:
        sql = (
            f"{insert_ignore(self.db)} INTO {self._table(database, table_prefix, 'labels')}"
            " (`issue_id`, `label`) VALUES (%s, %s)"
        )
        return self._many(sql, rows)

    def add_events_bulk(
        self, database: str, rows: Iterable[EventRow], table_prefix: str = ""
    ) -> int:
        sql = (
            f"INSERT INTO {self._table(database, table_prefix, 'events')} (`id`, `issue_id`,"
            " `event_type`, `actor`, `old_value`, `new_value`, `comment`, `created_at`)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )
        return self._many(sql, (self._event_values(e) for e in rows))

    def _event_values(self, e: EventRow) -> tuple[Any, ...]:
        return (
            self.new_uuid(),
            e.issue_id,
            e.event_type,
            e.actor,
            e.old_value,
            e.new_value,
            e.comment,
            db_time(e.created_at),
        )

    def add_dependencies_bulk(
        self, database: str, rows: Iterable[DependencyRow], table_prefix: str = ""
    ) -> int:
        table = self._table(database, table_prefix, "dependencies")
        if self.variant == "v1.0.0":
            sql = (
                f"INSERT INTO {table} (`issue_id`, `depends_on_id`, `type`, `created_at`,"
                " `created_by`) VALUES (%s, %s, %s, %s, %s)"
            )
            values: Iterable[Sequence[Any]] = (
                (d.issue_id, d.target, d.type, db_time(d.created_at), d.created_by) for d in rows
            )
        else:
            sql = (
                f"INSERT INTO {table} (`id`, `issue_id`, `type`, `created_at`, `created_by`,"
                " `depends_on_issue_id`, `depends_on_wisp_id`, `depends_on_external`)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            )
            values = (self._split_dep_values(d) for d in rows)
        return self._many(sql, values)

    def _split_dep_values(self, d: DependencyRow) -> tuple[Any, ...]:
        head = (self.new_uuid(), d.issue_id, d.type, db_time(d.created_at), d.created_by)
        return (*head, *target_columns(d.target))

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        written = 0
        for chunk in _chunks(rows, self.chunk_rows):
            self.db.executemany(sql, chunk)
            written += len(chunk)
        return written

    @staticmethod
    def _table(database: str, table_prefix: str, kind: str) -> str:
        if table_prefix not in ("", "wisp_"):
            raise ValueError(f"table_prefix must be '' or 'wisp_', not {table_prefix!r}")
        return f"{quote_name(database)}.`{table_prefix}{kind}`"
