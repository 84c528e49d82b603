"""The bottleneck map of the spec's section 1: each part of the town, judged, in one glance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gt_tui import health as h
from gt_tui.engine.dolt_process import usage_text
from gt_tui.engine.facts import TownFacts
from gt_tui.engine.snapshot import MapNode, MetricSummary, SourceError
from gt_tui.engine.window import summarize
from gt_tui.health import Health
from gt_tui.town.addresses import DEACON, canonical_address
from gt_tui.units import format_age, format_figure


@dataclass(frozen=True)
class MapInputs:
    """Everything the map is drawn from."""

    now: datetime
    facts: TownFacts
    metrics: dict[str, MetricSummary]
    queue_limit: int
    refinery_queue_limit: int
    tmux_limit: int = 50
    # Sources not read this refresh: their facts are the last good ones (stale) or none.
    stale: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()
    dolt_error: SourceError | None = None

    def count(self, source: str, text: str) -> str:
        """A fact read from `source`, as this refresh knows it: marked when stale or unknown."""
        if source in self.unknown:
            return f"{text.rsplit(' ', 1)[0]} ?"
        return f"{text} (stale)" if source in self.stale else text

    def judge(self, source: str, health: Health) -> Health:
        """A fact's health, unknown while its source is not read."""
        return Health.UNKNOWN if source in self.stale | self.unknown else health


def _secs(value: float | None) -> str:
    return "—" if value is None else format_age(value)


def _p95(metric: MetricSummary, unit: str = "s") -> str:
    """The p95 as the metric's pane writes it (`p95 80 µs`, `p95 3 s`), the value in `unit`;
    a failing source's last figure is marked stale."""
    if metric.p95 is None:
        return "no samples"
    stale = " (stale)" if metric.stale else ""
    return f"p95 {format_figure(metric.p95, unit, metric.key)}{stale}"


def _group_health(metric: MetricSummary, match: Callable[[str], bool]) -> tuple[Health, str]:
    """The metric's threshold applied to the p95 of the samples of some groups (roles), or
    to their second-largest value while they are few (`health.judge_window`)."""
    stats = summarize([s.value for s in metric.samples if match(s.group)])
    if stats.p95 is None:
        return Health.UNKNOWN, "no cycles"
    text = f"cycle p95 {format_figure(stats.p95, metric.unit, metric.key)} ({stats.count})"
    if metric.stale:  # the last cycles read, before the source failed: shown, not judged
        return Health.UNKNOWN, f"{text} (stale)"
    limit = h.Threshold(metric.warning, metric.danger)
    return h.judge_window(limit, stats.count, stats.runner_up, stats.p95), text


def mayor(i: MapInputs) -> MapNode:
    """The sling queue, and the dispatches gt gave up on (circuit-broken): a warning when any."""
    f = i.facts
    depth = i.judge("queue", h.fraction_health(f.queue_depth, i.queue_limit))
    wait = _secs(f.queue_oldest_wait_s)
    failed = i.count("queue", f"dispatch failures {f.dispatch_failures}")
    facts = [i.count("queue", f"queue {f.queue_depth}/{i.queue_limit}"), f"oldest wait {wait}"]
    # First when there are any, so the verdict's "why" names them.
    facts.insert(0 if f.dispatch_failures else 2, failed)
    broken = i.judge("queue", Health.WARNING if f.dispatch_failures else Health.HEALTHY)
    return MapNode("mayor", "Mayor · dispatch", h.worst([depth, broken]), tuple(facts))


def deacon(i: MapInputs) -> MapNode:
    beat = i.facts.deacon_heartbeat
    age = None if beat is None else (i.now - beat).total_seconds()
    beat_health = (
        Health.UNKNOWN
        if age is None
        else h.Threshold(h.DEACON_HEARTBEAT_STALE_S, h.DEACON_HEARTBEAT_RESTART_S).judge(age)
    )
    patrol_health, patrol = _group_health(
        i.metrics["patrol_cycle"], lambda g: canonical_address(g) == DEACON
    )
    beat_text = "no heartbeat file" if age is None else f"heartbeat {_secs(age)} ago"
    return MapNode(
        "deacon", "Deacon · patrol", h.worst([beat_health, patrol_health]), (patrol, beat_text)
    )


