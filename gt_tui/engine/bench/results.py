"""Benchmark results: the model, its percentiles, and saving and loading it by name.

A `BenchResult` holds one or more labelled groups of samples (`concurrency=1`, `cold`,
`pool`); its headline figures are those of the group named by `headline`. Percentiles use
`statistics.quantiles(n=100, method="inclusive")`. Results are saved as JSON under
`$XDG_STATE_HOME/gt-tui/bench/<NAME>.json`; `compare` puts two runs side by side.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gt_tui.engine import window
from gt_tui.errors import GtTuiError, MalformedFile
from gt_tui.files import write_atomically
from gt_tui.xdg import state_dir

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class BenchGroup:
    """One labelled series of samples and its statistics (qps where it means something)."""

    label: str
    samples: tuple[float, ...]
    p50: float
    p95: float
    p99: float
    qps: float | None = None


@dataclass(frozen=True)
class BenchResult:
    """A benchmark run; headline p50/p95/p99/qps/samples are those of group `headline`."""

    kind: str
    runs: int
    unit: str
    samples: tuple[float, ...]
    p50: float
    p95: float
    p99: float
    qps: float | None
    params: dict[str, Any]
    created_at: str
    headline: str = ""
    groups: tuple[BenchGroup, ...] = field(default=())

    def group(self, label: str) -> BenchGroup | None:
        return next((g for g in self.groups if g.label == label), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchResult:
        groups = tuple(
            BenchGroup(**{**g, "samples": tuple(g["samples"])}) for g in data.get("groups", ())
        )
        # Only the result's own fields: a `--format json` output (the refresh kind's adds
        # `schema`, `type` and its summary on top) loads as well as a saved file.
        known = {f.name for f in dataclasses.fields(cls)}
        fields = {k: v for k, v in data.items() if k in known}
        return cls(**{**fields, "samples": tuple(data["samples"]), "groups": groups})


# ---------------------------------------------------------------- statistics


def percentiles(data: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of the data; a single sample is all three."""
    if not data:
        raise GtTuiError("no samples to summarise")
    p50, p95, p99 = window.percentiles(data, (50, 95, 99))
    return p50, p95, p99


def make_group(label: str, samples: Sequence[float], qps: float | None = None) -> BenchGroup:
    p50, p95, p99 = percentiles(samples)
    return BenchGroup(label, tuple(samples), p50, p95, p99, qps)


def make_result(
    kind: str,
    runs: int,
    unit: str,
    groups: Sequence[BenchGroup],
    params: dict[str, Any],
    headline: str,
) -> BenchResult:
    """A result whose headline figures are copied from the group labelled `headline`."""
    head = next(g for g in groups if g.label == headline)
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return BenchResult(
        kind,
        runs,
        unit,
        head.samples,
        head.p50,
        head.p95,
        head.p99,
        head.qps,
        params,
        stamp,
        headline,
        tuple(groups),
    )


# ---------------------------------------------------------------- saving


def bench_dir() -> Path:
    """`$XDG_STATE_HOME/gt-tui/bench`; `~/.local/state` when unset or not absolute."""
    return state_dir() / "bench"


def result_path(name: str) -> Path:
    if not _NAME.match(name):
        raise GtTuiError(f"bad benchmark name {name!r} (letters, digits, '.', '_', '-')")
    return bench_dir() / f"{name}.json"


def save_result(result: BenchResult, name: str) -> Path:
    """Write a result as `<bench dir>/<name>.json` (atomically); its path."""
    path = result_path(name)
    write_atomically(path, json.dumps(result.to_json(), indent=2) + "\n")
    return path


def load_result(name: str) -> BenchResult:
    """A saved result by name (or by path to a .json file)."""
    path = Path(name) if name.endswith(".json") else result_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GtTuiError(f"no saved benchmark '{name}' ({path})") from None
    except (OSError, ValueError) as err:
        raise MalformedFile(path, f"not readable JSON ({err})") from None
    try:
        return BenchResult.from_json(data)
    except (KeyError, TypeError) as err:
        raise MalformedFile(path, f"not a gt-tui benchmark result ({err})") from None
