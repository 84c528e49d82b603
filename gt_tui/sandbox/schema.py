"""Creating (and dropping) a sandbox's beads database from `beads_tables`, on MySQL/MariaDB
or SQLite.

Types are written for MySQL once and adapted for SQLite: DATETIME and JSON become TEXT
('YYYY-MM-DD HH:MM:SS', which SQLite's CURRENT_TIMESTAMP also yields, in UTC), ON UPDATE
and UUID() defaults are dropped (the writer supplies ids and times), and indexes become
separate CREATE INDEX statements.
"""

from __future__ import annotations

from gt_tui.sandbox.beads_tables import CUSTOM_TYPES, Table, beads_tables
from gt_tui.town.db import Database, quote_name

_SQLITE_SWAPS = (
    (" ON UPDATE CURRENT_TIMESTAMP", ""),
    (" DEFAULT (UUID())", ""),
    (" DEFAULT (JSON_OBJECT())", " DEFAULT '{}'"),
    (" DATETIME", " TEXT"),
    (" JSON", " TEXT"),
)


def create_table_sql(table: Table, database: str, dialect: str) -> list[str]:
    """The statements creating one table (and, on SQLite, its indexes)."""
    db = quote_name(database)
    sqlite = dialect == "sqlite"
    parts = [_sqlite_column(c) if sqlite else c for c in table.columns]
    if table.primary:
        parts.append(f"PRIMARY KEY ({table.primary})")
    if not sqlite:
        parts += [f"UNIQUE KEY `{n}` ({cols})" for n, cols in table.uniques]
        parts += [f"INDEX `{n}` ({cols})" for n, cols in table.indexes]
    parts += [f"CONSTRAINT `{n}` CHECK ({expr})" for n, expr in table.checks]
    parts += [_foreign(fk, db, sqlite, " ON UPDATE CASCADE") for fk in table.foreign]
    # beads also cascades updates to targets; MariaDB refuses that on columns a CHECK reads.
    parts += [_foreign(fk, db, sqlite, "") for fk in table.target_foreign]
    body = ",\n  ".join(parts)
    statements = [f"CREATE TABLE IF NOT EXISTS {db}.`{table.name}` (\n  {body}\n)"]
    if sqlite:
        statements += _sqlite_indexes(table, db)
    return statements


def _foreign(fk: tuple[str, str, str], db: str, sqlite: bool, on_update: str) -> str:
    name, column, parent = fk
    # SQLite resolves an unqualified parent in the child's own (attached) database.
    ref = f"`{parent}`" if sqlite else f"{db}.`{parent}`"
    return (
        f"CONSTRAINT `{name}` FOREIGN KEY (`{column}`) REFERENCES {ref} (`id`)"
        f" ON DELETE CASCADE{on_update}"
    )


def _sqlite_indexes(table: Table, db: str) -> list[str]:
    made = [
        f"CREATE UNIQUE INDEX IF NOT EXISTS {db}.`{n}` ON `{table.name}` ({cols})"
        for n, cols in table.uniques
    ]
    made += [
        f"CREATE INDEX IF NOT EXISTS {db}.`{n}` ON `{table.name}` ({cols})"
        for n, cols in table.indexes
    ]
    return made


def _sqlite_column(column: str) -> str:
    """A MySQL column definition in SQLite's terms (see the module docstring)."""
    text = column
    for mysql, sqlite in _SQLITE_SWAPS:
        text = text.replace(mysql, sqlite)
    return text


def create_beads_schema(
    db: Database, database: str, variant: str = "v1.0.0", prefix: str | None = None
) -> None:
    """Create a beads database's tables (and, on MySQL, the database) if absent.

    On SQLite the database must already be attached under `database`. `prefix` (without the
    dash) is stored as bd's `issue_prefix` config row.
    """
    tables = beads_tables(variant)
    if db.dialect == "mysql":
        # Dolt's default collation is binary (utf8mb4_0900_bin): ids compare case-sensitively.
        db.execute(
            f"CREATE DATABASE IF NOT EXISTS {quote_name(database)}"
            " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )
    else:
        _sqlite_pragmas(db, database)
    for table in tables:
        for statement in create_table_sql(table, database, db.dialect):
            db.execute(statement)
    rows = [("types.custom", CUSTOM_TYPES), ("compaction_enabled", "false")]
    if prefix:
        rows.append(("issue_prefix", prefix.rstrip("-")))
    db.executemany(
        f"{insert_ignore(db)} INTO {quote_name(database)}.`config` (`key`, `value`)"
        " VALUES (%s, %s)",
        rows,
    )


def _sqlite_pragmas(db: Database, database: str) -> None:
    # WAL lets the console read while the sandbox's agents write.
    schema = quote_name(database)
    db.query(f"PRAGMA {schema}.journal_mode = WAL")
    db.execute(f"PRAGMA {schema}.synchronous = NORMAL")


def insert_ignore(db: Database) -> str:
    """The dialect's insert-unless-the-key-exists verb."""
    return "INSERT IGNORE" if db.dialect == "mysql" else "INSERT OR IGNORE"


def drop_database(db: Database, database: str) -> None:
    """Drop one MySQL database (the sandbox's own names only; callers check)."""
    db.execute(f"DROP DATABASE IF EXISTS {quote_name(database)}")
