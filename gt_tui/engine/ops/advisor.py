"""The index advisor: which of the indexes the spec (§2) and beads rely on a town has.

An index counts as present when some existing index (the primary key included) starts
with the wanted columns, whatever its name: beads ships `idx_issues_status`, which serves
the spec's `idx_status`. Tables a town does not have (`operational_state`, `heartbeats`
are in the spec, not in beads) are reported as such, never created. Evidence is the
server's plan for a representative query: `EXPLAIN` on MySQL/Dolt, `EXPLAIN QUERY PLAN`
on SQLite. Nothing is created unless `create()` is called with an explicit list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from gt_tui.errors import GtTuiError, ReadOnlyRefused
from gt_tui.town.db import Database, quote_name

PRESENT, MISSING = "present", "missing"
NO_TABLE, NO_COLUMN = "table not present", "column not present"
IndexMap = dict[tuple[str, str], dict[str, tuple[str, ...]]]  # (db, table) -> name -> columns


@dataclass(frozen=True)
class IndexSpec:
    """An index worth having: what it is called if we create it, where, and why."""

    name: str
    table: str
    columns: tuple[str, ...]
    why: str


RECOMMENDED: tuple[IndexSpec, ...] = (
    IndexSpec("idx_status", "issues", ("status",), "open and ready work by status"),
    IndexSpec("idx_created_by", "issues", ("created_by",), "work by who created it"),
    IndexSpec("idx_rig_status", "operational_state", ("rig", "status"), "a rig's agents by status"),
    IndexSpec("idx_timestamp", "heartbeats", ("timestamp",), "heartbeats by age"),
    IndexSpec("idx_issues_issue_type", "issues", ("issue_type",), "beads: list --type"),
    IndexSpec("idx_issues_assignee", "issues", ("assignee",), "beads: mail, hooks"),
    IndexSpec("idx_issues_created_at", "issues", ("created_at",), "beads: recent work"),
    IndexSpec("idx_labels_label", "labels", ("label",), "beads: kind labels"),
    IndexSpec("idx_dependencies_issue_id", "dependencies", ("issue_id",), "beads: convoys"),
    IndexSpec("idx_events_issue_id", "events", ("issue_id",), "beads: history"),
    IndexSpec("idx_wisps_status", "wisps", ("status",), "beads: wisp queries"),
    IndexSpec("idx_wisp_labels_label", "wisp_labels", ("label",), "beads: wisp labels"),
    IndexSpec("idx_wisp_dependencies_issue_id", "wisp_dependencies", ("issue_id",), "beads"),
    IndexSpec("idx_wisp_events_issue_id", "wisp_events", ("issue_id",), "beads: history"),
    # What the console's own readers range over (beads ships both): without them the change
    # feed scans every event each refresh.
    IndexSpec("idx_events_created_at", "events", ("created_at",), "gt-tui: change feed"),
    IndexSpec("idx_wisp_events_created_at", "wisp_events", ("created_at",), "gt-tui: feed"),
    # Not in beads, never relied on: beads' `issue_type` index alone makes the convoy view
    # read every convoy ever made to find the open ones.
    IndexSpec("idx_issues_type_status", "issues", ("issue_type", "status"), "gt-tui: open convoys"),
)


@dataclass(frozen=True)
class IndexFinding:
    """One recommended index in one database: its state, the index serving it, evidence."""

    database: str
    spec: IndexSpec
    state: str
    existing: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What `create()` takes: `<database>.<index name>`."""
        return f"{self.database}.{self.spec.name}"


