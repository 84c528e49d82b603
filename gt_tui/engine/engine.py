"""The engine: one refresh reads every source once and returns an immutable Snapshot.

UI-free by design (no Textual import, checked by a test). A refresh never raises for a
failing source: the failure is recorded with the time it began, the metrics that depend on
it keep their last window marked stale, the source is tried again on a doubling backoff
(engine/backoff.py) rather than every refresh, and the next good read clears it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from gt_tui.engine import sources
from gt_tui.engine.actions import Actions
from gt_tui.engine.audit import AuditLog
from gt_tui.engine.backoff import Backoff
from gt_tui.engine.bottlenecks import MapInputs, bottleneck_map
from gt_tui.engine.cache import EngineCache
from gt_tui.engine.carryover import LastGoodFacts, town_counts_unread
from gt_tui.engine.churn import ChurnMeter
from gt_tui.engine.facts import TownFacts
from gt_tui.engine.host import HostMonitor
from gt_tui.engine.limited_db import LimitedDatabase
from gt_tui.engine.limits import Limits
from gt_tui.engine.resources import ResourceLimits, ResourceMonitor
from gt_tui.engine.snapshot import (
    DoltInfo,
    EngineInfo,
    HostInfo,
    MetricSummary,
    Sample,
    Snapshot,
    SourceError,
    TownInfo,
)
from gt_tui.engine.spawns import SpawnPairer
from gt_tui.engine.window import CountWindow, TimeWindow, summarize
from gt_tui.errors import GtTuiError
from gt_tui.health import METRICS, MetricSpec, Threshold, scale_tier
from gt_tui.safe_text import safe_text
from gt_tui.settings import Settings, thresholds
from gt_tui.town.db import Database
from gt_tui.town.events import EventsTail
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema
from gt_tui.town.server import ProbeResult, ServerStatus

Clock = Callable[[], datetime]

# Sources tried in every refresh even while failing; the others back off (engine/backoff.py).
# The probe gates every database reader (they are skipped while it fails), so a dead server
# costs this one round trip per refresh, a refused connection fails in milliseconds, and
# trying it each time lets the console see the server return within one refresh.
EVERY_REFRESH = frozenset({"dolt"})


def utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    """Reads a town; `refresh()` is safe to call from a worker thread, never concurrently."""

    def __init__(
        self,
        town: Town,
        db: Database,
        settings: Settings,
        *,
        mode: str = "live",
        read_only: bool = False,
        clock: Clock = utc_now,
        audit_log: AuditLog | None = None,
    ) -> None:
        self.town, self.settings = town, settings
        self.mode, self.read_only, self.clock = mode, read_only, clock
        self.limits = Limits(settings)
        self.cache = EngineCache.from_settings(settings)
        self.db = LimitedDatabase(db, self.limits)
        self.resources = ResourceMonitor(ResourceLimits.from_settings(settings))
        self.host = HostMonitor()
        self.last_good = LastGoodFacts()
        self._unread: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        self.actions = Actions(
            town,
            self.db,
            settings,
            read_only=read_only,
            audit_log=audit_log or AuditLog(),
            cache=self.cache,
            limits=self.limits,
        )
        self.actions.convoy_view = lambda: sources.build_convoy_view(self)
        self._lock = threading.Lock()
        self.demo: Any = None  # the sandbox behind a demo engine, for its load control
        self.server: ServerStatus | None = None
        # The last probe: a fallback sticks until the status cache entry is read again.
        self.probe: ProbeResult | None = None
        self.churn = ChurnMeter()
        self.schema: BeadsSchema | None = None
        self._errors: dict[str, SourceError] = {}
        self.backoff = Backoff(float(settings.get("ui.refresh_interval")))
        self.skipped: dict[str, int] = {}  # per metric: its source's records refused as bad
        self.events = EventsTail(town.events_file)
        self.pairer = SpawnPairer()
        self._windows = self._make_windows()
        self.facts = TownFacts()

    def _make_windows(self) -> dict[str, CountWindow | TimeWindow]:
        span = float(self.settings.get("metrics.window"))
        windows: dict[str, CountWindow | TimeWindow] = {
            spec.key: TimeWindow(span, self.clock) for spec in METRICS
        }
        windows["dolt_latency"] = CountWindow(int(self.settings.get("metrics.dolt_probes")))
        return windows

    def reconfigure(self, settings: Settings) -> None:
        """Take new settings live: windows resize; thresholds apply from the next refresh."""
        with self._lock:
            self.settings = settings
            self.actions.reconfigure(settings)
            self.resources.reconfigure(settings)
            self.backoff.base = float(settings.get("ui.refresh_interval"))
            for window in self._windows.values():
                if isinstance(window, TimeWindow):
                    window.span = float(settings.get("metrics.window"))
                else:
                    window.resize(int(settings.get("metrics.dolt_probes")))

    def refresh(self) -> Snapshot:
        with self._lock:
            started, trips = time.perf_counter(), self.db.round_trips
            now = self.clock()
            self.facts = TownFacts()
            for name, read in sources.READERS:
                if name in sources.NEEDS_DATABASE and "dolt" in self._errors:
                    # The probe just failed: one timeout per refresh, not one per reader.
                    self._fail(name, self._errors["dolt"].message)
                    continue
                if name in EVERY_REFRESH or self.backoff.due(name, now):
                    self._guard(name, now, lambda read=read: read(self, now))
            self._unread = self.last_good.apply(self.facts, self._errors)
            elapsed = (time.perf_counter() - started) * 1000.0
            return self._snapshot(now, elapsed, self.db.round_trips - trips)

    def _guard(self, source: str, now: datetime, read: Callable[[], None]) -> None:
        try:
            read()
        except (GtTuiError, OSError, ValueError) as exc:
            self._fail(source, str(exc))
        except Exception as exc:  # a driver error we did not foresee must not stop the console
            self._fail(source, f"{type(exc).__name__}: {exc}")
        else:
            self._errors.pop(source, None)
            self.backoff.succeeded(source)
            return
        self.backoff.failed(source, now)

    def _fail(self, source: str, message: str) -> None:
        first = self._errors.get(source)
        since = first.since if first else self.clock()
        first_line = (message.splitlines() or [""])[0]  # errors quote files and rows
        self._errors[source] = SourceError(source, safe_text(first_line), since)

    # -- state the source readers update ------------------------------------------------

    def add_sample(self, metric: str, sample: Sample) -> None:
        self._windows[metric].add(sample)

    def replace_samples(self, metric: str, samples: list[Sample]) -> None:
        window = self._windows[metric]
        assert isinstance(window, TimeWindow)
        window.replace(samples)

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(seconds=float(self.settings.get("metrics.window")))

    # -- building the snapshot ----------------------------------------------------------

    def _snapshot(self, now: datetime, refresh_ms: float, queries: int) -> Snapshot:
        limits = thresholds(self.settings)
        metrics = tuple(self._summary(spec, limits[spec.key]) for spec in METRICS)
        by_key = {m.key: m for m in metrics}
        inputs = MapInputs(
            now,
            self.facts,
            by_key,
            int(self.settings.get("sling.queue_size")),
            int(self.settings.get("refinery.queue_size")),
            int(self.settings.get("tmux.max_sessions")),
            stale=self._unread[0],
            unknown=self._unread[1],
            dolt_error=self._errors.get("dolt"),
        )
        return Snapshot(
            generated_at=now,
            town=self._town_info(),
            dolt=self._dolt_info(),
            metrics=metrics,
            engine=self._engine_info(refresh_ms, queries),
            bottlenecks=bottleneck_map(inputs),
            errors=tuple(self._errors.values()),
            host=HostInfo(self.facts.bd_processes, self.facts.bd_started_per_s),
        )

    def _summary(self, spec: MetricSpec, limit: Threshold) -> MetricSummary:
        samples = self._windows[spec.key].samples()
        stats = summarize([s.value for s in samples])
        # Only the metric's own source: readers that need the schema fail on their own
        # without it, and the events file must not be marked stale by a database error.
        error = self._errors.get(spec.source)
        return MetricSummary(
            key=spec.key,
            label=spec.label,
            unit=spec.unit,
            count=stats.count,
            p50=stats.p50,
            p95=stats.p95,
            max=stats.max,
            health=limit.judge(stats.p95),
            warning=limit.warning,
            danger=limit.danger,
            source=sources.describe(self, spec.key),
            samples=samples,
            stale=error is not None,
            error=error.message if error else None,
            error_since=error.since if error else None,
            precision_note=spec.precision,
            skipped=self.skipped.get(spec.key, 0),
        )

    def _town_info(self) -> TownInfo:
        f, (stale, unknown) = self.facts, self._unread
        tier = scale_tier(len(f.polecats), len(f.convoys))
        running = None if f.running_sessions is None else len(f.running_sessions)
        return TownInfo(
            name=self.town.name,
            root=safe_text(str(self.town.root)),
            mode=self.mode,
            rigs=tuple(rig.name for rig in self.town.rigs),
            scale=tier.name,
            scale_target_s=tier.target_seconds,
            polecats=len(f.polecats),
            polecats_running=running,
            convoys_open=None if "convoys" in unknown else sum(not c.staged for c in f.convoys),
            mail_backlog=None if "mail" in unknown else f.mail_backlog,
            tmux=f.tmux_state,
            convoys_staged=None if "convoys" in unknown else sum(c.staged for c in f.convoys),
            stale=town_counts_unread(stale | unknown),
        )

    def _dolt_info(self) -> DoltInfo:
        status = self.server or ServerStatus("unknown", "")
        error, probe, f = self._errors.get("dolt"), self.probe, self.facts
        sqlite = self.town.is_sqlite
        return DoltInfo(
            "sqlite (demo)" if sqlite else safe_text(str(self.town.endpoint)),
            status.kind,
            status.version,
            f.connections,
            error.message if error else None,
            error.since if error else None,
            probe=probe.sql if probe else None,
            probe_note=probe.reason if probe and probe.fell_back else "",
            transport=None if sqlite else self.town.endpoint.transport,
            max_connections=status.max_connections,
            new_connections_per_s=f.new_connections_per_s,
            time_zone=status.time_zone,
            system_time_zone=status.system_time_zone,
            cpu_percent=self.facts.dolt_cpu_percent,
            rss_bytes=self.facts.dolt_rss_bytes,
        )

    def _engine_info(self, refresh_ms: float, queries: int) -> EngineInfo:
        stats, cache = self.db.pool_stats(), self.cache.stats()
        bucket = self.limits.bucket.stats()
        return EngineInfo(
            refresh_ms=refresh_ms,
            queries=queries,
            pool_open=stats.open if stats else None,
            pool_idle=stats.idle if stats else None,
            cache_hits=cache.hits,
            cache_misses=cache.misses,
            cache_size=cache.size,
            rate_tokens=bucket.tokens,
            rate_waiters=bucket.waiters,
            queue_depth=self.facts.queue_depth,
            queue_limit=int(self.settings.get("sling.queue_size")),
        )

    def close(self) -> None:
        self.db.close()
