"""Towns with KNOWN data for the engine and CLI tests, built by the test-only `builder`.

`build_town(...)` lays a town out on disk as gt does (`builder.town.lay_out`: town files,
real git repos, polecat worktrees), creates beads' own schema in either variant
(`builder.schema.create_database`, from beads' DDL) on the session's MariaDB or on SQLite
files, and returns a `BuiltTown` with a read-write handle and writers. None of it is the
sandbox's code, so the engine tests cannot share a misreading of gt with the sandbox.
The `add_known_*` functions then write the data whose figures the tests check by hand;
each docstring lists what it writes, relative to `now`.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from builder.beads import Beads
from builder.files import append_event, sqlite_file
from builder.rows import DependencyRow, IssueRow, tracking_target
from builder.schema import create_database, drop_database
from builder.town import Rig, lay_out
from clock import NOW
from sqlserver import SQLServer

from gt_tui.town.db import Database, quote_name
from gt_tui.town.layout import load_town
from gt_tui.town.model import Town
from gt_tui.town.sqlite_db import SQLiteDatabase

# Round trips of a steady refresh in which no bead changed: the probe (and the processlist,
# on a server) and the change feed; mail and the convoy view are held (their cadence,
# engine/readers/__init__.py). Not one more per convoy, rig or message; a change adds at
# most one lookup per reader that keeps rows (backlog, patrols, queue, merge requests).
QUERIES_PER_REFRESH = {"mysql": 3, "sqlite": 2}
# What a refresh that reads a held source adds where no bead changed: the window's mail
# acks; the open convoys and their tracked issues.
MAIL_QUERIES, CONVOY_QUERIES = 1, 2
# What the first refresh adds: the feed's baseline (two queries where later ones take one)
# and the full reads of the kept rows (backlog, patrols: their closed events then the rows,
# queue, merge requests).
FIRST_REFRESH_FULL_READS = 1 + 5
RIGS = (Rig("gastown", "gt", ("Toast", "Nux")), Rig("beads", "bd", ("Rex",)))


def ago(now: datetime, seconds: float) -> datetime:
    return now - timedelta(seconds=seconds)


@dataclass
class BuiltTown:
    """A town on disk and its beads databases, with a read-write handle to fill them."""

    root: Path
    backend: str  # "mysql" | "sqlite"
    variant: str  # "v1.0.0" | "v1.0.5"
    databases: dict[str, str]  # "hq" and each rig name -> database name
    db: Database
    server: SQLServer | None = None
    _writers: dict[str, Beads] = field(default_factory=dict)

    @property
    def hq(self) -> str:
        return self.databases["hq"]

    def writer(self, key: str = "hq") -> Beads:
        """A writer whose "town database" is `key`'s (so patrols can go to a rig too)."""
        if key not in self._writers:
            self._writers[key] = Beads(self.db, hq=self.databases[key], variant=self.variant)
        return self._writers[key]

    def town(self, env: dict[str, str] | None = None) -> Town:
        """The town as gt-tui reads it (a clean environment unless `env` is given)."""
        return load_town(self.root, {} if env is None else env)

    def event(self, type: str, actor: str, payload: dict[str, Any], ts: datetime) -> None:
        append_event(self.root, type, actor, payload, ts)

    def close(self) -> None:
        """Drop the MySQL databases this town created; close the handle."""
        if self.backend == "mysql":
            for name in self.databases.values():
                with suppress(Exception):
                    drop_database(self.db, name)
        self.db.close()


def build_town(
    root: Path,
    backend: str,
    variant: str = "v1.0.0",
    *,
    server: SQLServer | None = None,
    rigs: tuple[Rig, ...] = RIGS,
    name: str = "testtown",
) -> BuiltTown:
    """Lay out a town and create its (empty) beads databases on `backend`."""
    keys = ["hq", *(rig.name for rig in rigs)]
    if backend == "mysql":
        assert server is not None, "a mysql town needs the mariadb fixture's server"
        databases = dict(zip(keys, server.fresh_database_names(len(keys)), strict=True))
        lay_out(root, name, rigs, server.endpoint, databases, NOW)
        db: Database = server.admin()
    else:
        databases = {key: key for key in keys}
        lay_out(root, name, rigs, None, databases, NOW)
        db = SQLiteDatabase({d: sqlite_file(root, d) for d in databases.values()})
    prefixes = {"hq": "hq", **{rig.name: rig.prefix for rig in rigs}}
    for key, database in databases.items():
        create_database(db, database, variant, prefixes[key])
    return BuiltTown(root, backend, variant, databases, db, server)


