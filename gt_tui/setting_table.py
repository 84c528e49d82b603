"""The table of every tunable: name, kind, typed default, bounds, and the spec section it
comes from; and the cross-checks between settings (idle below open, warning below danger).

`gt_tui.settings` layers values from files and flags over these defaults; parsing and
showing a value of each kind lives in `gt_tui.setting_values`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from gt_tui.errors import SettingError
from gt_tui.health import METRICS
from gt_tui.setting_values import (
    FORMATTERS,
    PARSERS,
    SIZE_WORDS,
    Kind,
    Refused,
    Value,
    parse_duration,
    parse_list,
    parse_size,
    show_raw,
)


@dataclass(frozen=True)
class SettingSpec:
    """One tunable: dotted name, kind, typed default, bounds or choices, and its origin.

    `section` is the section of the performance guide the setting comes from, or
    "console" for the console's own settings. Bounds are inclusive.
    """

    name: str
    kind: Kind
    default: Value
    description: str
    section: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def parse(self, raw: object) -> Value:
        """The typed value of `raw`; SettingError naming key, value and what is allowed."""
        try:
            value = PARSERS[self.kind](raw)
        except Refused:
            value = None
        if value is None or not self._fits(value):
            raise SettingError(f"{self.name}: {show_raw(raw)} is not allowed ({self.allowed()})")
        return value

    def format(self, value: Value) -> str:
        """The human form of a value of this setting ("1h", "256MB", "true")."""
        return FORMATTERS[self.kind](value)

    def to_toml(self, value: Value) -> object:
        """What to write in a TOML file: the human form for durations and sizes."""
        if self.kind in (Kind.DURATION, Kind.SIZE):
            return self.format(value)
        return list(value) if isinstance(value, tuple) else value

    def allowed(self) -> str:
        """What values this setting accepts, in words."""
        if self.kind is Kind.LIST:
            return f"a comma-separated list of one or more of {', '.join(self.choices)}"
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.low is None or self.high is None:
            return "text"
        span, example = f"from {self.format(self.low)} to {self.format(self.high)}", ""
        if self.kind in (Kind.DURATION, Kind.SIZE):
            example = f", e.g. {self.format(self.default)}"
        return {
            Kind.INT: f"an integer {span}",
            Kind.FLOAT: f"a number {span}",
            Kind.DURATION: f"a duration {span} in h, m, s, ms or plain seconds{example}",
            Kind.SIZE: f"a size {span} in {SIZE_WORDS} or plain bytes{example}",
        }.get(self.kind, "text")

    def _fits(self, value: Value) -> bool:
        if isinstance(value, tuple):  # a list: one or more of the choices
            return bool(value) and set(value) <= set(self.choices)
        if self.choices:
            return value in self.choices
        if isinstance(value, bool | str):
            return True
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        return low <= value <= high


def _int(name: str, default: int, bounds: tuple[int, int], section: str, text: str) -> SettingSpec:
    low, high = bounds
    return SettingSpec(name, Kind.INT, default, text, section, low, high)


def _float(
    name: str, default: float, bounds: tuple[float, float], section: str, text: str
) -> SettingSpec:
    low, high = float(bounds[0]), float(bounds[1])
    return SettingSpec(name, Kind.FLOAT, float(default), text, section, low, high)


def _bool(name: str, default: bool, section: str, text: str) -> SettingSpec:
    return SettingSpec(name, Kind.BOOL, default, text, section)


def _duration(
    name: str, default: str, bounds: tuple[str, str], section: str, text: str
) -> SettingSpec:
    low, high = map(parse_duration, bounds)
    return SettingSpec(name, Kind.DURATION, parse_duration(default), text, section, low, high)


def _size(name: str, default: str, bounds: tuple[str, str], section: str, text: str) -> SettingSpec:
    low, high = map(parse_size, bounds)
    return SettingSpec(name, Kind.SIZE, parse_size(default), text, section, low, high)


def _list(name: str, default: str, choices: str, section: str, text: str) -> SettingSpec:
    allowed = parse_list(choices)
    return SettingSpec(name, Kind.LIST, parse_list(default), text, section, choices=allowed)


def _threshold_specs() -> Iterator[SettingSpec]:
    """Two settings per health metric; the defaults live in gt_tui.health.METRICS."""
    for metric in METRICS:
        prefix, unit = f"threshold.{metric.key}", metric.unit
        yield _float(
            f"{prefix}.warning",
            metric.threshold.warning,
            (0, 1_000_000),
            "1",
            f"{metric.label}: warning at or above this ({unit})",
        )
        yield _float(
            f"{prefix}.danger",
            metric.threshold.danger,
            (0, 1_000_000),
            "1",
            f"{metric.label}: danger above this ({unit})",
        )


SETTINGS: tuple[SettingSpec, ...] = (
    *_threshold_specs(),
    # Section 2: Dolt connection pool.
    _int("dolt.max_open_conns", 25, (1, 1000), "2", "Most connections the pool opens to Dolt"),
    _int("dolt.max_idle_conns", 5, (0, 1000), "2", "Most idle connections the pool keeps"),
    _duration("dolt.conn_max_lifetime", "1h", ("1s", "24h"), "2", "Close a connection this old"),
    _duration(
        "dolt.conn_max_idle_time", "10m", ("1s", "24h"), "2", "Close a connection idle this long"
    ),
    # Section 3: concurrency, rate limit, queue.
    _int("polecat.max_concurrent", 10, (1, 1000), "3", "Most polecats running at once"),
    _int("bd.max_concurrent", 10, (1, 1000), "3", "Most beads queries or bd commands in flight"),
    _int("sling.max_concurrent", 5, (1, 1000), "3", "Most slings (polecat spawns) in flight"),
    _float(
        "rate.requests_per_second",
        100,
        (0.1, 100_000),
        "3",
        "Token-bucket refill rate (per second)",
    ),
    _int("rate.burst_size", 50, (1, 100_000), "3", "Token-bucket capacity: requests in one burst"),
    _int("sling.queue_size", 100, (1, 100_000), "3", "Most slings waiting; more are refused"),
    # Section 4: caches.
    _bool("cache.enabled", True, "4", "Use the L1 and L2 caches"),
    _size("cache.memory_size", "256MB", ("64KiB", "64GB"), "4", "Memory budget for all caches"),
    _duration("cache.ttl", "300", ("1s", "24h"), "4", "L1 hot-bead cache time to live"),
    _int("cache.l1_size", 1000, (1, 10_000_000), "4", "L1 hot-bead cache capacity (entries)"),
    _duration("cache.l2_ttl", "15m", ("1s", "24h"), "4", "L2 query-result cache time to live"),
    _int("cache.l2_size", 10_000, (1, 10_000_000), "4", "L2 query-result cache capacity (entries)"),
    # Section 5: tmux.
    _int("tmux.max_sessions", 50, (1, 10_000), "5", "Most live tmux sessions in the town"),
    _int("tmux.history_limit", 1000, (0, 1_000_000), "5", "Scrollback lines per tmux pane"),
    _int(
        "tmux.status_interval", 5, (0, 3600), "5", "Seconds between tmux status redraws (0 = off)"
    ),
    _bool("tmux.monitor_activity", False, "5", "Let tmux watch windows for activity"),
    # Section 6: polecat spawning.
    _int("pool.size", 10, (0, 1000), "6", "Worktrees pre-created per rig (0 = no pool)"),
    _int("sling.parallelism", 3, (1, 100), "6", "Polecats one sling spawns in parallel"),
    _size("polecat.max_memory", "4GB", ("64MB", "1TB"), "6", "Memory limit per polecat"),
    _float("polecat.max_cpu", 2, (0.1, 1024), "6", "CPU cores per polecat"),
    # Section 7: refinery.
    _int("refinery.queue_size", 20, (1, 10_000), "7", "Most merge requests in the refinery queue"),
    _int("refinery.parallelism", 3, (1, 100), "7", "Merges the refinery runs in parallel"),
    # Section 8: auto-tuning.
    _bool("autotune.enabled", False, "8", "Let the console tune settings itself"),
    _duration("autotune.interval", "1h", ("1m", "168h"), "8", "Time between auto-tuning passes"),
    _list(
        "autotune.scope",
        "dolt,cache,concurrency",
        "dolt,cache,concurrency",
        "8",
        "Areas auto-tuning may change",
    ),
    # Section 9: scaling.
    _int("polecat.max_per_rig", 20, (1, 1000), "9", "Most polecats in one rig"),
    _size("rig.memory", "16GB", ("64MB", "64TB"), "9", "Memory available to one rig"),
    _float("rig.cpu", 8, (0.1, 4096), "9", "CPU cores available to one rig"),
    # The console's own.
    _float("ui.refresh_interval", 2.0, (0.2, 3600), "console", "Seconds between console refreshes"),
    _duration(
        "metrics.window",
        "15m",
        ("1m", "24h"),
        "console",
        "Time window for spawn, mail, convoy and patrol samples",
    ),
    _int("metrics.dolt_probes", 60, (1, 10_000), "console", "Probes kept for Dolt latency"),
    _duration(
        "history.retention", "168h", ("1h", "8760h"), "console", "How long --record keeps snapshots"
    ),
)
SPEC_BY_NAME: Mapping[str, SettingSpec] = MappingProxyType({s.name: s for s in SETTINGS})


@dataclass(frozen=True)
class _Order:
    """A cross-check: `low` must not exceed `high` (or stay strictly below it)."""

    low: str
    high: str
    strict: bool = False

    def refusal(self, values: Mapping[str, Any], blame_high: bool) -> str | None:
        """The one-line refusal when the order is broken, naming the key to blame."""
        low, high = values[self.low], values[self.high]
        if low < high or (low == high and not self.strict):
            return None
        if blame_high:
            mine, other, words = self.high, self.low, "above" if self.strict else "at least"
        else:
            mine, other, words = self.low, self.high, "below" if self.strict else "at most"
        shown, other_shown = (SPEC_BY_NAME[n].format(values[n]) for n in (mine, other))
        return f"{mine}: {shown} is not allowed ({words} {other} = {other_shown})"


CROSS_CHECKS: tuple[_Order, ...] = (
    _Order("dolt.max_idle_conns", "dolt.max_open_conns"),
    _Order("polecat.max_memory", "rig.memory"),
    _Order("polecat.max_cpu", "rig.cpu"),
    *(_Order(f"threshold.{m.key}.warning", f"threshold.{m.key}.danger", True) for m in METRICS),
)


def cross_check(values: Mapping[str, Value], changed: set[str]) -> None:
    """Refuse the first broken cross-check, blaming the key that just changed."""
    for check in CROSS_CHECKS:
        if check.low not in changed and check.high not in changed:
            continue
        message = check.refusal(values, blame_high=check.low not in changed)
        if message:
            raise SettingError(message)


def spec_for(key: str) -> SettingSpec:
    """The spec of a setting; SettingError with the closest known name for an unknown key."""
    spec = SPEC_BY_NAME.get(key)
    if spec is not None:
        return spec
    close = difflib.get_close_matches(str(key), SPEC_BY_NAME, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "see 'gt-tui config list'"
    raise SettingError(f"unknown setting '{key}' ({hint})")
