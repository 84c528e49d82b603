"""A town's beads history, generated to a row budget: rig work, mail, patrols, agents, convoys.

The shapes (how many, which status, how long a cycle took, how late an ack came) are
drawn from a seeded `random.Random`: this is test data for a static town, never shown as a
measurement of anything. Rows follow gt's conventions (see gastown.md §2.4, §3, §4, §5).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gt_tui.town.addresses import DEACON

from .layout import HQ, RigPlan
from .rows import PATROL_DONE, DependencyRow, EventRow, IssueRow, base36, rfc3339
from .sink import BulkSink

# Share of the row budget per kind of history, and the rows one item of each kind costs.
BUDGET_SHARE = {"work": 0.5, "mail": 0.3, "patrol": 0.2}
ROWS_PER_ITEM = {"work": 5.2, "mail": 11.5, "patrol": 3.0}

_VERBS = ("Fix", "Add", "Refactor", "Document", "Speed up", "Test", "Remove", "Rename")
_NOUNS = ("sling path", "mail router", "convoy view", "patrol loop", "worktree pool", "dolt pool")
_LABELS = ("area:core", "area:ui", "area:db", "perf", "docs", "flaky")
_TYPES = ("task", "task", "task", "bug", "feature", "chore")
_MSG_TYPES = ("notification", "task", "reply", "escalation")
_PROTOCOL = ("polecat_done", "merge_ready", "merged", "nudge", "polecat_started")
_HUMAN = ("Handoff", "Review request", "Question", "Status", "Escalation")
# (weight, low, high) seconds: mail acks mostly within a second; patrol cycles mostly healthy.
ACK_DELAY_S = ((0.4, 0, 0), (0.3, 1, 1), (0.2, 2, 4), (0.1, 5, 12))
CYCLE_S = ((0.8, 6, 28), (0.15, 30, 58), (0.05, 61, 95))


class IdMint:
    """bd-style ids, unique without remembering them: a fixed permutation of 36**6 values."""

    SPACE = 36**6
    STEP = 1_000_003  # prime, so coprime with 36**6: i*STEP mod SPACE visits every value once

    def __init__(self, rng: random.Random) -> None:
        self.offset = rng.randrange(self.SPACE)
        self.count = 0

    def next(self, prefix: str, *, wisp: bool = False) -> str:
        value = (self.offset + self.count * self.STEP) % self.SPACE
        self.count += 1
        tail = base36(value).rjust(6, "0")
        return f"{prefix}-wisp-{tail}" if wisp else f"{prefix}-{tail}"


@dataclass(frozen=True)
class HistoryPlan:
    """How much history to write: derived from a row budget."""

    work_items: int
    mails: int
    patrol_cycles: int  # in total, shared among the patrol agents
    span: timedelta

    @classmethod
    def for_budget(cls, rows: int, span: timedelta) -> HistoryPlan:
        count = {k: int(rows * BUDGET_SHARE[k] / ROWS_PER_ITEM[k]) for k in BUDGET_SHARE}
        return cls(count["work"], count["mail"], count["patrol"], span)


@dataclass
class Context:
    """What every generator needs: where to write and the town's shape."""

    sink: BulkSink
    rng: random.Random
    mint: IdMint
    rigs: Sequence[RigPlan]
    databases: Mapping[str, str]
    now: datetime
    convoys: int

    @property
    def hq(self) -> str:
        return self.databases[HQ]

    def seconds(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(low, high)))

    def polecat_address(self, rig: RigPlan) -> str | None:
        if not rig.polecats:
            return None
        return f"{rig.name}/polecats/{self.rng.choice(rig.polecats)}"


def write_history(ctx: Context, plan: HistoryPlan) -> None:
    """Everything, in an order that keeps foreign keys satisfied; flushed at the end."""
    hooked = write_agents(ctx)
    recent: dict[str, list[str]] = {}
    for index, rig in enumerate(ctx.rigs):
        share = plan.work_items // len(ctx.rigs) + (index < plan.work_items % len(ctx.rigs))
        recent[rig.name] = write_rig_work(ctx, rig, share, plan.span)
        write_merge_requests(ctx, rig)
    write_mail(ctx, plan.mails, plan.span)
    write_patrols(ctx, plan.patrol_cycles)
    ctx.sink.flush()
    write_convoys(ctx, hooked, recent)
    ctx.sink.flush()


# ---- agents and hooked work -------------------------------------------------------------


