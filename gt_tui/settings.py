"""Every tunable of the console in one table: name, type, default, bounds and spec section.

Values come in layers, later ones winning: defaults < user file < town file < overrides
(e.g. CLI flags). The user file is `$XDG_CONFIG_HOME/gt-tui/config.toml`; a town may
override it in `<town>/settings/gt-tui.toml`. Both are TOML with one table per dotted prefix
(`[dolt]` then `max_open_conns = 25`). A bad value is refused with one line naming the key,
the value and what is allowed, and nothing changes. Durations are float seconds ("1h30m",
"300"); sizes are int bytes ("256MB" = 256 * 1000**2, "512KiB" = 512 * 1024).
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from gt_tui.errors import GtTuiError, MalformedFile, SettingError
from gt_tui.files import read_regular_text, write_atomically
from gt_tui.health import METRICS, Threshold
from gt_tui.safe_text import safe_data
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
from gt_tui.xdg import config_dir

# ---------------------------------------------------------------- the table


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
        span, example = f"from {self.format(self.low)} to {self.format(self.high)}", ""
        if self.kind in (Kind.DURATION, Kind.SIZE):
            example = f", e.g. {self.format(self.default)}"
        return {
            Kind.INT: f"an integer {span}",
            Kind.FLOAT: f"a number {span}",
            Kind.BOOL: "true or false",
            Kind.DURATION: f"a duration {span} in h, m, s, ms or plain seconds{example}",
            Kind.SIZE: f"a size {span} in {SIZE_WORDS} or plain bytes{example}",
        }.get(self.kind, "text")

    def _fits(self, value: Any) -> bool:
        if self.kind is Kind.LIST:
            return bool(value) and set(value) <= set(self.choices)
        if self.choices:
            return value in self.choices
        if self.kind in (Kind.BOOL, Kind.STR):
            return True
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        return low <= value <= high


def _int(name: str, default: int, bounds: tuple[int, int], section: str, text: str) -> SettingSpec:
    return SettingSpec(name, Kind.INT, default, text, section, *bounds)


def _float(
    name: str, default: float, bounds: tuple[float, float], section: str, text: str
) -> SettingSpec:
    return SettingSpec(name, Kind.FLOAT, float(default), text, section, *map(float, bounds))


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


def _cross_check(values: Mapping[str, Value], changed: set[str]) -> None:
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


# ---------------------------------------------------------------- the settings object


class Settings(Mapping[str, Value]):
    """An immutable set of typed values, one per SETTINGS entry, with where each came from.

    Nothing in it ever changes after construction, so any thread may read it without a
    lock; `with_value` returns a new object. Build one with `load_settings()` or
    `Settings.defaults()`.
    """

    __slots__ = ("_sources", "_values")

    def __init__(self, values: Mapping[str, Value], sources: Mapping[str, str]) -> None:
        self._values: Mapping[str, Value] = MappingProxyType(dict(values))
        self._sources: Mapping[str, str] = MappingProxyType(dict(sources))

    @classmethod
    def defaults(cls) -> Settings:
        """Every setting at its default."""
        return cls({s.name: s.default for s in SETTINGS}, dict.fromkeys(SPEC_BY_NAME, "default"))

    def get(self, key: str) -> Value:
        """The typed value of a setting (int, float seconds, int bytes, bool, str, tuple)."""
        return self._values[spec_for(key).name]

    def __getitem__(self, key: str) -> Value:
        return self.get(key)

    # Typed reads for the consumers' configs: the table fixes each setting's kind, so a
    # mismatch here is a programming error (a setting read as the wrong kind), said in one line.

    def integer(self, key: str) -> int:
        """An int setting (counts, sizes in bytes)."""
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"{key} is not an integer setting")
        return value

    def number(self, key: str) -> float:
        """A numeric setting as float (durations in seconds, thresholds, rates)."""
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(f"{key} is not a numeric setting")
        return float(value)

    def flag(self, key: str) -> bool:
        """A boolean setting."""
        value = self.get(key)
        if not isinstance(value, bool):
            raise SettingError(f"{key} is not a boolean setting")
        return value

    def string(self, key: str) -> str:
        """A string setting (a choice or a name)."""
        value = self.get(key)
        if not isinstance(value, str):
            raise SettingError(f"{key} is not a string setting")
        return value

    def names(self, key: str) -> tuple[str, ...]:
        """A list setting, as a tuple of its names."""
        value = self.get(key)
        if not isinstance(value, tuple):
            raise SettingError(f"{key} is not a list setting")
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return self._values == other._values and self._sources == other._sources

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if self._sources[k] != "default"}
        return f"Settings({changed!r})"

    def items(self) -> ItemsView[str, Value]:
        """(name, value) pairs in table order."""
        return self._values.items()

    def source(self, key: str) -> str:
        """Where a value came from: "default", "user", "town" or "override"."""
        return self._sources[spec_for(key).name]

    def text(self, key: str) -> str:
        """The human form of a setting's value ("1h", "256MB")."""
        return spec_for(key).format(self.get(key))

    def with_value(self, key: str, raw: object, source: str = "override") -> Settings:
        """A copy with one setting changed; SettingError (and no copy) for a bad value."""
        return _layer(self, {key: raw}, source)


