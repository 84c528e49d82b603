"""The engine: one refresh reads each source due and returns an immutable Snapshot.

UI-free by design (no Textual import, checked by a test). Each reader (engine/readers/)
returns a Reading; the engine applies them in order and builds the Snapshot. A refresh
never raises for a failing source: the failure is recorded with the time it began, the
metrics that depend on it keep their last window marked stale, the source is tried again
on a doubling backoff (engine/backoff.py) rather than every refresh, and the next good
read clears it. A source on a cadence (engine/cadence.py) that is not due keeps its facts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gt_tui.engine import assemble
from gt_tui.engine.actions import Actions
from gt_tui.engine.audit import AuditLog
from gt_tui.engine.backoff import Backoff
from gt_tui.engine.bottlenecks import MapInputs, bottleneck_map
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.cadence import CadenceState
from gt_tui.engine.carryover import LastGoodFacts
from gt_tui.engine.churn import ChurnMeter
from gt_tui.engine.config import EngineConfig
from gt_tui.engine.facts import TownFacts, updated
from gt_tui.engine.host import HostMonitor
from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.limits.limited_db import LimitedDatabase
from gt_tui.engine.proc_follow import ProcFollower
from gt_tui.engine.proc_table import ProcPass
from gt_tui.engine.readers import CADENCES, PROC_FULL_PASS_S, PROC_YOUNG_S, READERS
from gt_tui.engine.readers.convoys import build_convoy_view
from gt_tui.engine.readers.dolt import cached_schema
from gt_tui.engine.reading import ReadContext, Reader, ReadFailed, Reading
from gt_tui.engine.resources import ResourceLimits, ResourceMonitor
from gt_tui.engine.snapshot import HostInfo, Snapshot, SourceError
from gt_tui.engine.spawns import SpawnPairer
from gt_tui.engine.tracked import Tracking
from gt_tui.engine.window import CountWindow, TimeWindow
from gt_tui.errors import GtTuiError
from gt_tui.health import METRICS
from gt_tui.safe_text import safe_text
from gt_tui.settings import Settings
from gt_tui.town.convoys import ConvoyProgress
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


def failure_message(exc: Exception) -> str:
    """Our own errors say what failed; a driver error we did not foresee is named too."""
    if isinstance(exc, GtTuiError | OSError | ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


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
        self.config = EngineConfig.from_settings(settings)
        self.limits = Limits(settings)
        self.cache = EngineCache.from_settings(settings)
        self.db = LimitedDatabase(db, self.limits)
        self.resources = ResourceMonitor(ResourceLimits.from_settings(settings))
        self.host = HostMonitor()
        self.processes = ProcFollower(PROC_FULL_PASS_S, PROC_YOUNG_S)
        self.last_good = LastGoodFacts()
        self._unread: assemble.Unread = (frozenset(), frozenset())
        self.actions: Actions = Actions(
            town,
            self.db,
            settings,
            read_only=read_only,
            audit_log=audit_log or AuditLog(),
            cache=self.cache,
            limits=self.limits,
        )
        self.actions.convoy_view = self.convoy_view
        self._lock = threading.Lock()
        self.server: ServerStatus | None = None
        # The last probe: a fallback sticks until the status cache entry is read again.
        self.probe: ProbeResult | None = None
        self.churn = ChurnMeter()
        self.schema: BeadsSchema | None = None
        self._errors: dict[str, SourceError] = {}
        self.backoff = Backoff(self.config.refresh_interval)
        self.skipped: dict[str, int] = {}  # per metric: its source's records refused as bad
        self.events = EventsTail(town.events_file)
        self.pairer = SpawnPairer()
        self.tracking = Tracking()
        self._windows = self._make_windows()
        self.facts = TownFacts()
        self.cadence = CadenceState(CADENCES)
        self.held: list[str] = []  # sources held on their cadence this refresh, in order

    def _make_windows(self) -> dict[str, CountWindow | TimeWindow]:
        windows: dict[str, CountWindow | TimeWindow] = {
            spec.key: TimeWindow(self.config.window_s, self.clock) for spec in METRICS
        }
        windows["dolt_latency"] = CountWindow(self.config.dolt_probes)
        return windows

    def reconfigure(self, settings: Settings) -> None:
        """Take new settings live: windows resize; thresholds apply from the next refresh."""
        with self._lock:
            self.settings, self.config = settings, EngineConfig.from_settings(settings)
            self.actions.reconfigure(settings)
            self.resources.reconfigure(settings)
            self.backoff.base = self.config.refresh_interval
            for window in self._windows.values():
                if isinstance(window, TimeWindow):
                    window.span = self.config.window_s
                else:
                    window.resize(self.config.dolt_probes)

    def refresh(self) -> Snapshot:
        with self._lock:
            started, trips = time.perf_counter(), self.db.round_trips
            now, procs = self.clock(), ProcPass(self.processes.read)
            self.facts, self.held = TownFacts(), []
            for reader in READERS:
                self._run(reader, now, procs)
            stale, unknown = self.last_good.apply(self.facts, self._errors)
            self._unread = (stale, unknown)
            elapsed = (time.perf_counter() - started) * 1000.0
            return self._snapshot(now, elapsed, self.db.round_trips - trips)

    def _run(self, reader: Reader, now: datetime, procs: ProcPass) -> None:
        """Read one source, or hold its last facts where its cadence says it is not due;
        a failing source is tried on its backoff, never held."""
        if reader.needs_database and "dolt" in self._errors:
            # The probe just failed: one timeout per refresh, not one per reader.
            self._fail(reader.name, self._errors["dolt"].message)
        elif reader.name in self._errors:
            if reader.name in EVERY_REFRESH or self.backoff.due(reader.name, now):
                self._guard(reader, now, procs)
        elif self.cadence.due(reader.name, self._context(now, procs)):
            self._guard(reader, now, procs)
        else:
            self.facts = updated(self.facts, self.cadence.held(reader.name))
            self.held.append(reader.name)

    def _guard(self, reader: Reader, now: datetime, procs: ProcPass) -> None:
        """Run one reader and apply its reading; a failure is recorded, never raised."""
        try:
            reading = reader.read(self._context(now, procs))
            self._apply(reading)
        except ReadFailed as failed:
            self._apply(failed.partial)
            self._fail(reader.name, failure_message(failed.cause))
        except Exception as exc:  # a driver error we did not foresee must not stop the console
            self._fail(reader.name, failure_message(exc))
        else:
            self._errors.pop(reader.name, None)
            self.backoff.succeeded(reader.name)
            self.cadence.read(reader.name, now, reading.facts)
            return
        self.cadence.forget(reader.name)
        self.backoff.failed(reader.name, now)

    def _fail(self, source: str, message: str) -> None:
        first = self._errors.get(source)
        since = first.since if first else self.clock()
        first_line = (message.splitlines() or [""])[0]  # errors quote files and rows
        self._errors[source] = SourceError(source, safe_text(first_line), since)

    # -- readings in, state out ---------------------------------------------------------

    def _context(self, now: datetime, procs: ProcPass) -> ReadContext:
        """What the next reader may read: built afresh, so it sees what earlier readers of
        this refresh read (the schema, the server's status, the polecats)."""
        return ReadContext(
            db=self.db,
            town=self.town,
            cache=self.cache,
            now=now,
            since=self.window_start(now),
            pool_idle_s=self.config.pool_idle_s,
            schema=self.schema,
            server=self.server,
            probe=self.probe,
            facts=self.facts,
            events=self.events,
            pairer=self.pairer,
            churn=self.churn,
            host=self.host,
            resources=self.resources,
            tracking=self.tracking,
            procs=procs,
        )

    def _apply(self, reading: Reading) -> None:
        for metric, samples in reading.appended.items():
            for sample in samples:
                self._windows[metric].add(sample)
        for metric, samples in reading.replaced.items():
            window = self._windows[metric]
            assert isinstance(window, TimeWindow)
            window.replace(samples)
        for metric, count in reading.skipped.items():
            before = 0 if metric in reading.replaced else self.skipped.get(metric, 0)
            self.skipped[metric] = before + count
        self.facts = updated(self.facts, reading.facts)
        if reading.schema is not None:
            self.schema = reading.schema
        if reading.server is not None:
            self.server = reading.server
        if reading.probe is not None or reading.forget_probe:
            self.probe = reading.probe

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.config.window_s)

    def convoy_view(self) -> list[ConvoyProgress]:
        """Every open convoy and its progress, for a caller outside a refresh (the bench)."""
        if self.schema is None:
            self.schema = cached_schema(self.cache, self.db, self.town)
        return build_convoy_view(self.db, self.schema, self.town)

    # -- building the snapshot ----------------------------------------------------------

    def _snapshot(self, now: datetime, refresh_ms: float, queries: int) -> Snapshot:
        config, f = self.config, self.facts
        metrics = tuple(
            assemble.metric_summary(
                spec,
                config.thresholds[spec.key],
                self._windows[spec.key],
                # Only the metric's own source: readers that need the schema fail on their
                # own without it, and the events file must not be marked stale by a
                # database error.
                self._errors.get(spec.source),
                assemble.describe(spec.key, self.town, self.server, self.probe),
                self.skipped.get(spec.key, 0),
            )
            for spec in METRICS
        )
        inputs = MapInputs(
            now,
            f,
            {m.key: m for m in metrics},
            config.sling_queue_size,
            config.refinery_queue_size,
            config.tmux_max_sessions,
            stale=self._unread[0],
            unknown=self._unread[1],
            dolt_error=self._errors.get("dolt"),
        )
        cost, queue = (refresh_ms, queries), (f.queue_depth, config.sling_queue_size)
        return Snapshot(
            generated_at=now,
            town=assemble.town_info(self.town, self.mode, f, self._unread),
            dolt=assemble.dolt_info(
                self.town, self.server, self.probe, self._errors.get("dolt"), f, self.mode
            ),
            metrics=metrics,
            engine=replace(
                assemble.engine_info(self.db, self.cache, self.limits, cost, queue),
                held=tuple(self.held),
            ),
            bottlenecks=bottleneck_map(inputs),
            errors=tuple(self._errors.values()),
            host=HostInfo(f.bd_processes, f.bd_started_per_s),
        )

    def close(self) -> None:
        self.db.close()