def _agent_bead(ctx: Context, database: str, id: str, title: str, fields: dict[str, str]) -> None:
    description = "".join(f"{key}: {value}\n" for key, value in fields.items())
    created = ctx.now - timedelta(days=1)
    row = IssueRow(id, title, created, created_by="mayor", description=description)
    ctx.sink.issue(database, row)
    ctx.sink.label(database, id, "gt:agent")
    ctx.sink.event(database, EventRow(id, "created", "mayor", created))


def write_agents(ctx: Context) -> list[tuple[RigPlan, str]]:
    """Agent beads (mayor, deacon, each rig's witness/refinery/polecats); some hook work.

    Returns the hooked rig issues as (rig, issue id) for the convoys.
    """
    for role in ("mayor", "deacon"):
        _agent_bead(ctx, ctx.hq, f"hq-{role}", role, {"role_type": role, "agent_state": "running"})
    hooked = []
    for rig in ctx.rigs:
        db = ctx.databases[rig.name]
        for role in ("witness", "refinery"):
            fields = {"role_type": role, "rig": rig.name, "agent_state": "running"}
            _agent_bead(ctx, db, f"{rig.prefix}-{rig.name}-{role}", f"{rig.name}/{role}", fields)
        for name in rig.polecats:
            work = _polecat(ctx, rig, name)
            hooked += [(rig, work)] if work else []
    return hooked


def _polecat(ctx: Context, rig: RigPlan, name: str) -> str | None:
    """A polecat's agent bead; six in ten are working on a hooked bead."""
    work = _hook_work(ctx, rig, name) if ctx.rng.random() < 0.6 else None
    fields = {"role_type": "polecat", "rig": rig.name, "agent_state": "idle"}
    if work:
        fields |= {"agent_state": "working", "hook_bead": work}
    bead = f"{rig.prefix}-{rig.name}-polecat-{name}"
    _agent_bead(ctx, ctx.databases[rig.name], bead, f"{rig.name}/polecats/{name}", fields)
    return work


def _hook_work(ctx: Context, rig: RigPlan, name: str) -> str:
    """A rig issue slung to a polecat: hooked, or already in progress."""
    db = ctx.databases[rig.name]
    id = ctx.mint.next(rig.prefix)
    created = ctx.now - ctx.seconds(600, 6 * 3600)
    slung = created + ctx.seconds(10, 300)
    started = slung + ctx.seconds(2, 20) if ctx.rng.random() < 0.5 else None
    assignee = f"{rig.name}/polecats/{name}"
    status = "in_progress" if started else "hooked"
    title = f"{ctx.rng.choice(_VERBS)} {ctx.rng.choice(_NOUNS)}"
    row = IssueRow(
        id,
        title,
        created,
        status=status,
        assignee=assignee,
        created_by="mayor",
        updated_at=started or slung,
        started_at=started,
    )
    ctx.sink.issue(db, row)
    ctx.sink.event(db, EventRow(id, "created", "mayor", created))
    ctx.sink.event(db, EventRow(id, "status_changed", "mayor", slung, "open", "hooked"))
    if started:
        ctx.sink.event(db, EventRow(id, "status_changed", assignee, started, "hooked", status))
    return id


def write_merge_requests(ctx: Context, rig: RigPlan) -> None:
    """Open merge requests (label `gt:merge-request`) waiting for the refinery."""
    db = ctx.databases[rig.name]
    for name in rig.polecats[: max(1, len(rig.polecats) // 4)]:
        id = ctx.mint.next(rig.prefix)
        created = ctx.now - ctx.seconds(60, 3 * 3600)
        title = f"Merge: polecat/{name}"
        ctx.sink.issue(db, IssueRow(id, title, created, created_by=f"{rig.name}/polecats/{name}"))
        ctx.sink.label(db, id, "gt:merge-request")
        ctx.sink.event(db, EventRow(id, "created", f"{rig.name}/polecats/{name}", created))


# ---- rig work ---------------------------------------------------------------------------


def write_rig_work(ctx: Context, rig: RigPlan, count: int, span: timedelta) -> list[str]:
    """`count` work issues over `span`; returns the ids of the most recent ones."""
    db = ctx.databases[rig.name]
    recent: list[str] = []
    for _ in range(count):
        id = _work_item(ctx, rig, db, span, recent)
        recent = [*recent[-49:], id]
    return recent


def _work_item(ctx: Context, rig: RigPlan, db: str, span: timedelta, recent: list[str]) -> str:
    rng = ctx.rng
    id = ctx.mint.next(rig.prefix)
    created = ctx.now - timedelta(seconds=int(rng.random() * span.total_seconds()) + 3600)
    roll = rng.random()
    assignee = ctx.polecat_address(rig) if roll < 0.8 else None
    started = created + ctx.seconds(5, 3600) if assignee else None
    closed = None
    if started and roll < 0.7:
        closed = min(started + ctx.seconds(60, 8 * 3600), ctx.now)
    status = "closed" if closed else "in_progress" if started else "open"
    title = f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)}"
    row = IssueRow(
        id,
        title,
        created,
        status=status,
        priority=rng.choice((0, 1, 2, 2, 2, 3)),
        issue_type=rng.choice(_TYPES),
        assignee=assignee,
        created_by="mayor",
        started_at=started,
        closed_at=closed,
        close_reason="Completed" if closed else "",
    )
    ctx.sink.issue(db, row)
    for label in rng.sample(_LABELS, rng.choice((0, 1, 1, 2))):
        ctx.sink.label(db, id, label)
    _work_events(ctx, db, row)
    if recent and rng.random() < 0.2:
        ctx.sink.dependency(db, DependencyRow(id, rng.choice(recent), "blocks", created, "mayor"))
    return id