# ---- known data ------------------------------------------------------------------------


def add_known_mail(t: BuiltTown, now: datetime) -> None:
    """Mail in hq. Acked inside the 15-minute window, lags 2 s, 4 s and 7 s (the 7 s one an
    ephemeral wisp); one acked 30 min ago (outside); one whose ack time is unparseable.
    Backlog: one pending in `issues`, one pending in `wisps`; not counted: one pending but
    closed, every acked one, and a non-message carrying `delivery:pending`.
    """
    w = t.writer()
    # (id, subject, sent seconds ago, lag): gt sends protocol subjects as wisps
    acked = [
        ("hq-lag2", "note one", 600, 2),
        ("hq-lag4", "note two", 500, 4),
        ("hq-wisp-lag7", "merge_ready gt-a2", 400, 7),
    ]
    for mail_id, subject, sent, lag in acked:
        w.send_mail(
            sender="gastown/witness",
            recipient="mayor/",
            subject=subject,
            created_at=ago(now, sent),
            id=mail_id,
        )
        w.ack_mail(mail_id, "mayor/", ago(now, sent - lag))
    old = w.send_mail(
        sender="deacon", recipient="mayor/", subject="old", created_at=ago(now, 1900), id="hq-old"
    )
    w.ack_mail(old, "mayor/", ago(now, 1800))
    bad = w.send_mail(
        sender="deacon", recipient="mayor/", subject="bad ack", created_at=ago(now, 300)
    )
    w.add_label(t.hq, bad, "delivery-acked-at:not-a-time")
    w.add_label(t.hq, bad, "delivery:acked")
    w.send_mail(sender="deacon", recipient="mayor/", subject="pending", created_at=ago(now, 200))
    w.send_mail(
        sender="gastown/polecats/Toast",
        recipient="gastown/witness",
        subject="polecat_done gt-a1",
        created_at=ago(now, 100),
    )
    closed = w.send_mail(
        sender="deacon", recipient="mayor/", subject="archived", created_at=ago(now, 250)
    )
    w.close_issue(t.hq, closed, ago(now, 240), "archived")
    w.add_issue(t.hq, "hq-notmail", "a task", created_at=ago(now, 90), labels=["delivery:pending"])


def add_known_convoys(t: BuiltTown, now: datetime) -> None:
    """Convoys in hq. Open `hq-cv-a` tracks gt-a1 (closed), gt-a2 (in progress, Toast's) and
    the hq-local hq-h1 (closed): 3 tracked, 2 closed. Open `hq-cv-b` tracks bd-b1 (open,
    in rig `beads`): 1 tracked, 0 closed. `hq-cv-c` is closed and not counted.
    """
    gastown, beads, hq = t.writer("gastown"), t.writer("beads"), t.writer()
    created = ago(now, 3600)
    gastown.add_issue(
        t.databases["gastown"],
        "gt-a1",
        "first",
        created_at=created,
        status="closed",
        closed_at=ago(now, 1200),
    )
    gastown.add_issue(
        t.databases["gastown"],
        "gt-a2",
        "second",
        created_at=created,
        status="in_progress",
        assignee="gastown/polecats/Toast",
    )
    beads.add_issue(t.databases["beads"], "bd-b1", "third", created_at=created)
    hq.add_issue(t.hq, "hq-h1", "town task", created_at=created, status="closed", closed_at=now)
    hq.create_convoy("hq-cv-a", "Work: A", ["gt-a1", "gt-a2", "hq-h1"], created_at=created)
    hq.create_convoy("hq-cv-b", "Work: B", ["bd-b1"], created_at=ago(now, 3000))
    hq.create_convoy("hq-cv-c", "Work: C", ["gt-a1"], created_at=ago(now, 2000))
    hq.close_issue(t.hq, "hq-cv-c", ago(now, 1000), "all done")


