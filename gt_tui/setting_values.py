"""Typed setting values: parsing what a user types or a TOML file holds, and showing it back.

Durations are float seconds ("1h30m", "10m", "300"); sizes are int bytes ("256MB" = 256 *
1000**2, "512KiB" = 512 * 1024); lists are comma-separated. A raw value that does not parse
raises `Refused`, which the settings table turns into a message naming key and allowed values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any

Value = int | float | bool | str | tuple[str, ...]


class Kind(StrEnum):
    """The type of a setting's value."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DURATION = "duration"
    SIZE = "size"
    STR = "str"
    LIST = "list"


class Refused(ValueError):
    """A raw value that does not parse as its kind."""


# ---------------------------------------------------------------- parsing raw values


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise Refused
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise Refused from None
    else:
        raise Refused
    if not math.isfinite(value):
        raise Refused
    return value


def _parse_int(raw: object) -> int:
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            raise Refused from None
    value = _number(raw)
    if not value.is_integer():
        raise Refused
    return int(value)


_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise Refused


_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(raw: object) -> float:
    """Seconds from "1h30m", "10m", "500ms", "300" (plain seconds) or a TOML number."""
    if not isinstance(raw, str):
        return _number(raw)
    text = raw.strip().lower()
    if not _DURATION.fullmatch(text):
        return _number(text)
    return sum(float(n) * _DURATION_UNITS[unit] for n, unit in _DURATION_PART.findall(text))


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)", re.IGNORECASE)
# Largest first, so a value is shown in the largest unit that divides it exactly.
_SIZE_UNITS = {"TiB": 2**40, "TB": 10**12, "GiB": 2**30, "GB": 10**9, "MiB": 2**20}
_SIZE_UNITS |= {"MB": 10**6, "KiB": 2**10, "kB": 10**3}
SIZE_WORDS = ", ".join(reversed(_SIZE_UNITS))
_SIZE_BY_LOWER = {unit.lower(): factor for unit, factor in _SIZE_UNITS.items()} | {"b": 1, "": 1}


def parse_size(raw: object) -> int:
    """Bytes from "256MB", "4GB", "512KiB", "1.5GB" or plain bytes."""
    if not isinstance(raw, str):
        return _parse_int(raw)
    match = _SIZE.fullmatch(raw.strip())
    factor = _SIZE_BY_LOWER.get(match.group(2).lower()) if match else None
    if match is None or factor is None:
        raise Refused
    size = Decimal(match.group(1)) * factor
    if size != size.to_integral_value():
        raise Refused
    return int(size)


def _parse_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise Refused
    return raw.strip()


def parse_list(raw: object) -> tuple[str, ...]:
    """A comma-separated string or a TOML array of strings; blanks and repeats dropped."""
    if isinstance(raw, str):
        items: list[object] = list(raw.split(","))
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise Refused
    if not all(isinstance(item, str) for item in items):
        raise Refused
    words = (str(item).strip().lower() for item in items)
    return tuple(dict.fromkeys(word for word in words if word))


PARSERS: dict[Kind, Callable[[object], Value]] = {
    Kind.INT: _parse_int,
    Kind.FLOAT: _number,
    Kind.BOOL: _parse_bool,
    Kind.DURATION: parse_duration,
    Kind.SIZE: parse_size,
    Kind.STR: _parse_str,
    Kind.LIST: parse_list,
}


# ---------------------------------------------------------------- showing values


def _num(value: float) -> str:
    """The shortest text that reads back as the same number ("2", "0.25")."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _format_duration(seconds: float) -> str:
    if 0 < seconds < 1:
        return f"{_num(seconds * 1000)}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{int(hours)}h" if hours else "", f"{int(minutes)}m" if minutes else ""]
    parts.append(f"{_num(secs)}s" if secs else "")
    return "".join(parts) or "0s"


def _format_size(size: int) -> str:
    for unit, factor in _SIZE_UNITS.items():
        if size and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


FORMATTERS: dict[Kind, Callable[[Any], str]] = {
    Kind.INT: str,
    Kind.FLOAT: _num,
    Kind.BOOL: lambda value: "true" if value else "false",
    Kind.DURATION: _format_duration,
    Kind.SIZE: _format_size,
    Kind.STR: str,
    Kind.LIST: ",".join,
}


def show_raw(raw: object) -> str:
    """A raw value as a user typed or wrote it, for a refusal message."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return repr(raw) if isinstance(raw, str) else str(raw)
