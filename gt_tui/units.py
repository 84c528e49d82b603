"""Durations in the unit and precision a person reads: one home for every layer.

Measurements keep three significant digits in the unit that suits each value (`80 µs`, `12.3 ms`,
`1.50 s`); from a minute up, durations read as people write them (`1m 31s`, `2h 55m`, `8d 0h`).
Figures derived from 1-second timestamps are whole seconds, marked `±1 s` where they are listed.
The engine (map facts) and the views (panes, tables) both format here, so a figure reads the same
everywhere. Imports no other layer.
"""

from __future__ import annotations

import math

from gt_tui.health import METRIC_BY_KEY, TIMESTAMP_RESOLUTION_S

WHOLE_SECOND_CAPTION = f"±{TIMESTAMP_RESOLUTION_S:g}"  # beside a unit that is already shown
WHOLE_SECOND_MARK = f"{WHOLE_SECOND_CAPTION} s"
UNIT_SECONDS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0}
# Metrics whose numbers come from 1-second timestamps (their spec's precision note says so).
WHOLE_SECOND_SOURCES = frozenset({"events", "mail", "patrols"})
_CLOCK_UNITS = ((86400, "d", 3600, "h"), (3600, "h", 60, "m"), (60, "m", 1, "s"))


def _three_digits(value: float) -> str:
    """A non-negative number with three significant digits: 1.50, 12.3, 123."""
    if value == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(value)))
    return f"{value:.{decimals}f}"


def _round3(value: float) -> float:
    return float(f"{value:.3g}")


def clock_form(seconds: float) -> str:
    """A duration of a minute or more in its two largest units: `1m 31s`, `2h 55m`, `8d 0h`."""
    whole = round(seconds)
    for size, unit, small_size, small_unit in _CLOCK_UNITS:
        if whole >= size:
            big, rest = divmod(whole, size)
            return f"{big}{unit} {rest // small_size}{small_unit}"
    return f"{whole}s"


def split_seconds(seconds: float) -> tuple[str, str]:
    """A measurement below a minute as (number, unit): ("80", "µs"), ("12.3", "ms"), ("1.50", "s").

    Microseconds are whole (a finer digit is the timer's noise). From a minute up: ("1:31", "m:s").
    """
    sign = "-" if seconds < 0 else ""
    rounded = _round3(abs(seconds))
    if rounded == 0:
        return "0", "s"
    if rounded < 1e-3:
        micro = round(rounded * 1e6)
        if micro < 1000:
            return f"{sign}{micro}", "µs"
        rounded = 1e-3
    if rounded < 1:
        return f"{sign}{_three_digits(_round3(rounded * 1000))}", "ms"
    if rounded < 60:
        return f"{sign}{_three_digits(rounded)}", "s"
    number, unit = _clock_digits(abs(seconds))
    return f"{sign}{number}", unit


def _clock_digits(seconds: float) -> tuple[str, str]:
    whole = round(seconds)
    for size, unit, small_size, small_unit in _CLOCK_UNITS:
        if whole >= size:
            big, rest = divmod(whole, size)
            return f"{big}:{rest // small_size:02d}", f"{unit}:{small_unit}"
    return str(whole), "s"


def format_duration(seconds: float) -> str:
    """Any duration: `80 µs`, `12.3 ms`, `1.50 s` below a minute, then `1m 31s`, `2h 55m`."""
    number, unit = split_seconds(seconds)
    if ":" in unit:
        return ("-" if seconds < 0 else "") + clock_form(abs(seconds))
    return f"{number} {unit}"


def format_age(seconds: float) -> str:
    """How long ago, in whole seconds: `42s`, `1m 31s`, `2h 55m`, `8d 0h` (never negative)."""
    return clock_form(max(0.0, float(seconds)))


def format_whole_seconds(seconds: float) -> str:
    """A figure from 1-second timestamps: `3 s`, then `1m 31s` (its `±1 s` is said beside it)."""
    whole = round(seconds)
    return f"{whole} s" if abs(whole) < 60 else clock_form(whole)


def is_whole_seconds(key: str) -> bool:
    """Whether a metric's figures come from 1-second timestamps (spawn, mail lag, patrol)."""
    spec = METRIC_BY_KEY.get(key)
    return spec is not None and spec.source in WHOLE_SECOND_SOURCES


def split_figure(value: float, unit: str, key: str = "") -> tuple[str, str]:
    """A metric's value as (number, unit) for big digits, in the unit that suits it."""
    if unit not in UNIT_SECONDS:
        return _three_digits(abs(value)) if value >= 0 else f"-{_three_digits(-value)}", unit
    seconds = value * UNIT_SECONDS[unit]
    if is_whole_seconds(key):
        whole = round(seconds)
        return (str(whole), "s") if abs(whole) < 60 else _clock_digits(whole)
    return split_seconds(seconds)


def number_in(value: float, unit: str, key: str, shown: str) -> str:
    """A metric's value as a bare number in the time unit `shown` (a column's, said in its header):
    three significant digits, whole seconds for 1-second metrics."""
    seconds = value * UNIT_SECONDS[unit]
    if is_whole_seconds(key):
        return str(round(seconds / UNIT_SECONDS[shown]))
    number = _three_digits(_round3(abs(seconds) / UNIT_SECONDS[shown]))
    return f"-{number}" if seconds < 0 else number


def format_figure(value: float | None, unit: str, key: str = "") -> str:
    """A metric's value in words: `80 µs`, `1.50 s`, `3 s` (whole seconds), `1m 31s`, `—`."""
    if value is None:
        return "—"
    if unit not in UNIT_SECONDS:
        return " ".join(split_figure(value, unit, key)).strip()
    seconds = value * UNIT_SECONDS[unit]
    return format_whole_seconds(seconds) if is_whole_seconds(key) else format_duration(seconds)