def add_convoys(t: BuiltTown, now: datetime, count: int) -> None:
    """`count` open convoys, each tracking one new rig issue in `gastown` (3 bulk writes)."""
    hq = t.writer()
    issues = [IssueRow(f"gt-w{n}", f"work {n}", ago(now, 900)) for n in range(count)]
    hq.add_issues_bulk(t.databases["gastown"], issues)
    convoys = [
        IssueRow(f"hq-cv-n{n}", f"Work: {n}", ago(now, 800), issue_type="convoy")
        for n in range(count)
    ]
    hq.add_issues_bulk(t.hq, convoys)
    edges = [
        DependencyRow(c.id, tracking_target(i.id), "tracks", c.created_at)
        for c, i in zip(convoys, issues, strict=True)
    ]
    hq.add_dependencies_bulk(t.hq, edges)


def add_known_patrols(t: BuiltTown, now: datetime) -> None:
    """Patrol root wisps. Complete in the window: deacon 20 s (hq), gastown/witness 45 s
    (hq), gastown/refinery 70 s (in the rig's database). Not counted: one burned, one
    completed 20 minutes ago. Running (hooked): deacon since now-300 s.
    """
    hq, rig = t.writer(), t.writer("gastown")
    cycles = [
        (hq, "deacon", "deacon", 600, 20),
        (hq, "witness", "gastown/witness", 500, 45),
        (rig, "refinery", "gastown/refinery", 400, 70),
        (hq, "deacon", "deacon", 1300, 10),  # closed at now-1290 s: outside the window
    ]
    for writer, role, who, created, length in cycles:
        wisp = writer.open_patrol(role, who, ago(now, created))
        writer.close_patrol(wisp, ago(now, created - length), "all green")
    burned = hq.open_patrol("witness", "gastown/witness", ago(now, 700))
    hq.close_issue(
        t.hq, burned, ago(now, 690), "burned: replaced by new patrol cycle", table="wisps"
    )
    hq.open_patrol("deacon", "deacon", ago(now, 300))


def add_known_events(t: BuiltTown, now: datetime) -> None:
    """`.events.jsonl`: spawn→session_start 3 s (gastown/Toast), sling→session_start 8 s
    (gastown/Nux, no spawn), spawn→session_start 20 s (beads/Rex); ignored: a mayor
    session_start, a polecat session_start with nothing before it, a pair outside the
    window (an hour ago), and one line that is not JSON.
    """
    toast, nux, rex = "gastown/polecats/Toast", "gastown/polecats/Nux", "beads/polecats/Rex"
    t.event("spawn", "gt", {"rig": "gastown", "polecat": "Toast"}, ago(now, 3604))
    t.event("session_start", toast, {"role": toast}, ago(now, 3600))
    t.event("spawn", "gt", {"rig": "gastown", "polecat": "Toast"}, ago(now, 600))
    t.event("sling", "mayor", {"bead": "gt-a2", "target": toast}, ago(now, 599))
    t.event("session_start", toast, {"role": toast}, ago(now, 597))
    t.event("sling", "mayor", {"bead": "gt-a3", "target": nux}, ago(now, 500))
    t.event("session_start", "mayor", {"role": "mayor"}, ago(now, 495))
    t.event("session_start", nux, {"role": nux}, ago(now, 492))
    with (t.root / ".events.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("this is not json\n")
    t.event("session_start", "gastown/polecats/Ghost", {}, ago(now, 450))
    t.event("spawn", "gt", {"rig": "beads", "polecat": "Rex"}, ago(now, 400))
    t.event("session_start", rex, {"role": rex}, ago(now, 380))


# ---- Dolt on MariaDB -------------------------------------------------------------------

DOLT_VERSION = "1.43.0-emulated"


def emulate_dolt(db: Database, databases: list[str], *, branch_error: str | None = None) -> None:
    """Dolt's session functions as STORED FUNCTIONS `active_branch()` and `dolt_version()` in
    each database: unqualified, they resolve only when that database is the session's current
    one, as Dolt's `active_branch()` needs one. `branch_error`: `active_branch()` raises it
    (SIGNAL), as Dolt does when the session has no database.
    """
    for name in databases:
        q = quote_name(name)
        db.execute(
            f"CREATE FUNCTION {q}.dolt_version() RETURNS VARCHAR(64) DETERMINISTIC RETURN %s",
            [DOLT_VERSION],
        )
        body = (
            "RETURN 'main'"
            if branch_error is None
            else "BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = %s; RETURN ''; END"
        )
        params = [] if branch_error is None else [branch_error]
        db.execute(
            f"CREATE FUNCTION {q}.active_branch() RETURNS VARCHAR(64) DETERMINISTIC {body}",
            params,
        )
