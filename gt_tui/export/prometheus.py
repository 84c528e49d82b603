"""The Snapshot as Prometheus metric families: what `gt-tui serve` exposes on /metrics and
`gt-tui metrics export` prints. No I/O here: the families are built from the documented JSON
document (export.json.snapshot_dict), so /metrics and /snapshot.json of one refresh carry the
same figures, rounded the same way.

Every figure is a gauge (the quantiles are of the engine's sliding window, recomputed each
refresh: not a summary's lifetime `_sum`/`_count`), in base units (Dolt latency, kept in
milliseconds by the Snapshot, in seconds), labelled `town`. A figure that is unknown (no
samples, a count whose source failed, a server that did not answer) is left out, never 0 and
never NaN; health says -1 for unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from gt_tui.engine.readers import READERS
from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.json import snapshot_dict

PREFIX = "gt_tui_"
HEALTH_VALUE = {"healthy": 0, "warning": 1, "danger": 2, "unknown": -1}
QUANTILES = (("0.5", "p50"), ("0.95", "p95"), ("1", "max"))  # label, snapshot field
UNIT_SECONDS = {"s": 1.0, "ms": 1000.0}  # divide by this for seconds
# The JSON's figures have at most 6 decimals of ms: 9 of seconds hold them exactly and drop the
# float noise of the division (12.2 / 1000 is 0.012199999999999999).
SECONDS_DECIMALS = 9
SOURCES = tuple(reader.name for reader in READERS)  # every engine source, for source_up
# (series, help, JSON section, JSON field)
COUNTS = (
    ("polecats", "Polecats of the town (worktrees)", "town", "polecats"),
    ("polecats_running", "Polecats whose tmux session runs", "town", "polecats_running"),
    ("convoys_open", "Open convoys (launched, not closed)", "town", "convoys_open"),
    ("mail_backlog", "Messages not yet acked", "town", "mail_backlog"),
    ("dolt_connections", "Connections on the database server", "dolt", "connections"),
)


def seconds(value: float | None, unit: str) -> float | None:
    """A figure of the snapshot in seconds (None stays None: unknown)."""
    return None if value is None else in_seconds(value, unit)


def in_seconds(value: float, unit: str) -> float:
    return round(value / UNIT_SECONDS[unit], SECONDS_DECIMALS)


def metric_families(snap: Snapshot, sources: Sequence[str] = SOURCES) -> list[Metric]:
    """Every family of one refresh, each series labelled with the town's name."""
    doc = snapshot_dict(snap)
    town = str(doc["town"]["name"])
    families = [*_window_families(doc, town), _health_family(doc, town)]
    families += _count_families(doc, town)
    refresh = _gauge("refresh_seconds", "Time the engine's last refresh took", ["town"])
    refresh.add_metric([town], in_seconds(doc["engine"]["refresh_ms"], "ms"))
    return [*families, refresh, _source_family(doc, town, sources)]


def _gauge(name: str, text: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, text, labels=labels)


def _window_families(doc: dict[str, Any], town: str) -> Iterator[GaugeMetricFamily]:
    for key, m in doc["metrics"].items():
        quantiles = _gauge(
            f"{key}_seconds", f"{key} over the window, seconds", ["town", "quantile"]
        )
        for label, field in QUANTILES:
            value = seconds(m[field], m["unit"])
            if value is not None:
                quantiles.add_metric([town, label], value)
        samples = _gauge(f"{key}_samples", f"{key}: samples in the window", ["town"])
        samples.add_metric([town], m["count"])
        yield quantiles
        yield samples


def _health_family(doc: dict[str, Any], town: str) -> GaugeMetricFamily:
    text = "Health of each metric: 0 healthy, 1 warning, 2 danger, -1 unknown"
    health = _gauge("health", text, ["town", "metric"])
    for key, m in doc["metrics"].items():
        health.add_metric([town, key], HEALTH_VALUE[m["health"]])
    return health


def _count_families(doc: dict[str, Any], town: str) -> Iterator[GaugeMetricFamily]:
    for name, text, section, field in COUNTS:
        family = _gauge(name, text, ["town"])
        value = doc[section][field]
        if value is not None:
            family.add_metric([town], value)
        yield family


def _source_family(doc: dict[str, Any], town: str, sources: Sequence[str]) -> GaugeMetricFamily:
    failing = {error["source"] for error in doc.get("errors", [])}
    up = _gauge("source_up", "1 when the source answered its last read, else 0", ["town", "source"])
    for source in sorted({*sources, *failing}):
        up.add_metric([town, source], 0 if source in failing else 1)
    return up


class SnapshotCollector:
    """A prometheus_client collector of the latest Snapshot (`latest()`; None: none yet, and
    then nothing is collected)."""

    def __init__(self, latest: Callable[[], Snapshot | None]) -> None:
        self._latest = latest

    def collect(self) -> Iterator[Metric]:
        snap = self._latest()
        if snap is not None:
            yield from metric_families(snap)


def private_registry(latest: Callable[[], Snapshot | None]) -> CollectorRegistry:
    """A registry holding only the snapshot's collector (not the process's default metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(latest))
    return registry


def render_prometheus(snap: Snapshot) -> str:
    """One refresh in the Prometheus text format."""
    return generate_latest(private_registry(lambda: snap)).decode("utf-8")


def flat_series(snap: Snapshot) -> list[dict[str, Any]]:
    """The same series as a list of {name, labels, value}: `metrics export --format json`."""
    return [
        {"name": s.name, "labels": dict(s.labels), "value": s.value}
        for family in metric_families(snap)
        for s in family.samples
    ]
