"""The beads tables the engine reads, as SQL text taken from beads' own DDL (test-only).

Read from github.com/steveyegge/beads, not from gt-tui's sandbox:
- v1.0.0 (tag v1.0.0, commit 72170267e00a): `internal/storage/dolt/schema.go` (issues,
  dependencies, labels, events, config) and `internal/storage/dolt/migrations/004`/`005`
  (wisps and the wisp_* twins, wisp_dependencies still keyed by `depends_on_id`).
- v1.0.5 (HEAD fbcee6c62, 2026-06-01): `internal/storage/schema/migrations/0001`-`0021`, with
  0041-0043 (the dependency target split into three columns, a UUID key, exactly one
  target set) and 0046 (`is_blocked`).
The twelve tables every beads database has and gt-tui looks at (issues, wisps, labels,
dependencies, events, comments and their twins, config, metadata); snapshots, routes,
counters, interactions and the views are left out.

Written once in MySQL's terms with `{db}` for the database; `sqlite_statements` adapts the
text for the SQLite demo backend. Two departures from beads, both for MariaDB: no index on
`spec_id` (VARCHAR(1024) exceeds InnoDB's 3072-byte key in utf8mb4), and no ON UPDATE
CASCADE on the dependency-target keys (MariaDB refuses it on columns a CHECK reads).
"""

from __future__ import annotations

import re

# issues as beads v1.0.0 declares it (schema.go; v1.0.5's 0001 adds agent columns gt never
# reads), plus `started_at` (0027) and, in v1.0.5, `is_blocked` (0046).
_ISSUE_BODY = """
    id VARCHAR(255) PRIMARY KEY,
    content_hash VARCHAR(64),
    title VARCHAR(500) NOT NULL,
    description TEXT NOT NULL,
    design TEXT NOT NULL,
    acceptance_criteria TEXT NOT NULL,
    notes TEXT NOT NULL,
    status VARCHAR(32) NOT NULL DEFAULT 'open',
    priority INT NOT NULL DEFAULT 2,
    issue_type VARCHAR(32) NOT NULL DEFAULT 'task',
    assignee VARCHAR(255),
    estimated_minutes INT,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_by VARCHAR(255) DEFAULT '',
    owner VARCHAR(255) DEFAULT '',
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    closed_at DATETIME,
    closed_by_session VARCHAR(255) DEFAULT '',
    started_at DATETIME,
    external_ref VARCHAR(255),
    spec_id VARCHAR(1024),
    compaction_level INT DEFAULT 0,
    compacted_at DATETIME,
    compacted_at_commit VARCHAR(64),
    original_size INT,
    sender VARCHAR(255) DEFAULT '',
    ephemeral TINYINT(1) DEFAULT 0,
    no_history TINYINT(1) DEFAULT 0,
    wisp_type VARCHAR(32) DEFAULT '',
    pinned TINYINT(1) DEFAULT 0,
    is_template TINYINT(1) DEFAULT 0,
    mol_type VARCHAR(32) DEFAULT '',
    work_type VARCHAR(32) DEFAULT 'mutex',
    source_system VARCHAR(255) DEFAULT '',
    metadata JSON DEFAULT (JSON_OBJECT()),
    source_repo VARCHAR(512) DEFAULT '',
    close_reason TEXT DEFAULT '',
    event_kind VARCHAR(32) DEFAULT '',
    actor VARCHAR(255) DEFAULT '',
    target VARCHAR(255) DEFAULT '',
    payload TEXT DEFAULT '',
    await_type VARCHAR(32) DEFAULT '',
    await_id VARCHAR(255) DEFAULT '',
    timeout_ns BIGINT DEFAULT 0,
    waiters TEXT DEFAULT '',
    due_at DATETIME,
    defer_until DATETIME,{blocked}
    INDEX idx_{t}_status (status),
    INDEX idx_{t}_priority (priority),
    INDEX idx_{t}_issue_type (issue_type),
    INDEX idx_{t}_assignee (assignee),
    INDEX idx_{t}_created_at (created_at),
    INDEX idx_{t}_external_ref (external_ref){blocked_index}
"""
_BLOCKED = "\n    is_blocked TINYINT(1) NOT NULL DEFAULT 0,"
_BLOCKED_INDEX = ",\n    INDEX idx_{t}_is_blocked (is_blocked, status)"

