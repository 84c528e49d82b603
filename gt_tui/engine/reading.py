"""What a source reader is, what it may read, and what it hands back.

A `Reader` is a description: its name (the source), whether it needs the database, and a
`read(context) -> Reading` function. The `ReadContext` is everything a reader may look at;
the `Reading` is everything it learned. Readers never see the Engine: the engine builds
each context, runs the reader, and applies the reading (engine/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.churn import ChurnMeter
from gt_tui.engine.facts import FactUpdate, TownFacts
from gt_tui.engine.host import HostMonitor
from gt_tui.engine.limits.limited_db import LimitedDatabase
from gt_tui.engine.proc_table import ProcPass
from gt_tui.engine.resources import ResourceMonitor
from gt_tui.engine.snapshot import Sample
from gt_tui.engine.spawns import SpawnPairer
from gt_tui.engine.tracked import Tracking
from gt_tui.town.events import EventsTail
from gt_tui.town.model import Town
from gt_tui.town.schema import BeadsSchema
from gt_tui.town.server import ProbeResult, ServerStatus


@dataclass(frozen=True)
class ReadContext:
    """What a reader may read: the town and its database, the refresh's moment and window,
    what earlier readers of this refresh learned, and the stateful sources' own cursors."""

    db: LimitedDatabase
    town: Town
    cache: EngineCache
    now: datetime
    since: datetime  # the start of the metrics window
    pool_idle_s: float  # `dolt.conn_max_idle_time`: the pool's idle cap before the server's
    # As known so far this refresh (a later reader sees what an earlier one read):
    schema: BeadsSchema | None
    server: ServerStatus | None
    probe: ProbeResult | None
    facts: TownFacts  # read only: a reader's facts go in its Reading
    # Long-lived cursors of the stateful sources:
    events: EventsTail
    pairer: SpawnPairer
    churn: ChurnMeter
    host: HostMonitor
    resources: ResourceMonitor
    tracking: Tracking  # the change feed and the rows kept across refreshes
    procs: ProcPass  # this refresh's one pass over the host's processes


@dataclass(frozen=True)
class Reading:
    """What one reader read.

    `appended`: per metric, samples added to its window; `replaced`: per metric, its whole
    window read afresh. `skipped`: per metric, records refused as bad: added to the running
    count of an appended metric, the new count of a replaced one. `facts`: only the fields
    this reader knows. `schema`, `server`, `probe`: state the engine keeps (None: unchanged).
    """

    appended: Mapping[str, tuple[Sample, ...]] = field(default_factory=dict)
    replaced: Mapping[str, tuple[Sample, ...]] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)
    facts: FactUpdate = field(default_factory=lambda: FactUpdate())
    schema: BeadsSchema | None = None
    server: ServerStatus | None = None
    probe: ProbeResult | None = None
    forget_probe: bool = False  # the server's status was read afresh: the last probe is void


class ReadFailed(Exception):
    """A reader failed after part of its reading was known: the engine keeps that part
    (the server's status outlives a probe that fails after it) and records `cause`."""

    def __init__(self, partial: Reading, cause: Exception) -> None:
        super().__init__(str(cause))
        self.partial, self.cause = partial, cause


@dataclass(frozen=True)
class Reader:
    """One source: its name, whether it queries the database (skipped for a refresh whose
    probe failed), and how it is read."""

    name: str
    needs_database: bool
    read: Callable[[ReadContext], Reading]
