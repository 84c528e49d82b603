"""The history file's codec: a Snapshot as plain JSON-able data and back, exactly.

The JSON `--snapshot` document (export/json.py) is a view: it drops the samples and rounds.
This codec is not a view: it walks the Snapshot's dataclasses by their type hints, so every
field round-trips (floats as JSON's shortest exact form, datetimes as whole microseconds
since the epoch in UTC, enums by value, tuples as lists), and a field added to the Snapshot
later is carried without a change here. A field left at its default is not written; a field
a newer file carries and this Snapshot lacks is ignored, one it lacks takes its default.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any

import zstandard

from gt_tui.engine.snapshot import MetricSummary, Sample, Snapshot

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LEVEL = 3  # zstd's default level; a record is a few KiB of JSON, any level is fast


class CodecError(ValueError):
    """A record that does not decode into a Snapshot."""


def micros(at: datetime) -> int:
    """Whole microseconds since the epoch (a naive datetime is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(us: int) -> datetime:
    """The tz-aware UTC datetime of `micros`."""
    return datetime.fromtimestamp(us // 1_000_000, UTC).replace(microsecond=us % 1_000_000)


_PLAIN = (str, int, float, bool, type(None))


def encode(value: Any) -> Any:
    """`value` (a dataclass, tuple, datetime, enum or plain value) as JSON-able data."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    layout = _layout(kind)
    if layout is not None:
        out = {}
        for name, default in layout:
            item = getattr(value, name)
            if default is dataclasses.MISSING or type(item) is not type(default) or item != default:
                out[name] = encode(item)
        return out
    if isinstance(value, datetime):
        return micros(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    return value


_Layout = tuple[tuple[str, Any], ...] | None
_LAYOUTS: dict[type, _Layout] = {}


def _layout(kind: type) -> _Layout:
    """A dataclass's fields as (name, default or MISSING), once per class; None for others."""
    if kind not in _LAYOUTS:
        is_data = dataclasses.is_dataclass(kind)
        fields = dataclasses.fields(kind) if is_data else ()
        _LAYOUTS[kind] = tuple((f.name, f.default) for f in fields) if is_data else None
    return _LAYOUTS[kind]


def decode(hint: Any, data: Any) -> Any:
    """The value of type `hint` that `encode` turned into `data`; CodecError if it is not."""
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        return decode(kinds[0], data) if len(kinds) == 1 else data
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(data, list):
            raise CodecError(f"expected a list for {hint}, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        return tuple(decode(a, v) for a, v in zip(args, data, strict=True))
    if isinstance(hint, type):
        return _decode_type(hint, data)
    return data


def _decode_type(hint: type, data: Any) -> Any:
    if dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise CodecError(f"expected an object for {hint.__name__}")
        hints = _hints(hint)
        known = {k: decode(hints[k], v) for k, v in data.items() if k in hints}
        try:
            return hint(**known)
        except TypeError as exc:
            raise CodecError(f"{hint.__name__}: {exc}") from None
    if hint is datetime:
        if not isinstance(data, int):
            raise CodecError("expected microseconds for a datetime")
        return from_micros(data)
    if issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError as exc:
            raise CodecError(str(exc)) from None
    if hint is float and isinstance(data, int | float):
        return data
    if not isinstance(data, hint):
        raise CodecError(f"expected {hint.__name__}, got {type(data).__name__}")
    return data


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def to_json(data: Any) -> bytes:
    """JSON-able `data` as compact UTF-8 JSON (the text a record compresses)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def from_json(text: bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CodecError(f"not JSON ({exc})") from None


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def compressor(base: bytes | None = None) -> zstandard.ZstdCompressor:
    """A zstd compressor; with `base` (a keyframe's JSON) as its dictionary, a record much
    like the keyframe compresses to the little that differs."""
    if base is None:
        return zstandard.ZstdCompressor(level=_LEVEL)
    return zstandard.ZstdCompressor(level=_LEVEL, dict_data=_dictionary(base))


def decompressor(base: bytes | None = None) -> zstandard.ZstdDecompressor:
    """The decompressor matching `compressor(base)`."""
    if base is None:
        return zstandard.ZstdDecompressor()
    return zstandard.ZstdDecompressor(dict_data=_dictionary(base))


def decompress(blob: bytes, using: zstandard.ZstdDecompressor) -> bytes:
    """What a compressor compressed; CodecError for a torn or foreign blob."""
    try:
        return using.decompress(blob)
    except zstandard.ZstdError as exc:
        raise CodecError(f"not a packed record ({exc})") from None


def without_samples(snapshot: Snapshot) -> Snapshot:
    """The snapshot with every metric's samples dropped (they are stored apart, once)."""
    metrics = tuple(dataclasses.replace(m, samples=()) for m in snapshot.metrics)
    return dataclasses.replace(snapshot, metrics=metrics)


def with_samples(snapshot: Snapshot, samples: list[tuple[Sample, ...]]) -> Snapshot:
    """The snapshot with each metric's samples put back, in metric order."""
    if len(samples) != len(snapshot.metrics):
        raise CodecError("the record's sample lists do not match its metrics")
    metrics: tuple[MetricSummary, ...] = tuple(
        dataclasses.replace(m, samples=s) for m, s in zip(snapshot.metrics, samples, strict=True)
    )
    return dataclasses.replace(snapshot, metrics=metrics)
