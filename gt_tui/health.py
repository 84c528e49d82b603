"""The spec's thresholds and scale tiers, as data (section 1 and section 10 of the guide)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Health(StrEnum):
    """How a number is judged; `unknown` when there is nothing to judge."""

    HEALTHY = "healthy"
    WARNING = "warning"
    DANGER = "danger"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Health.UNKNOWN: 0, Health.HEALTHY: 1, Health.WARNING: 2, Health.DANGER: 3}


@dataclass(frozen=True)
class Threshold:
    """Healthy below `warning`; warning from `warning` up to `danger`; danger above `danger`."""

    warning: float
    danger: float

    def judge(self, value: float | None) -> Health:
        if value is None:
            return Health.UNKNOWN
        if value > self.danger:
            return Health.DANGER
        if value >= self.warning:
            return Health.WARNING
        return Health.HEALTHY


@dataclass(frozen=True)
class MetricSpec:
    """One of the five health metrics: its name, label, unit and default threshold; the
    engine source its numbers come from (a failing source makes the metric stale) and how
    precise they are."""

    key: str
    label: str
    unit: str
    threshold: Threshold
    source: str
    precision: str


DB_SECONDS = "database timestamps have 1-second resolution (±1 s)"
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "dolt_latency", "Dolt query latency", "ms", Threshold(10, 50), "dolt",
        "measured round trip through the console's pool",
    ),
    MetricSpec(
        "polecat_spawn", "Polecat spawn time", "s", Threshold(5, 15), "events",
        ".events.jsonl timestamps have 1-second resolution (±1 s)",
    ),
    MetricSpec("mail_lag", "Mail lag", "s", Threshold(1, 5), "mail", DB_SECONDS),
    MetricSpec(
        "convoy_refresh", "Convoy refresh time", "s", Threshold(2, 10), "convoys",
        "measured by the engine's own clock",
    ),
    MetricSpec("patrol_cycle", "Patrol cycle time", "s", Threshold(30, 60), "patrols", DB_SECONDS),
)  # fmt: skip
METRIC_BY_KEY = {spec.key: spec for spec in METRICS}


@dataclass(frozen=True)
class ScaleTier:
    """A row of the spec's performance-target table."""

    name: str
    label: str
    max_polecats: int
    max_convoys: int
    target_seconds: float


# Inclusive upper bounds: polecats small < 10 <= medium < 30 <= large <= 100 < extra-large;
# convoys small < 5 <= medium < 20 <= large <= 50 < extra-large.
SCALE_TIERS: tuple[ScaleTier, ...] = (
    ScaleTier("small", "small", 9, 4, 1.0),
    ScaleTier("medium", "medium", 29, 19, 5.0),
    ScaleTier("large", "large", 100, 50, 10.0),
    ScaleTier("xlarge", "extra-large", 10**12, 10**12, 30.0),
)
TIER_BY_NAME = {tier.name: tier for tier in SCALE_TIERS}


def _tier_index(count: int, bound: str) -> int:
    for index, tier in enumerate(SCALE_TIERS):
        if count <= getattr(tier, bound):
            return index
    return len(SCALE_TIERS) - 1


# A window with fewer samples than this is "few samples": its p95 lies between its largest
# and second-largest values (with 10 samples the inclusive p95 is 55 % the maximum), so one
# outlier would decide it. Such a window is judged on its second-largest value instead: one
# slow sample cannot cross a threshold, two can. From 20 samples on the p95 is used.
FEW_SAMPLES = 20


def few_samples(count: int) -> bool:
    """A window with samples, but fewer than `FEW_SAMPLES`."""
    return 0 < count < FEW_SAMPLES


def judge_window(
    limit: Threshold, count: int, runner_up: float | None, p95: float | None
) -> Health:
    """A window's health: on its p95, or on its second-largest value while it has few samples."""
    return limit.judge(runner_up if few_samples(count) else p95)


def scale_tier(polecats: int, convoys: int) -> ScaleTier:
    """The larger of the tiers the polecat count and the convoy count fall in."""
    index = max(_tier_index(polecats, "max_polecats"), _tier_index(convoys, "max_convoys"))
    return SCALE_TIERS[index]


def worst(healths: list[Health]) -> Health:
    """The most severe health of several; unknown only when all are unknown."""
    return max(healths, key=lambda h: h.rank, default=Health.UNKNOWN)


# Liveness and capacity limits from gt itself (gastown.md §1.5, §5, §2.1).
DEACON_HEARTBEAT_STALE_S = 300.0  # gt calls the deacon heartbeat stale after 5 minutes
DEACON_HEARTBEAT_RESTART_S = 1200.0  # and the daemon restarts the Deacon at 20 minutes
DOLT_MAX_CONNECTIONS = 1000  # gt's server max_connections (when the server's is unknown)
DOLT_IDLE_DROP_S = 40.0  # Dolt drops idle loopback connections after about 40 s (beads#3760)
IDLE_MARGIN_S = 10.0  # the pool closes idle connections this long before the server would
DOLT_ADMISSION_FRACTION = 0.8  # gt refuses spawns above 80 % of max_connections
LONG_QUERY_S = 5  # a processlist query running this long counts as long


def fraction_health(used: float, limit: float, warn_at: float = 0.8) -> Health:
    """Healthy below `warn_at` of a limit, warning up to it, danger beyond it."""
    if limit <= 0:
        return Health.UNKNOWN
    if used > limit:
        return Health.DANGER
    return Health.WARNING if used >= warn_at * limit else Health.HEALTHY


# Host-side signals (psutil): a search for the Dolt server process that found none waits this long.
DOLT_PROCESS_RETRY_S = 30.0
# Which records are plausible: the rest are skipped and counted (`MetricSummary.skipped`).
CLOCK_SKEW_S = 300.0  # a record dated further ahead of the console's clock is refused
TIMESTAMP_RESOLUTION_S = 1.0  # 1-second timestamps: a duration down to -1 s reads as 0
SPAWN_LOOKBACK_S = 900.0  # at start, events this far before the window are read to pair
EVENTS_DISORDER_S = 60.0  # how far out of time order appended events may be
