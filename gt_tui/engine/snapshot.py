"""The Snapshot: immutable plain data that every view renders and every export serialises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gt_tui.health import Health


@dataclass(frozen=True)
class Sample:
    """One measurement in a metric's window: its value, when, what it was about (the bead or
    polecat, its rig or role) and, for the slowest, a human detail such as a subject line."""

    value: float
    at: datetime
    subject: str = ""
    group: str = ""
    detail: str = ""


@dataclass(frozen=True)
class MetricSummary:
    """A metric over its window, judged on p95 (on p50 while `few_samples`: fewer than
    `health.FEW_SAMPLES`); `stale` when its source failed this refresh; `skipped` counts its
    source's records refused as unreadable or implausible."""

    key: str
    label: str
    unit: str
    count: int
    p50: float | None
    p95: float | None
    max: float | None
    health: Health
    warning: float
    danger: float
    source: str
    samples: tuple[Sample, ...] = ()
    stale: bool = False
    error: str | None = None
    error_since: datetime | None = None
    precision_note: str = ""
    skipped: int = 0
    few_samples: bool = False

    @property
    def headline(self) -> float | None:
        return self.p95


@dataclass(frozen=True)
class TownInfo:
    """Who the town is and how big it is."""

    name: str
    root: str
    mode: str
    rigs: tuple[str, ...]
    scale: str
    scale_target_s: float
    polecats: int
    polecats_running: int | None
    convoys_open: int | None  # None: never read (the server has not answered yet)
    mail_backlog: int | None
    tmux: str = "ok"
    convoys_staged: int | None = 0  # `staged_*` convoys: not launched, so not counted open
    # Counts above not read this refresh (their source failed): the last good values.
    stale: tuple[str, ...] = ()
    polecats_idle: int = 0  # of `polecats`, idle in the worktree pool (not counted in the tier)

    def count(self, name: str) -> int | None:
        """A count as a view may show it: None when unknown, else the (maybe stale) value."""
        value = getattr(self, name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class DoltInfo:
    """The database server as the console sees it; the endpoint never carries a password.

    `probe` is the latency probe in use (`probe_note` says why it fell back, if it did);
    `transport` "socket" or "tcp"; None where unknown (the demo's SQLite, a failed read).
    """

    endpoint: str
    server: str
    version: str
    connections: int | None
    error: str | None = None
    error_since: datetime | None = None
    probe: str | None = None
    probe_note: str = ""
    transport: str | None = None
    max_connections: int | None = None
    new_connections_per_s: float | None = None
    time_zone: str | None = None
    system_time_zone: str | None = None
    # The server's own process, when it runs on this host and we may read it.
    cpu_percent: float | None = None
    rss_bytes: int | None = None


@dataclass(frozen=True)
class HostInfo:
    """This host's `bd` processes: how many run, and how many start per second."""

    bd_processes: int | None = None
    bd_started_per_s: float | None = None


@dataclass(frozen=True)
class EngineInfo:
    """The console's own cost: refresh time, round trips, pool, caches, limits, queue."""

    refresh_ms: float
    queries: int
    pool_open: int | None = None
    pool_idle: int | None = None
    cache_hits: int = 0
    cache_misses: int = 0
    cache_size: int = 0
    rate_tokens: float | None = None
    rate_waiters: int = 0
    queue_depth: int = 0
    queue_limit: int = 0
    # Sources on a cadence not read this refresh (engine/cadence.py): their facts are from
    # their last read; a failing source is never among them.
    held: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapNode:
    """A box of the bottleneck map: a part of the town, its health and a few facts."""

    key: str
    title: str
    health: Health
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceError:
    """A source that failed: what, why, and since when."""

    source: str
    message: str
    since: datetime


@dataclass(frozen=True)
class Snapshot:
    """Everything one refresh learned about a town."""

    generated_at: datetime
    town: TownInfo
    dolt: DoltInfo
    metrics: tuple[MetricSummary, ...]
    engine: EngineInfo
    bottlenecks: tuple[MapNode, ...] = ()
    errors: tuple[SourceError, ...] = field(default=())
    host: HostInfo = field(default=HostInfo())

    def metric(self, key: str) -> MetricSummary:
        return next(m for m in self.metrics if m.key == key)

    @property
    def unreachable(self) -> bool:
        """The database did not answer this refresh: every figure read from it is old."""
        return self.dolt.error_since is not None

    @property
    def health(self) -> Health:
        """The worst health among the five metrics; danger while the database is unreachable
        (the metrics' own verdicts are then of old windows)."""
        from gt_tui.health import worst

        if self.unreachable:
            return Health.DANGER
        return worst([m.health for m in self.metrics])
