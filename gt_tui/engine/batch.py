"""Fetch beads by id in batches, with projection, filters and LIMIT in SQL (spec §2).

The spec's "`bd show a b c` rather than one `bd show` per id", done directly: one
`SELECT <columns> … WHERE id IN (…)` per chunk of ids and per table (`issues` and its
twin `wisps`), so N ids cost ceil(N / chunk) round trips per table, not N.
Column names are checked against a whitelist before they reach the SQL text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gt_tui.town.db import Database, quote_name

CHUNK = 500
BEAD_TABLES = ("issues", "wisps")
BEAD_COLUMNS = frozenset(
    {
        "id", "title", "description", "design", "acceptance_criteria", "notes",
        "status", "priority", "issue_type", "assignee", "created_by", "owner",
        "created_at", "updated_at", "closed_at", "started_at", "due_at", "defer_until",
        "close_reason", "external_ref", "spec_id", "sender", "ephemeral", "wisp_type",
        "mol_type", "pinned", "is_template", "metadata", "source_repo",
    }
)  # fmt: skip


def fetch_beads(
    db: Database,
    database: str,
    ids: Iterable[str],
    columns: Sequence[str],
    *,
    chunk: int = CHUNK,
    where: Mapping[str, Any] | None = None,
    limit: int | None = None,
    tables: Sequence[str] = BEAD_TABLES,
) -> list[dict[str, Any]]:
    """The named columns of the beads with these ids, from each table, as dicts.

    `where` maps a column to a value (`=`) or a list/tuple of values (`IN`); `limit` caps
    the total number of rows, in SQL. Each chunk of `chunk` ids is one query per table.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk}")
    wanted = list(dict.fromkeys(ids))
    select = ", ".join(quote_name(c) for c in _checked(columns))
    filters, filter_params = _filters(where or {})
    found: list[dict[str, Any]] = []
    for table in tables:
        source = f"{quote_name(database)}.{quote_name(table)}"
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            room = None if limit is None else limit - len(found)
            if room is not None and room <= 0:
                return found
            marks = ", ".join(["%s"] * len(part))
            sql = f"SELECT {select} FROM {source} WHERE id IN ({marks}){filters}"
            sql += "" if room is None else f" LIMIT {int(room)}"
            rows = db.query(sql, [*part, *filter_params])
            found.extend(dict(zip(columns, row, strict=True)) for row in rows)
    return found


def _checked(columns: Sequence[str]) -> Sequence[str]:
    if not columns:
        raise ValueError("name at least one column")
    unknown = [c for c in columns if c not in BEAD_COLUMNS]
    if unknown:
        raise ValueError(f"not a bead column: {', '.join(map(repr, unknown))}")
    return columns


def _filters(where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """` AND col = %s AND col2 IN (%s, %s)` and its parameters."""
    text, params = "", []
    for column, value in where.items():
        name = quote_name(_checked([column])[0])
        if isinstance(value, list | tuple | set | frozenset):
            values = list(value)
            if not values:
                return " AND 1 = 0", []  # IN () matches nothing; say so portably
            text += f" AND {name} IN ({', '.join(['%s'] * len(values))})"
            params.extend(values)
        else:
            text += f" AND {name} = %s"
            params.append(value)
    return text, params
