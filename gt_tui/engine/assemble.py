"""Building the Snapshot's parts from what the engine holds after a refresh.

Pure functions: each takes what it shows (windows' samples, facts, the server's status,
errors) and returns one frozen Snapshot piece; nothing here reads a source.
"""

from __future__ import annotations

from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.carryover import town_counts_unread
from gt_tui.engine.facts import TownFacts
from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.limits.limited_db import LimitedDatabase
from gt_tui.engine.snapshot import (
    DoltInfo,
    EngineInfo,
    MetricSummary,
    Sample,
    SourceError,
    TownInfo,
)
from gt_tui.engine.window import CountWindow, TimeWindow, summarize
from gt_tui.health import MetricSpec, Threshold, few_samples, judge_window, scale_tier
from gt_tui.safe_text import safe_text
from gt_tui.town.model import Town
from gt_tui.town.server import ProbeResult, ServerStatus, probe_sql

SOURCE_TEXT = {
    "polecat_spawn": "sling/spawn → session_start in {events}",
    "mail_lag": "created_at → delivery-acked-at label, gt:message beads in {hq}",
    "convoy_refresh": "engine build of the convoy view (2 queries)",
    "patrol_cycle": "closed_at − created_at of mol-*-patrol wisps, all databases",
}

Unread = tuple[frozenset[str], frozenset[str]]  # (stale, unknown) sources: carryover.py


def describe(
    metric: str, town: Town, server: ServerStatus | None, probe: ProbeResult | None
) -> str:
    """Where a metric's numbers come from, for the zoomed view and tooltips."""
    if metric == "dolt_latency":
        sql = probe.sql if probe else probe_sql(server.kind if server else "mysql")
        fallback = f" (fallback: {probe.reason})" if probe and probe.fell_back else ""
        return f"`{sql}` round trip through the pool{fallback}"
    return SOURCE_TEXT[metric].format(events=town.events_file.name, hq=town.hq_database)


def metric_summary(
    spec: MetricSpec,
    limit: Threshold,
    window: CountWindow | TimeWindow | tuple[Sample, ...],
    error: SourceError | None,
    source: str,
    skipped: int,
) -> MetricSummary:
    """One metric's window summarized and judged (on its second-largest value while it has
    few samples: `health.judge_window`); `error` is its own source's failure. A window is
    read off its sorted values (no pass over its samples); bare samples are summarized."""
    if isinstance(window, tuple):
        samples, stats = window, summarize([s.value for s in window])
    else:
        samples = window.samples()  # first: it evicts what fell out of the window
        stats = window.stats()
    return MetricSummary(
        key=spec.key,
        label=spec.label,
        unit=spec.unit,
        count=stats.count,
        p50=stats.p50,
        p95=stats.p95,
        max=stats.max,
        health=judge_window(limit, stats.count, stats.runner_up, stats.p95),
        warning=limit.warning,
        danger=limit.danger,
        source=source,
        samples=samples,
        stale=error is not None,
        error=error.message if error else None,
        error_since=error.since if error else None,
        precision_note=spec.precision,
        skipped=skipped,
        few_samples=few_samples(stats.count),
    )


def town_info(town: Town, mode: str, f: TownFacts, unread: Unread) -> TownInfo:
    stale, unknown = unread
    # Idle pool polecats are capacity, not load: they do not make the town a bigger tier.
    tier = scale_tier(len(f.polecats) - f.polecats_idle, len(f.convoys))
    running = None if f.running_sessions is None else len(f.running_sessions)
    return TownInfo(
        name=town.name,
        root=safe_text(str(town.root)),
        mode=mode,
        rigs=tuple(rig.name for rig in town.rigs),
        scale=tier.name,
        scale_target_s=tier.target_seconds,
        polecats=len(f.polecats),
        polecats_running=running,
        polecats_idle=f.polecats_idle,
        convoys_open=None if "convoys" in unknown else sum(not c.staged for c in f.convoys),
        mail_backlog=None if "mail" in unknown else f.mail_backlog,
        tmux=f.tmux_state,
        convoys_staged=None if "convoys" in unknown else sum(c.staged for c in f.convoys),
        stale=town_counts_unread(stale | unknown),
    )


def sqlite_label(mode: str) -> str:
    """Where a SQLite town's beads are: the live demo's, or a static town built by
    `gt-tui sandbox build` (only the sandbox writes SQLite towns; gt itself runs Dolt)."""
    return "sqlite (demo)" if mode == "demo" else "sqlite (static town)"


def dolt_info(
    town: Town,
    server: ServerStatus | None,
    probe: ProbeResult | None,
    error: SourceError | None,
    f: TownFacts,
    mode: str = "live",
) -> DoltInfo:
    status = server or ServerStatus("unknown", "")
    sqlite = town.is_sqlite
    return DoltInfo(
        sqlite_label(mode) if sqlite else safe_text(str(town.endpoint)),
        status.kind,
        status.version,
        f.connections,
        error.message if error else None,
        error.since if error else None,
        probe=probe.sql if probe else None,
        probe_note=probe.reason if probe and probe.fell_back else "",
        transport=None if sqlite else town.endpoint.transport,
        max_connections=status.max_connections,
        new_connections_per_s=f.new_connections_per_s,
        time_zone=status.time_zone,
        system_time_zone=status.system_time_zone,
        cpu_percent=f.dolt_cpu_percent,
        rss_bytes=f.dolt_rss_bytes,
    )


def engine_info(
    db: LimitedDatabase,
    cache: EngineCache,
    limits: Limits,
    cost: tuple[float, int],
    queue: tuple[int, int],
) -> EngineInfo:
    """The engine's own figures: `cost` is (refresh ms, queries), `queue` (depth, limit)."""
    stats, cached, bucket = db.pool_stats(), cache.stats(), limits.bucket.stats()
    return EngineInfo(
        refresh_ms=cost[0],
        queries=cost[1],
        pool_open=stats.open if stats else None,
        pool_idle=stats.idle if stats else None,
        cache_hits=cached.hits,
        cache_misses=cached.misses,
        cache_size=cached.size,
        rate_tokens=bucket.tokens,
        rate_waiters=bucket.waiters,
        queue_depth=queue[0],
        queue_limit=queue[1],
    )