def mail(i: MapInputs) -> MapNode:
    metric = i.metrics["mail_lag"]
    backlog = i.count("mail", f"backlog {i.facts.mail_backlog}")
    return MapNode("mail", "Mail", i.judge("mail", metric.health), (_p95(metric), backlog))


def dolt(i: MapInputs) -> MapNode:
    """Latency, connections against the server's own max_connections (gt's 1000 when
    unknown), new connections per second and long queries."""
    metric, f = i.metrics["dolt_latency"], i.facts
    if i.dolt_error is not None:  # an outage, whatever the last window said
        since = i.dolt_error.since.astimezone().strftime("%H:%M:%S")
        down = (f"UNREACHABLE since {since}", _p95(metric, "ms"))
        return MapNode("dolt", "Dolt server", Health.DANGER, down)
    limit = f.max_connections or h.DOLT_MAX_CONNECTIONS
    conns = (
        Health.UNKNOWN
        if f.connections is None
        else h.fraction_health(f.connections, limit, h.DOLT_ADMISSION_FRACTION)
    )
    facts = [_p95(metric, "ms")]
    if f.connections is not None:
        facts.append(f"conns {f.connections}/{limit}")
    if f.new_connections_per_s is not None:
        facts.append(f"new conns {f.new_connections_per_s:.1f}/s")
    if f.long_queries is not None:
        facts.append(f"long queries {f.long_queries}")
    if (usage := usage_text(f.dolt_cpu_percent, f.dolt_rss_bytes)) is not None:
        facts.append(usage)
    if f.bd_processes is not None:  # many short bd callers are what load a Dolt server
        rate = "" if f.bd_started_per_s is None else f" +{f.bd_started_per_s:.1f}/s"
        facts.append(f"bd {f.bd_processes}{rate}")
    return MapNode("dolt", "Dolt server", h.worst([metric.health, conns]), tuple(facts))


def witness(i: MapInputs) -> MapNode:
    health, text = _group_health(i.metrics["patrol_cycle"], lambda g: g.endswith("/witness"))
    return MapNode("witness", "Witness · patrol", health, (text,))


def refinery(i: MapInputs) -> MapNode:
    mrs = i.facts.merge_requests
    ages = [(i.now - at).total_seconds() for _db, _id, at in mrs if at is not None]
    depth = i.judge("merge_requests", h.fraction_health(len(mrs), i.refinery_queue_limit))
    patrol, text = _group_health(i.metrics["patrol_cycle"], lambda g: g.endswith("/refinery"))
    facts = (
        i.count("merge_requests", f"MR queue {len(mrs)}/{i.refinery_queue_limit}"),
        f"oldest {_secs(max(ages) if ages else None)}",
        text,
    )
    return MapNode("refinery", "Refinery · merges", h.worst([depth, patrol]), facts)


def polecats(i: MapInputs) -> MapNode:
    metric, f = i.metrics["polecat_spawn"], i.facts
    running = "?" if f.running_sessions is None else str(len(f.running_sessions))
    facts = [_p95(metric), f"running {running} of {len(f.polecats)}"]
    if f.agents is not None:
        facts.append(i.count("agents", f"agent beads {f.agents}"))
    over = Health.WARNING if f.offenders else Health.HEALTHY
    if f.offenders:
        facts.append(f"over limits: {', '.join(f.offenders[:3])}")
    sessions = Health.UNKNOWN
    if f.tmux_sessions is not None:  # tmux.max_sessions: enforced in the sandbox, warned here
        sessions = h.fraction_health(f.tmux_sessions, i.tmux_limit)
        facts.append(f"tmux sessions {f.tmux_sessions}/{i.tmux_limit}")
    health = h.worst([metric.health, over, sessions])
    return MapNode("polecats", "Polecats · spawn", health, tuple(facts))


BUILDERS = (mayor, deacon, mail, dolt, witness, refinery, polecats)


def bottleneck_map(inputs: MapInputs) -> tuple[MapNode, ...]:
    """The seven boxes, in the spec diagram's order."""
    return tuple(build(inputs) for build in BUILDERS)
