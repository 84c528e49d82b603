"""The engine's source readers: each reads one source once per refresh and updates the engine.

They run in order; a reader that raises is recorded by the engine as a failing source, and
the others still run. Every database reader is a constant number of round trips.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gt_tui import health as h
from gt_tui.engine.batch import fetch_beads
from gt_tui.engine.collectors import (
    ConvoyProgress,
    convoy_view,
    heartbeat_time,
    in_window,
    lenient_utc,
    mail_samples,
    patrol_samples,
    polecat_names,
)
from gt_tui.engine.queue import read_sling_contexts
from gt_tui.engine.resources import AgentUsage
from gt_tui.engine.snapshot import Sample
from gt_tui.town import beads
from gt_tui.town.agents import polecat_process_names
from gt_tui.town.pool import PoolLimits
from gt_tui.town.schema import BeadsSchema, detect_schema
from gt_tui.town.server import ServerStatus, idle_limit, probe_sql, read_server_status, run_probe
from gt_tui.town.tmux import list_sessions, tmux_available

if TYPE_CHECKING:
    from gt_tui.engine.engine import Engine


def read_dolt(engine: Engine, now: datetime) -> None:
    """The probe, then one processlist read: connections, long queries and the highest id.

    The server's status (kind, limits, zones) is read through the L2 "status" cache; a
    fresh read retries Dolt's own probe after a fallback and caps the pool's idle time.
    """
    status = engine.cache.read_through("status", "server", lambda: _server_status(engine))
    engine.server = status
    failing = engine.probe.reason if engine.probe and engine.probe.fell_back else None
    engine.probe = run_probe(engine.db, status.kind, known_failing=failing)
    engine.add_sample("dolt_latency", Sample(engine.probe.ms, now, subject="probe"))
    if engine.db.dialect == "mysql":
        total, long_running, top_id = engine.db.query(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN command = %s AND time >= %s"
            " THEN 1 ELSE 0 END), 0), MAX(id) FROM information_schema.PROCESSLIST",
            ["Query", h.LONG_QUERY_S],
        )[0]
        f = engine.facts
        f.connections, f.long_queries = int(total), int(long_running)
        f.max_connections = status.max_connections
        f.new_connections_per_s = engine.churn.rate(None if top_id is None else int(top_id))


def _server_status(engine: Engine) -> ServerStatus:
    status = read_server_status(engine.db)
    engine.probe = None  # a new status read tries the server's own probe again
    cap = getattr(engine.db, "cap_idle_time", None)  # only a pooled server has one
    if cap is not None:
        cap(idle_limit(PoolLimits.from_settings(engine.settings).max_idle_time, status))
    return status


def read_schema(engine: Engine, now: datetime) -> None:
    """The schema, re-detected when its cache entry expires (L2, 15 min) or is cleared."""
    databases = engine.town.databases
    engine.schema = engine.cache.read_through(
        "status", "schema", lambda: detect_schema(engine.db, databases)
    )


def _schema(engine: Engine) -> BeadsSchema:
    """The schema read this refresh, or read now for a caller outside a refresh."""
    if engine.schema is None:
        read_schema(engine, engine.clock())
    assert engine.schema is not None
    return engine.schema


def read_events(engine: Engine, now: datetime) -> None:
    """New events, paired; at start only the window (and a lookback to pair) is read."""
    since = engine.window_start(now)
    tail, pairer = engine.events, engine.pairer
    bad_before = tail.bad_lines + pairer.skipped
    events = tail.read_new(since - timedelta(seconds=h.SPAWN_LOOKBACK_S))
    reading = in_window(pairer.feed(events), since, now)
    for sample in reading.samples:
        engine.add_sample("polecat_spawn", sample)
    bad = tail.bad_lines + pairer.skipped - bad_before + reading.skipped
    engine.skipped["polecat_spawn"] = engine.skipped.get("polecat_spawn", 0) + bad


def read_mail(engine: Engine, now: datetime) -> None:
    schema, hq, since = _schema(engine), engine.town.hq_database, engine.window_start(now)
    rows = beads.mail_acks(engine.db, schema, hq, since)
    reading = mail_samples(rows, since, now)
    engine.replace_samples("mail_lag", titled_slowest(engine, reading.samples))
    engine.skipped["mail_lag"] = reading.skipped
    engine.facts.mail_backlog = beads.mail_backlog(engine.db, schema, hq)


def build_convoy_view(engine: Engine) -> list[ConvoyProgress]:
    """Every open convoy with its tracked issues and progress: two queries in all."""
    schema = _schema(engine)
    convoys = beads.open_convoys(engine.db, schema, engine.town.hq_database)
    return convoy_view(convoys, beads.tracked_issues(engine.db, schema, engine.town))


SLOWEST_TITLED = 10


def titled_slowest(engine: Engine, samples: list[Sample]) -> list[Sample]:
    """Put the subject line beside the id of the slowest messages (what the zoom lists).

    Titles are hot beads: read through the L1 cache, the misses in one batched query.
    """
    slowest = sorted(samples, key=lambda s: s.value, reverse=True)[:SLOWEST_TITLED]
    hq = engine.town.hq_database

    def load(ids: list[Hashable]) -> dict[Hashable, str]:
        rows = fetch_beads(engine.db, hq, [str(i) for i in ids], ["id", "title"])
        return {row["id"]: str(row["title"]) for row in rows}

    titles = engine.cache.read_many("bead", [s.subject for s in slowest], load)
    return [replace(s, detail=titles[s.subject]) if s.subject in titles else s for s in samples]


def read_convoys(engine: Engine, now: datetime) -> None:
    started = time.perf_counter()
    engine.facts.convoys = build_convoy_view(engine)
    seconds = time.perf_counter() - started
    engine.add_sample("convoy_refresh", Sample(seconds, now, subject="convoy view"))


def read_queue(engine: Engine, now: datetime) -> None:
    """The queue and the window's dispatch failures (circuit-broken contexts): one query."""
    since = engine.window_start(now)
    reading = read_sling_contexts(engine.db, engine.town, _schema(engine), since)
    items = reading.items
    engine.facts.queue_depth = len(items)
    engine.facts.queue_oldest_wait_s = items[0].waited(now) if items else None
    engine.facts.dispatch_failures = reading.dispatch_failures


