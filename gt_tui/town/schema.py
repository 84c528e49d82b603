"""Which beads tables a town has, and which dependency layout each database uses.

beads changed its `dependencies` table between v1.0.0 (`depends_on_id`) and v1.0.5 (the
target split into `depends_on_issue_id`/`depends_on_wisp_id`/`depends_on_external`); a
town in the field may have either, even one per database, so we look at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from gt_tui.town.db import Database

SPLIT_TARGET = "COALESCE(d.depends_on_issue_id, d.depends_on_wisp_id, d.depends_on_external)"
PLAIN_TARGET = "d.depends_on_id"


@dataclass(frozen=True)
class BeadsSchema:
    """The tables present in each database and their columns."""

    columns: dict[tuple[str, str], frozenset[str]]

    def has(self, database: str, table: str) -> bool:
        return (database, table) in self.columns

    def issue_tables(self, database: str) -> list[tuple[str, str]]:
        """`(issues, labels)` and `(wisps, wisp_labels)`, where present."""
        pairs = [("issues", "labels"), ("wisps", "wisp_labels")]
        return [p for p in pairs if self.has(database, p[0]) and self.has(database, p[1])]

    def dependency_target(self, database: str, table: str = "dependencies") -> str:
        """The SQL expression for a dependency's target, aliased table `d`."""
        if "depends_on_id" in self.columns.get((database, table), frozenset()):
            return PLAIN_TARGET
        return SPLIT_TARGET

    def layout(self, database: str) -> str:
        """ "v1.0.0" or "v1.0.5", for display."""
        return "v1.0.0" if self.dependency_target(database) == PLAIN_TARGET else "v1.0.5"


def detect_schema(db: Database, databases: tuple[str, ...]) -> BeadsSchema:
    """One look at the catalogue for every database of the town."""
    found = db.table_columns(list(databases))
    return BeadsSchema({key: frozenset(cols) for key, cols in found.items()})