def _layer(base: Settings, raw: Mapping[str, object], source: str, where: str = "") -> Settings:
    """`base` with `raw` values on top; every value and cross-check validated first."""
    try:
        parsed = {name: spec.parse(value) for name, spec, value in _specs_of(raw)}
        values = {**base._values, **parsed}
        _cross_check(values, set(parsed))
    except SettingError as err:
        if where:
            raise SettingError(f"{where}: {err}") from None
        raise
    return Settings(values, {**base._sources, **dict.fromkeys(parsed, source)})


def _specs_of(raw: Mapping[str, object]) -> Iterator[tuple[str, SettingSpec, object]]:
    for key, value in raw.items():
        spec = spec_for(key)
        yield spec.name, spec, value


# ---------------------------------------------------------------- files


def user_config_path() -> Path:
    """`$XDG_CONFIG_HOME/gt-tui/config.toml`, or ~/.config/... when unset or relative."""
    return config_dir() / "config.toml"


def town_config_path(town_root: Path) -> Path:
    """Where a town overrides the user's settings."""
    return Path(town_root) / "settings" / "gt-tui.toml"


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in SPEC_BY_NAME:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def read_file(path: Path) -> dict[str, object]:
    """The raw values in a settings file by dotted name ({} when there is no file); keys and
    text made safe to show, as a bad one is quoted in the error."""
    try:
        text = read_regular_text(Path(path))
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise MalformedFile(path, "not UTF-8 text") from None
    except OSError as err:
        raise MalformedFile(path, err.strerror or str(err)) from None
    try:
        return safe_data(dict(_flatten(tomllib.loads(text))))
    except tomllib.TOMLDecodeError as err:
        raise MalformedFile(path, f"not valid TOML ({err})") from None
    except RecursionError:
        raise MalformedFile(path, "not valid TOML (nested too deeply)") from None


def _with_file(base: Settings, path: Path, source: str) -> Settings:
    return _layer(base, read_file(path), source, str(path))


def load_settings(
    town_root: Path | None = None, overrides: Mapping[str, str] | None = None
) -> Settings:
    """Defaults < user file < town file (when `town_root` is given) < `overrides`."""
    settings = _with_file(Settings.defaults(), user_config_path(), "user")
    if town_root is not None:
        settings = _with_file(settings, town_config_path(town_root), "town")
    return _layer(settings, overrides or {}, "override")


def save_setting(key: str, raw: object, path: Path | None = None) -> Settings:
    """Validate one value, then write it into a settings file atomically.

    `path` defaults to the user file. Any other path is treated as a town file and
    validated on top of the user file. Returns the settings that file chain now gives.
    Nothing is written when the value (or the rest of that file) is refused.
    """
    user = user_config_path().absolute()
    target = Path(path).absolute() if path is not None else user
    source = "user" if target == user else "town"
    base = (
        Settings.defaults() if source == "user" else _with_file(Settings.defaults(), user, "user")
    )
    name = spec_for(key).name
    kept = {k: v for k, v in read_file(target).items() if k != name}
    updated = _layer(base, kept, source, str(target)).with_value(name, raw, source)
    names = [*kept, name]
    _write_atomically(target, _to_toml({n: updated[n] for n in names}))
    return updated


_HEADER = "# gt-tui settings (see `gt-tui config list`); rewritten by `gt-tui config set`.\n\n"


def _to_toml(values: Mapping[str, Value]) -> str:
    document: dict[str, Any] = {}
    for spec in SETTINGS:
        if spec.name in values:
            *tables, leaf = spec.name.split(".")
            table = document
            for part in tables:
                table = table.setdefault(part, {})
            table[leaf] = spec.to_toml(values[spec.name])
    return _HEADER + tomli_w.dumps(document)


def _write_atomically(path: Path, text: str) -> None:
    """Write the file whole (readers never see half of it), or one line saying why not."""
    try:
        write_atomically(path, text, durable=True)
    except OSError as err:
        raise GtTuiError(f"cannot write {path}: {err.strerror or err}") from None


# ---------------------------------------------------------------- views for other modules


def thresholds(settings: Settings) -> dict[str, Threshold]:
    """The five metrics' thresholds by metric key, as configured."""
    return {
        m.key: Threshold(
            settings.number(f"threshold.{m.key}.warning"),
            settings.number(f"threshold.{m.key}.danger"),
        )
        for m in METRICS
    }
