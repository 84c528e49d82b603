"""The beads tables as beads ships them: columns, keys, indexes, checks and foreign keys.

Columns, keys and indexes follow beads v1.0.0's `schema.go` and its Go migrations (wisps
and the `wisp_*` twins, CHAR(36) UUID keys on events/comments); the `"v1.0.5"` variant
applies migrations 0041-0043 to both dependency tables (the target split into
`depends_on_issue_id`/`depends_on_wisp_id`/`depends_on_external`, exactly one set, with a
UUID `id` key) plus 0046's `is_blocked`. Column text is MySQL's; `schema` adapts it.
"""

from __future__ import annotations

from dataclasses import dataclass

VARIANTS = ("v1.0.0", "v1.0.5")

# Gas Town's registered custom types (gastown internal/constants, `types.custom`).
CUSTOM_TYPES = "agent,role,rig,convoy,slot,queue,event,message,molecule,gate,merge-request"

_ISSUE_COLUMNS = (
    "`id` VARCHAR(255) NOT NULL",
    "`content_hash` VARCHAR(64)",
    "`title` VARCHAR(500) NOT NULL",
    "`description` TEXT NOT NULL",
    "`design` TEXT NOT NULL",
    "`acceptance_criteria` TEXT NOT NULL",
    "`notes` TEXT NOT NULL",
    "`status` VARCHAR(32) NOT NULL DEFAULT 'open'",
    "`priority` INT NOT NULL DEFAULT 2",
    "`issue_type` VARCHAR(32) NOT NULL DEFAULT 'task'",
    "`assignee` VARCHAR(255)",
    "`estimated_minutes` INT",
    "`created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
    "`created_by` VARCHAR(255) DEFAULT ''",
    "`owner` VARCHAR(255) DEFAULT ''",
    "`updated_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
    "`closed_at` DATETIME",
    "`closed_by_session` VARCHAR(255) DEFAULT ''",
    "`started_at` DATETIME",
    "`external_ref` VARCHAR(255)",
    "`spec_id` VARCHAR(1024)",
    "`compaction_level` INT DEFAULT 0",
    "`compacted_at` DATETIME",
    "`compacted_at_commit` VARCHAR(64)",
    "`original_size` INT",
    "`sender` VARCHAR(255) DEFAULT ''",
    "`ephemeral` TINYINT(1) DEFAULT 0",
    "`no_history` TINYINT(1) DEFAULT 0",
    "`wisp_type` VARCHAR(32) DEFAULT ''",
    "`pinned` TINYINT(1) DEFAULT 0",
    "`is_template` TINYINT(1) DEFAULT 0",
    "`mol_type` VARCHAR(32) DEFAULT ''",
    "`work_type` VARCHAR(32) DEFAULT 'mutex'",
    "`source_system` VARCHAR(255) DEFAULT ''",
    "`metadata` JSON DEFAULT (JSON_OBJECT())",
    "`source_repo` VARCHAR(512) DEFAULT ''",
    "`close_reason` TEXT DEFAULT ''",
    "`event_kind` VARCHAR(32) DEFAULT ''",
    "`actor` VARCHAR(255) DEFAULT ''",
    "`target` VARCHAR(255) DEFAULT ''",
    "`payload` TEXT DEFAULT ''",
    "`await_type` VARCHAR(32) DEFAULT ''",
    "`await_id` VARCHAR(255) DEFAULT ''",
    "`timeout_ns` BIGINT DEFAULT 0",
    "`waiters` TEXT DEFAULT ''",
    "`due_at` DATETIME",
    "`defer_until` DATETIME",
)
# spec_id's index is left out: a VARCHAR(1024) key exceeds InnoDB's 3072-byte limit in utf8mb4.
_ISSUE_INDEXES = ("status", "priority", "issue_type", "assignee", "created_at")
_IS_BLOCKED = "`is_blocked` TINYINT(1) NOT NULL DEFAULT 0"

_DEP_COMMON = (
    "`type` VARCHAR(32) NOT NULL DEFAULT 'blocks'",
    "`created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
    "`created_by` VARCHAR(255) NOT NULL DEFAULT ''",
    "`metadata` JSON DEFAULT (JSON_OBJECT())",
    "`thread_id` VARCHAR(255) DEFAULT ''",
)
_ONE_TARGET = (
    "(`depends_on_issue_id` IS NOT NULL) + (`depends_on_wisp_id` IS NOT NULL)"
    " + (`depends_on_external` IS NOT NULL) = 1"
)


@dataclass(frozen=True)
class Table:
    """One table: MySQL column text, keys, indexes (name -> columns) and foreign keys."""

    name: str
    columns: tuple[str, ...]
    primary: str = ""
    indexes: tuple[tuple[str, str], ...] = ()
    uniques: tuple[tuple[str, str], ...] = ()
    foreign: tuple[tuple[str, str, str], ...] = ()  # (name, column, parent table)
    target_foreign: tuple[tuple[str, str, str], ...] = ()  # same, on dependency targets
    checks: tuple[tuple[str, str], ...] = ()


