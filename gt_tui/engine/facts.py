"""What one refresh learned besides the five metrics: counts, ages and queue depths."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypedDict

from gt_tui.town.convoys import ConvoyProgress


@dataclass
class TownFacts:
    """Mutable while a refresh gathers it; frozen into the Snapshot at the end."""

    polecats: list[tuple[str, str]] = field(default_factory=list)
    polecats_idle: int = 0  # of those, waiting in the pool (heartbeat `idle`)
    running_sessions: set[str] | None = None
    tmux_state: str = "ok"
    convoys: list[ConvoyProgress] = field(default_factory=list)
    mail_backlog: int = 0
    patrols_running: dict[str, datetime] = field(default_factory=dict)
    deacon_heartbeat: datetime | None = None
    merge_requests: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    connections: int | None = None
    max_connections: int | None = None
    new_connections_per_s: float | None = None
    long_queries: int | None = None
    queue_depth: int = 0
    queue_oldest_wait_s: float | None = None
    dispatch_failures: int = 0  # sling contexts closed circuit-broken within the window
    offenders: list[str] = field(default_factory=list)
    agents: int | None = None
    tmux_sessions: int | None = None
    # Host-side (psutil): the Dolt server's process and the bd processes on this host.
    dolt_cpu_percent: float | None = None
    dolt_rss_bytes: int | None = None
    bd_processes: int | None = None
    bd_started_per_s: float | None = None


class FactUpdate(TypedDict, total=False):
    """Some of `TownFacts`' fields: what one reader knows (a test checks the names match)."""

    polecats: list[tuple[str, str]]
    polecats_idle: int
    running_sessions: set[str] | None
    tmux_state: str
    convoys: list[ConvoyProgress]
    mail_backlog: int
    patrols_running: dict[str, datetime]
    deacon_heartbeat: datetime | None
    merge_requests: list[tuple[str, str, datetime | None]]
    connections: int | None
    max_connections: int | None
    new_connections_per_s: float | None
    long_queries: int | None
    queue_depth: int
    queue_oldest_wait_s: float | None
    dispatch_failures: int
    offenders: list[str]
    agents: int | None
    tmux_sessions: int | None
    dolt_cpu_percent: float | None
    dolt_rss_bytes: int | None
    bd_processes: int | None
    bd_started_per_s: float | None


def updated(facts: TownFacts, update: FactUpdate) -> TownFacts:
    """`facts` with the fields of `update` taken over."""
    return replace(facts, **update)