class IndexAdvisor:
    """Checks a town's databases against `RECOMMENDED`; creates missing ones on request."""

    def __init__(self, db: Database, databases: Sequence[str]) -> None:
        self.db = db
        self.databases = list(databases)

    def check(self, explain: bool = True) -> list[IndexFinding]:
        """A finding for every recommended index in every database."""
        columns = self.db.table_columns(self.databases)
        indexes = self._indexes(columns)
        findings = []
        for database in self.databases:
            for spec in RECOMMENDED:
                finding = _judge(database, spec, columns, indexes)
                if explain and finding.state in (PRESENT, MISSING):
                    finding = replace(finding, evidence=self._explain(database, spec))
                findings.append(finding)
        return findings

    def create(self, keys: Sequence[str]) -> list[str]:
        """Create the named missing indexes (keys from `IndexFinding.key`); returns the created.

        Keys that are unknown, already present or whose table is absent are refused
        before anything is created.
        """
        if self.db.read_only:
            raise ReadOnlyRefused("create indexes")
        missing = {f.key: f for f in self.check(explain=False) if f.state == MISSING}
        refused = [key for key in keys if key not in missing]
        if refused:
            raise GtTuiError(f"cannot create (unknown, present or no table): {', '.join(refused)}")
        for key in keys:
            self.db.execute(self._create_sql(missing[key]))
        return list(keys)

    def _create_sql(self, finding: IndexFinding) -> str:
        spec, schema = finding.spec, quote_name(finding.database)
        name, table = quote_name(spec.name), quote_name(spec.table)
        cols = ", ".join(quote_name(c) for c in spec.columns)
        if self.db.dialect == "sqlite":  # SQLite qualifies the index, not the table
            return f"CREATE INDEX {schema}.{name} ON {table} ({cols})"
        return f"CREATE INDEX {name} ON {schema}.{table} ({cols})"

    def _indexes(self, columns: dict[tuple[str, str], set[str]]) -> IndexMap:
        if self.db.dialect == "sqlite":
            return self._sqlite_indexes(columns)
        return self._mysql_indexes()

    def _mysql_indexes(self) -> IndexMap:
        """Every index of every database of the town, in one query."""
        if not self.databases:
            return {}
        marks = ", ".join(["%s"] * len(self.databases))
        rows = self.db.query(
            "SELECT table_schema, table_name, index_name, column_name FROM"
            f" information_schema.statistics WHERE table_schema IN ({marks})"
            " ORDER BY table_schema, table_name, index_name, seq_in_index",
            self.databases,
        )
        found: IndexMap = {}
        for schema, table, index, column in rows:
            by_name = found.setdefault((schema, table), {})
            by_name[index] = (*by_name.get(index, ()), column)
        return found

    def _sqlite_indexes(self, columns: dict[tuple[str, str], set[str]]) -> IndexMap:
        found: IndexMap = {}
        for database, table in columns:
            schema = quote_name(database)
            for row in self.db.query(f"PRAGMA {schema}.index_list({quote_name(table)})"):
                name = row[1]
                info = self.db.query(f"PRAGMA {schema}.index_info({quote_name(name)})")
                ordered = tuple(col for _, _, col in sorted(info))
                found.setdefault((database, table), {})[name] = ordered
        return found

    def _explain(self, database: str, spec: IndexSpec) -> tuple[str, ...]:
        """The plan of `SELECT … WHERE <columns> = ?` for the index's table."""
        where = " AND ".join(f"{quote_name(c)} = %s" for c in spec.columns)
        probe = f"SELECT * FROM {quote_name(database)}.{quote_name(spec.table)} WHERE {where}"
        head = "EXPLAIN QUERY PLAN" if self.db.dialect == "sqlite" else "EXPLAIN"
        try:
            rows = self.db.query(f"{head} {probe}", ["x"] * len(spec.columns))
        except Exception as exc:  # evidence is a bonus: a server without EXPLAIN says so
            return (f"no plan: {exc}",)
        return tuple(_plan_line(row, self.db.dialect) for row in rows)


def _judge(
    database: str, spec: IndexSpec, columns: dict[tuple[str, str], set[str]], indexes: IndexMap
) -> IndexFinding:
    have = columns.get((database, spec.table))
    if have is None:
        return IndexFinding(database, spec, NO_TABLE)
    if not set(spec.columns) <= have:
        return IndexFinding(database, spec, NO_COLUMN)
    width = len(spec.columns)
    for name, cols in sorted(indexes.get((database, spec.table), {}).items()):
        if tuple(c.lower() for c in cols[:width]) == spec.columns:
            return IndexFinding(database, spec, PRESENT, existing=name)
    return IndexFinding(database, spec, MISSING)


_EXPLAIN_COLUMNS = {  # classic EXPLAIN: MariaDB and MySQL 5 (10 columns), MySQL 8 (12)
    10: ("id", "select_type", "table", "type", "possible_keys", "key", "key_len", "ref",
         "rows", "extra"),
    12: ("id", "select_type", "table", "partitions", "type", "possible_keys", "key",
         "key_len", "ref", "rows", "filtered", "extra"),
}  # fmt: skip
_SHOWN = ("table", "type", "possible_keys", "key", "rows", "extra")


def _plan_line(row: tuple[Any, ...], dialect: str) -> str:
    """One plan row as text: SQLite's detail; MySQL's key columns named; else all cells."""
    if dialect == "sqlite":  # (id, parent, notused, detail)
        return str(row[-1])
    names = _EXPLAIN_COLUMNS.get(len(row))
    if names is None:  # Dolt and others: a plan as text
        return " | ".join(str(cell) for cell in row if cell is not None)
    cells = dict(zip(names, row, strict=True))
    return " ".join(f"{name}={cells[name] if cells[name] else '-'}" for name in _SHOWN)