def _issue_table(name: str, variant: str) -> Table:
    columns = _ISSUE_COLUMNS + ((_IS_BLOCKED,) if variant == "v1.0.5" else ())
    indexes = tuple((f"idx_{name}_{col}", f"`{col}`") for col in _ISSUE_INDEXES)
    if variant == "v1.0.5":
        indexes += ((f"idx_{name}_is_blocked_status", "`is_blocked`, `status`"),)
    return Table(name, columns, primary="`id`", indexes=indexes)


def _labels_table(prefix: str, parent: str, fk: bool) -> Table:
    name = f"{prefix}labels"
    return Table(
        name,
        ("`issue_id` VARCHAR(255) NOT NULL", "`label` VARCHAR(255) NOT NULL"),
        primary="`issue_id`, `label`",
        indexes=((f"idx_{name}_label", "`label`"),),
        foreign=((f"fk_{name}_issue", "issue_id", parent),) if fk else (),
    )


def _child_table(prefix: str, kind: str, parent: str, fk: bool) -> Table:
    """`events`/`comments` (and twins): UUID key, issue_id and created_at indexes."""
    name = f"{prefix}{kind}"
    body: tuple[str, ...]
    if kind == "events":
        body = (
            "`event_type` VARCHAR(32) NOT NULL",
            "`actor` VARCHAR(255) NOT NULL DEFAULT ''",
            "`old_value` TEXT",
            "`new_value` TEXT",
            "`comment` TEXT",
        )
    else:
        body = ("`author` VARCHAR(255) NOT NULL DEFAULT ''", "`text` TEXT NOT NULL")
    return Table(
        name,
        (
            "`id` CHAR(36) NOT NULL DEFAULT (UUID())",
            "`issue_id` VARCHAR(255) NOT NULL",
            *body,
            "`created_at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
        ),
        primary="`id`",
        indexes=((f"idx_{name}_issue", "`issue_id`"), (f"idx_{name}_created_at", "`created_at`")),
        foreign=((f"fk_{name}_issue", "issue_id", parent),) if fk else (),
    )


def _deps_v100(prefix: str, parent: str) -> Table:
    name = f"{prefix}dependencies"
    wisp = prefix == "wisp_"
    return Table(
        name,
        ("`issue_id` VARCHAR(255) NOT NULL", "`depends_on_id` VARCHAR(255) NOT NULL", *_DEP_COMMON),
        # beads' own v1.0.0 keys: wisp_dependencies carried `type` in its key from the start.
        primary="`issue_id`, `depends_on_id`" + (", `type`" if wisp else ""),
        indexes=(
            (f"idx_{name}_issue", "`issue_id`"),
            (f"idx_{name}_depends_on", "`depends_on_id`"),
            (f"idx_{name}_depends_on_type", "`depends_on_id`, `type`"),
            (f"idx_{name}_thread", "`thread_id`"),
        ),
        foreign=() if wisp else ((f"fk_{name}_issue", "issue_id", parent),),
    )


def _deps_v105(prefix: str, parent: str) -> Table:
    name = f"{prefix}dependencies"
    short = "wisp_dep" if prefix else "dep"
    targets = ("issue", "wisp", "external")
    return Table(
        name,
        (
            "`id` CHAR(36) NOT NULL DEFAULT (UUID())",
            "`issue_id` VARCHAR(255) NOT NULL",
            *_DEP_COMMON,
            "`depends_on_issue_id` VARCHAR(255) NULL",
            "`depends_on_wisp_id` VARCHAR(255) NULL",
            "`depends_on_external` VARCHAR(255) NULL",
        ),
        primary="`id`",
        uniques=tuple(
            (f"uk_{short}_{t}_target", f"`issue_id`, `depends_on_{_col(t)}`") for t in targets
        ),
        indexes=tuple(
            (f"idx_{short}_type_{t}", f"`type`, `depends_on_{_col(t)}`") for t in targets
        ),
        foreign=((f"fk_{short}_issue", "issue_id", parent),),
        target_foreign=(
            (f"fk_{short}_issue_target", "depends_on_issue_id", "issues"),
            (f"fk_{short}_wisp_target", "depends_on_wisp_id", "wisps"),
        ),
        checks=((f"ck_{short}_one_target", _ONE_TARGET),),
    )


def _col(target: str) -> str:
    return "external" if target == "external" else f"{target}_id"


def _key_value(name: str) -> Table:
    return Table(name, ("`key` VARCHAR(255) NOT NULL", "`value` TEXT NOT NULL"), primary="`key`")


def beads_tables(variant: str = "v1.0.0") -> list[Table]:
    """Every table of a beads database, parents before children."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown beads schema variant {variant!r}; use one of {VARIANTS}")
    deps = _deps_v105 if variant == "v1.0.5" else _deps_v100
    wisp_fk = variant == "v1.0.5"  # beads added the wisp_* foreign keys after v1.0.0
    tables = [_issue_table("issues", variant), _issue_table("wisps", variant)]
    for prefix, parent, fk in (("", "issues", True), ("wisp_", "wisps", wisp_fk)):
        tables += [
            _labels_table(prefix, parent, fk),
            deps(prefix, parent),
            _child_table(prefix, "events", parent, fk),
            _child_table(prefix, "comments", parent, fk),
        ]
    return [*tables, _key_value("config"), _key_value("metadata")]