def _work_events(ctx: Context, db: str, row: IssueRow) -> None:
    ctx.sink.event(db, EventRow(row.id, "created", row.created_by, row.created_at))
    if row.started_at and row.assignee:
        change = EventRow(
            row.id, "status_changed", row.assignee, row.started_at, "open", "in_progress"
        )
        ctx.sink.event(db, change)
    if row.closed_at:
        ctx.sink.event(
            db,
            EventRow(row.id, "closed", row.assignee or "", row.closed_at, "in_progress", "closed"),
        )


# ---- mail -------------------------------------------------------------------------------


def _addresses(ctx: Context) -> list[str]:
    found = ["mayor/", "deacon/"]
    for rig in ctx.rigs:
        found += [f"{rig.name}/witness", f"{rig.name}/refinery"]
        found += [f"{rig.name}/{name}" for name in rig.polecats]
    return found


def write_mail(ctx: Context, count: int, span: timedelta) -> None:
    """Messages between agents: most acked within seconds, some read, some pending."""
    addresses = _addresses(ctx)
    for _ in range(count):
        sender, recipient = ctx.rng.sample(addresses, 2)
        _message(ctx, sender, recipient, span)


def _ack_delay(rng: random.Random) -> timedelta:
    return timedelta(seconds=_draw(rng, ACK_DELAY_S))


def _message(ctx: Context, sender: str, recipient: str, span: timedelta) -> None:
    rng = ctx.rng
    protocol = rng.random() < 0.2
    id = ctx.mint.next("hq", wisp=protocol)
    table, prefix = ("wisps", "wisp_") if protocol else ("issues", "")
    subject = (
        f"{rng.choice(_PROTOCOL)}: {id}" if protocol else f"{rng.choice(_HUMAN)} from {sender}"
    )
    created = ctx.now - timedelta(seconds=int(rng.random() * span.total_seconds()) + 30)
    acked = created + _ack_delay(rng) if rng.random() < 0.9 else None
    read = acked + ctx.seconds(1, 600) if acked and rng.random() < 0.7 else None
    read = min(read, ctx.now) if read else None
    labels = [
        "gt:message",
        f"from:{sender}",
        f"msg-type:{rng.choice(_MSG_TYPES)}",
        "delivery:pending",
    ]
    row = IssueRow(
        id,
        subject,
        created,
        status="closed" if read else "open",
        assignee=recipient,
        created_by=sender,
        ephemeral=protocol,
        closed_at=read,
        updated_at=read or acked,
    )
    ctx.sink.issue(ctx.hq, row, table)
    for label in labels:
        ctx.sink.label(ctx.hq, id, label, prefix)
    ctx.sink.event(ctx.hq, EventRow(id, "created", sender, created), prefix)
    if acked:
        _mail_labels(ctx, id, prefix, recipient, acked, _ack_labels(recipient, acked))
    if read:
        _mail_labels(ctx, id, prefix, recipient, read, ["read"])
        ctx.sink.event(ctx.hq, EventRow(id, "closed", recipient, read, "open", "closed"), prefix)


def _ack_labels(by: str, at: datetime) -> list[str]:
    return [f"delivery-acked-by:{by}", f"delivery-acked-at:{rfc3339(at)}", "delivery:acked"]