LABELS = """CREATE TABLE IF NOT EXISTS {db}.{p}labels (
    issue_id VARCHAR(255) NOT NULL,
    label VARCHAR(255) NOT NULL,
    PRIMARY KEY (issue_id, label),
    INDEX idx_{p}labels_label (label){fk}
)"""
LABELS_FK = (
    ",\n    CONSTRAINT fk_{p}labels_issue FOREIGN KEY (issue_id)"
    " REFERENCES {db}.{parent}(id) ON DELETE CASCADE"
)

EVENTS = """CREATE TABLE IF NOT EXISTS {db}.{p}events (
    id CHAR(36) NOT NULL PRIMARY KEY DEFAULT (UUID()),
    issue_id VARCHAR(255) NOT NULL,
    event_type VARCHAR(32) NOT NULL,
    actor VARCHAR(255) NOT NULL DEFAULT '',
    old_value TEXT,
    new_value TEXT,
    comment TEXT,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX idx_{p}events_issue (issue_id),
    INDEX idx_{p}events_created_at (created_at)
)"""

# v1.0.0: one `depends_on_id` (schema.go; wisp twin from migration 005).
DEPS_V100 = """CREATE TABLE IF NOT EXISTS {db}.{p}dependencies (
    issue_id VARCHAR(255) NOT NULL,
    depends_on_id VARCHAR(255) NOT NULL,
    type VARCHAR(32) NOT NULL DEFAULT 'blocks',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_by VARCHAR(255) NOT NULL DEFAULT '',
    metadata JSON DEFAULT (JSON_OBJECT()),
    thread_id VARCHAR(255) DEFAULT '',
    PRIMARY KEY (issue_id, depends_on_id),
    INDEX idx_{p}dependencies_issue (issue_id),
    INDEX idx_{p}dependencies_depends_on (depends_on_id),
    INDEX idx_{p}dependencies_depends_on_type (depends_on_id, type)
)"""

# v1.0.5: the target split (wisp twin as migration 0021 writes it; `dependencies` after
# 0041-0043 has the same shape).
DEPS_V105 = """CREATE TABLE IF NOT EXISTS {db}.{p}dependencies (
    id CHAR(36) NOT NULL DEFAULT (UUID()) PRIMARY KEY,
    issue_id VARCHAR(255) NOT NULL,
    depends_on_issue_id VARCHAR(255) NULL,
    depends_on_wisp_id VARCHAR(255) NULL,
    depends_on_external VARCHAR(255) NULL,
    type VARCHAR(32) NOT NULL DEFAULT 'blocks',
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    created_by VARCHAR(255) DEFAULT '',
    metadata JSON DEFAULT (JSON_OBJECT()),
    thread_id VARCHAR(255) DEFAULT '',
    UNIQUE KEY uk_{s}_issue_target (issue_id, depends_on_issue_id),
    UNIQUE KEY uk_{s}_wisp_target (issue_id, depends_on_wisp_id),
    UNIQUE KEY uk_{s}_external_target (issue_id, depends_on_external),
    INDEX idx_{s}_type_issue (type, depends_on_issue_id),
    INDEX idx_{s}_type_wisp (type, depends_on_wisp_id),
    INDEX idx_{s}_type_external (type, depends_on_external),
    CONSTRAINT fk_{s}_issue FOREIGN KEY (issue_id) REFERENCES {db}.{parent}(id)
        ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_{s}_wisp_target FOREIGN KEY (depends_on_wisp_id) REFERENCES {db}.wisps(id)
        ON DELETE CASCADE,
    CONSTRAINT fk_{s}_issue_target FOREIGN KEY (depends_on_issue_id) REFERENCES {db}.issues(id)
        ON DELETE CASCADE,
    CONSTRAINT ck_{s}_one_target CHECK ((depends_on_issue_id IS NOT NULL)
        + (depends_on_wisp_id IS NOT NULL) + (depends_on_external IS NOT NULL) = 1)
)"""

