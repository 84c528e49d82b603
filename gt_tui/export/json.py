"""The snapshot as JSON: schema 1, documented in the README and kept stable."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gt_tui.engine.snapshot import MetricSummary, Snapshot, TownInfo

SCHEMA_VERSION = 1


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _fresh(town: TownInfo, name: str) -> int | None:
    """A count read this refresh, or null: a count its failing source could not give is
    never reported as a number (the screen shows the last good one, marked stale)."""
    return None if name in town.stale else town.count(name)


def _metric(m: MetricSummary) -> dict[str, Any]:
    return {
        "unit": m.unit,
        "count": m.count,
        "p50": _round(m.p50),
        "p95": _round(m.p95),
        "max": _round(m.max),
        "health": m.health.value,
        "stale": m.stale,
        "error": m.error,
        "skipped": m.skipped,
        "few_samples": m.few_samples,
    }


def snapshot_dict(snap: Snapshot) -> dict[str, Any]:
    """The documented JSON shape (schema 1); `errors` lists every failing source."""
    t, d = snap.town, snap.dolt
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": rfc3339(snap.generated_at),
        "town": {
            "name": t.name,
            "root": t.root,
            "mode": t.mode,
            "rigs": list(t.rigs),
            "scale": t.scale,
            "polecats": t.polecats,
            "polecats_running": t.polecats_running,
            "polecats_idle": t.polecats_idle,
            "convoys_open": _fresh(t, "convoys_open"),
            "convoys_staged": _fresh(t, "convoys_staged"),
            "mail_backlog": _fresh(t, "mail_backlog"),
        },
        "dolt": {
            "endpoint": d.endpoint,
            "server": d.server,
            "version": d.version,
            "connections": d.connections,
            "max_connections": d.max_connections,
            "new_connections_per_s": _round(d.new_connections_per_s),
            "probe": d.probe,
            "transport": d.transport,
            "time_zone": d.time_zone,
            "system_time_zone": d.system_time_zone,
            "cpu_percent": _round(d.cpu_percent),
            "rss_bytes": d.rss_bytes,
        },
        "host": {
            "bd_processes": snap.host.bd_processes,
            "bd_started_per_s": _round(snap.host.bd_started_per_s),
        },
        "metrics": {m.key: _metric(m) for m in snap.metrics},
        "engine": {
            "refresh_ms": round(snap.engine.refresh_ms, 1),
            "queries": snap.engine.queries,
            "held": list(snap.engine.held),
        },
        "errors": [
            {"source": e.source, "message": e.message, "since": rfc3339(e.since)}
            for e in snap.errors
        ],
    }


def render_json(snap: Snapshot) -> str:
    return json.dumps(snapshot_dict(snap), indent=2)