def _mail_labels(
    ctx: Context, id: str, prefix: str, actor: str, at: datetime, labels: list[str]
) -> None:
    for label in labels:
        ctx.sink.label(ctx.hq, id, label, prefix)
        event = EventRow(id, "label_added", actor, at, comment=f"Added label: {label}")
        ctx.sink.event(ctx.hq, event, prefix)


# ---- patrols ----------------------------------------------------------------------------


def _patrol_agents(rigs: Sequence[RigPlan]) -> list[tuple[str, str]]:
    agents = [("deacon", DEACON)]
    for rig in rigs:
        agents += [("witness", f"{rig.name}/witness"), ("refinery", f"{rig.name}/refinery")]
    return agents


def _draw(rng: random.Random, table: tuple[tuple[float, int, int], ...]) -> int:
    """A whole number of seconds from a (weight, low, high) table."""
    weights = [weight for weight, _, _ in table]
    _, low, high = rng.choices(table, weights)[0]
    return rng.randint(low, high)


def write_patrols(ctx: Context, cycles: int) -> None:
    """Closed patrol cycles per agent, back from now, and each agent's open (hooked) one."""
    agents = _patrol_agents(ctx.rigs)
    for index, (role, assignee) in enumerate(agents):
        share = cycles // len(agents) + (index < cycles % len(agents))
        end = ctx.now - ctx.seconds(5, 60)
        _patrol_cycle(ctx, role, assignee, ctx.now - ctx.seconds(1, 20), None)
        for _ in range(share):
            start = end - timedelta(seconds=_draw(ctx.rng, CYCLE_S))
            _patrol_cycle(ctx, role, assignee, start, end)
            end = start - ctx.seconds(30, 300)


def _patrol_cycle(
    ctx: Context, role: str, assignee: str, start: datetime, end: datetime | None
) -> None:
    """One cycle's root wisp: hooked while running, closed by `gt patrol report`."""
    id = ctx.mint.next("hq", wisp=True)
    summary = f"{ctx.rng.randint(0, 4)} actions, all healthy" if end else ""
    row = IssueRow(
        id,
        f"mol-{role}-patrol",
        start,
        status="closed" if end else "hooked",
        assignee=assignee,
        created_by=assignee,
        issue_type="molecule",
        description=f"Patrol report: {summary}" if end else "",
        closed_at=end,
        close_reason=PATROL_DONE + summary if end else "",
        ephemeral=True,
        mol_type="patrol",
        wisp_type="patrol",
    )
    ctx.sink.issue(ctx.hq, row, "wisps")
    ctx.sink.event(ctx.hq, EventRow(id, "created", assignee, start), "wisp_")
    if end:
        ctx.sink.event(ctx.hq, EventRow(id, "closed", assignee, end, "hooked", "closed"), "wisp_")


# ---- convoys ----------------------------------------------------------------------------


def write_convoys(
    ctx: Context, hooked: list[tuple[RigPlan, str]], recent: dict[str, list[str]]
) -> None:
    """The tier's open convoys: every hooked bead is tracked, plus recent rig work."""
    convoys = [ctx.mint.next("hq-cv") for _ in range(ctx.convoys)]
    tracked: dict[str, list[str]] = {cv: [] for cv in convoys}
    for index, (rig, issue) in enumerate(hooked):
        tracked[convoys[index % len(convoys)]].append(_external(rig, issue))
    pool = [(rig, issue) for rig in ctx.rigs for issue in recent.get(rig.name, [])]
    for cv in convoys:
        for rig, issue in ctx.rng.sample(pool, min(len(pool), ctx.rng.randint(1, 4))):
            if _external(rig, issue) not in tracked[cv]:
                tracked[cv].append(_external(rig, issue))
        _convoy(ctx, cv, tracked[cv])


def _external(rig: RigPlan, issue: str) -> str:
    return f"external:{rig.prefix}:{issue}"


def _convoy(ctx: Context, id: str, targets: list[str]) -> None:
    created = ctx.now - ctx.seconds(300, 12 * 3600)
    title = f"Work: {ctx.rng.choice(_VERBS).lower()} {ctx.rng.choice(_NOUNS)}"
    ctx.sink.issue(ctx.hq, IssueRow(id, title, created, issue_type="convoy", created_by="mayor"))
    ctx.sink.event(ctx.hq, EventRow(id, "created", "mayor", created))
    for target in targets:
        ctx.sink.dependency(ctx.hq, DependencyRow(id, target, "tracks", created, "mayor"))