def read_patrols(engine: Engine, now: datetime) -> None:
    since = engine.window_start(now)
    rows = beads.patrols(engine.db, _schema(engine), engine.town.databases, since)
    reading = patrol_samples(rows, now)
    engine.replace_samples("patrol_cycle", [s for s in reading.samples if s.at >= since])
    engine.skipped["patrol_cycle"] = reading.skipped
    engine.facts.patrols_running = reading.running


def read_merge_requests(engine: Engine, now: datetime) -> None:
    rows = beads.merge_requests(engine.db, _schema(engine), engine.town.databases)
    engine.facts.merge_requests = [(str(db), str(i), lenient_utc(at)) for db, i, at in rows]


def read_agents(engine: Engine, now: datetime) -> None:
    """The agent list: an L2 query result (spec §4), re-read when it expires or is cleared."""
    databases = engine.town.databases
    rows = engine.cache.read_through(
        "agent", "list", lambda: beads.agents(engine.db, _schema(engine), databases)
    )
    engine.facts.agents = len(rows)


def read_files(engine: Engine, now: datetime) -> None:
    engine.facts.polecats = polecat_names(engine.town)
    engine.facts.deacon_heartbeat = heartbeat_time(engine.town.root / "deacon" / "heartbeat.json")


def read_tmux(engine: Engine, now: datetime) -> None:
    if not tmux_available():
        engine.facts.tmux_state = "tmux not installed"
        return
    sessions = list_sessions(engine.town.tmux_socket)
    rig_of = {
        rig.session_name(name): rig.name
        for rig_name, name in engine.facts.polecats
        for rig in engine.town.rigs
        if rig.name == rig_name
    }
    engine.facts.tmux_sessions = len(sessions)
    live = [s for s in sessions if not s.pane_dead and s.name in rig_of]
    usage = engine.resources.sample((s.name, s.pane_pid) for s in live)
    engine.facts.running_sessions = agents_alive(engine, usage, rig_of)
    engine.facts.offenders = [u.session for u in usage if u.offender]


def agents_alive(engine: Engine, usage: list[AgentUsage], rig_of: dict[str, str]) -> set[str]:
    """Sessions whose pane's process tree runs the agent (gt's process names), not a shell."""
    rigs = {rig_of[u.session] for u in usage}
    names = {rig: polecat_process_names(engine.town.root, rig) for rig in rigs}
    return {u.session for u in usage if u.names & set(names[rig_of[u.session]])}


def read_host(engine: Engine, now: datetime) -> None:
    """bd processes and the Dolt server's CPU and memory, from psutil: no database query."""
    f = engine.facts
    bd = engine.host.bd()
    f.bd_processes, f.bd_started_per_s = bd.running, bd.started_per_s
    dolt = engine.host.dolt.read(engine.town)
    f.dolt_cpu_percent, f.dolt_rss_bytes = dolt.cpu_percent, dolt.rss_bytes


READERS: tuple[tuple[str, Callable[[Engine, datetime], None]], ...] = (
    ("dolt", read_dolt),
    ("schema", read_schema),
    ("events", read_events),
    ("mail", read_mail),
    ("convoys", read_convoys),
    ("patrols", read_patrols),
    ("queue", read_queue),
    ("merge_requests", read_merge_requests),
    ("agents", read_agents),
    ("files", read_files),
    ("tmux", read_tmux),
    ("host", read_host),
)

# Readers that query the database; skipped for a refresh whose probe ("dolt") failed.
NEEDS_DATABASE = frozenset(
    {"schema", "mail", "convoys", "patrols", "queue", "merge_requests", "agents"}
)

SOURCE_TEXT = {
    "polecat_spawn": "sling/spawn → session_start in {events}",
    "mail_lag": "created_at → delivery-acked-at label, gt:message beads in {hq}",
    "convoy_refresh": "engine build of the convoy view (2 queries)",
    "patrol_cycle": "closed_at − created_at of mol-*-patrol wisps, all databases",
}


def describe(engine: Engine, metric: str) -> str:
    """Where a metric's numbers come from, for the zoomed view and tooltips."""
    if metric == "dolt_latency":
        probe = engine.probe
        sql = probe.sql if probe else probe_sql(engine.server.kind if engine.server else "mysql")
        fallback = f" (fallback: {probe.reason})" if probe and probe.fell_back else ""
        return f"`{sql}` round trip through the pool{fallback}"
    return SOURCE_TEXT[metric].format(
        events=engine.town.events_file.name, hq=engine.town.hq_database
    )