# comments (0004; the wisp twin from 0021): not read by gt-tui, but part of every database.
COMMENTS = """CREATE TABLE IF NOT EXISTS {db}.{p}comments (
    id CHAR(36) NOT NULL PRIMARY KEY DEFAULT (UUID()),
    issue_id VARCHAR(255) NOT NULL,
    author VARCHAR(255) NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX idx_{p}comments_issue (issue_id)
)"""

# config (0006) and metadata (0007): key/value tables.
CONFIG = """CREATE TABLE IF NOT EXISTS {db}.{name} (
    `key` VARCHAR(255) PRIMARY KEY,
    value TEXT NOT NULL
)"""

VARIANTS = ("v1.0.0", "v1.0.5")


def mysql_statements(database: str, variant: str) -> list[str]:
    """Every CREATE TABLE of one beads database, parents first, in MySQL's terms."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown beads variant {variant!r}")
    db = f"`{database}`"
    new = variant == "v1.0.5"
    statements = []
    for table in ("issues", "wisps"):
        body = _ISSUE_BODY.format(
            t=table,
            blocked=_BLOCKED if new else "",
            blocked_index=_BLOCKED_INDEX.format(t=table) if new else "",
        )
        statements.append(f"CREATE TABLE IF NOT EXISTS {db}.{table} ({body})")
    for p, parent in (("", "issues"), ("wisp_", "wisps")):
        # v1.0.0 had no foreign keys on the wisp twins (migration 005).
        fk = LABELS_FK.format(p=p, db=db, parent=parent) if (new or not p) else ""
        statements.append(LABELS.format(db=db, p=p, fk=fk))
        deps = DEPS_V105 if new else DEPS_V100
        statements.append(deps.format(db=db, p=p, parent=parent, s="wisp_dep" if p else "dep"))
        statements.append(EVENTS.format(db=db, p=p))
        statements.append(COMMENTS.format(db=db, p=p))
    statements += [CONFIG.format(db=db, name=name) for name in ("config", "metadata")]
    return statements


_INDEX = re.compile(r",\s*(UNIQUE KEY|INDEX) (\w+) \(([^)]*)\)")
_SQLITE_SWAPS = (
    (" ON UPDATE CURRENT_TIMESTAMP", ""),
    (" DEFAULT (UUID())", ""),  # the builder supplies every UUID
    (" DEFAULT (JSON_OBJECT())", " DEFAULT '{}'"),
)


def sqlite_statements(database: str, variant: str) -> list[str]:
    """The same tables for SQLite: indexes as CREATE INDEX, no MySQL-only defaults, and
    foreign keys naming their parent unqualified (SQLite looks in the child's own file)."""
    out = []
    for statement in mysql_statements(database, variant):
        table = re.search(r"EXISTS (`\w+`\.\w+)", statement)
        assert table is not None
        schema, name = table.group(1).split(".")
        indexes = _INDEX.findall(statement)
        text = _INDEX.sub("", statement).replace(f"REFERENCES {schema}.", "REFERENCES ")
        for mysql, sqlite in _SQLITE_SWAPS:
            text = text.replace(mysql, sqlite)
        out.append(text)
        for kind, index, columns in indexes:
            unique = "UNIQUE " if kind == "UNIQUE KEY" else ""
            out.append(f"CREATE {unique}INDEX IF NOT EXISTS {schema}.{index} ON {name} ({columns})")
    return out
