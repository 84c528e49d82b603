"""Creating beads databases from the DDL in `ddl.py`, on MySQL/MariaDB or SQLite (test-only)."""

from __future__ import annotations

from typing import Any

from builder.ddl import mysql_statements, sqlite_statements

# Gas Town's registered custom types (gastown internal/constants `types.custom`).
CUSTOM_TYPES = "agent,role,rig,convoy,slot,queue,event,message,molecule,gate,merge-request"


def create_database(db: Any, database: str, variant: str, prefix: str) -> None:
    """One beads database with its tables and bd's config rows (`issue_prefix`, types)."""
    if db.dialect == "mysql":
        # Dolt's default collation is binary: ids compare case-sensitively.
        db.execute(
            f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )
        statements = mysql_statements(database, variant)
    else:
        db.query(f"PRAGMA `{database}`.journal_mode = WAL")
        statements = sqlite_statements(database, variant)
    for statement in statements:
        db.execute(statement)
    rows = [("types.custom", CUSTOM_TYPES), ("issue_prefix", prefix)]
    db.executemany(f"INSERT INTO `{database}`.config (`key`, value) VALUES (%s, %s)", rows)


def drop_database(db: Any, database: str) -> None:
    db.execute(f"DROP DATABASE IF EXISTS `{database}`")
