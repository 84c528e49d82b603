"""The engine's settings, typed and frozen: built once from `Settings`, again on reconfigure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gt_tui.health import Threshold
from gt_tui.settings import Settings, thresholds
from gt_tui.town.pool import PoolLimits


@dataclass(frozen=True)
class EngineConfig:
    """What the engine reads of the settings: the refresh, the windows, the limits it
    judges against, and the pool's idle cap (for the Dolt reader)."""

    refresh_interval: float  # also the backoff's base
    window_s: float
    dolt_probes: int
    sling_queue_size: int
    refinery_queue_size: int
    tmux_max_sessions: int
    pool_idle_s: float
    thresholds: Mapping[str, Threshold]

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        return cls(
            refresh_interval=settings.number("ui.refresh_interval"),
            window_s=settings.number("metrics.window"),
            dolt_probes=settings.integer("metrics.dolt_probes"),
            sling_queue_size=settings.integer("sling.queue_size"),
            refinery_queue_size=settings.integer("refinery.queue_size"),
            tmux_max_sessions=settings.integer("tmux.max_sessions"),
            pool_idle_s=PoolLimits.from_settings(settings).max_idle_time,
            thresholds=thresholds(settings),
        )
