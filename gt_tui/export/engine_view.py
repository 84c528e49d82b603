"""The console's own state: the engine strip, the failing sources, and the stale copy shown
when a refresh fails. Rich renderables; imports no Textual.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.text import Text

from gt_tui.engine.snapshot import EngineInfo, Snapshot, SourceError
from gt_tui.export.style import (
    Palette,
    Part,
    fit_line,
    format_age,
    format_duration,
)


def engine_strip(engine: EngineInfo, palette: Palette, width: int, *, wall: bool = False) -> Text:
    """The console's own cost: refresh, queries, pool, caches, rate tokens, queue."""

    def seg(label: str, value: str, style: str = "") -> Text:
        return Text.assemble((label, palette.muted), (value, style))

    lookups = engine.cache_hits + engine.cache_misses
    ratio = f"  {engine.cache_hits * 100 // lookups}%" if lookups else ""
    queue_full = engine.queue_limit and engine.queue_depth >= 0.8 * engine.queue_limit
    parts = [
        Part.of(0, seg("refresh ", format_duration(engine.refresh_ms / 1000))),
        Part.of(2, seg("queries ", str(engine.queries))),
        Part.of(3, seg("pool ", _pool_text(engine))),
        Part.of(
            1,
            seg(
                "cache ",
                f"{engine.cache_hits} hit / {engine.cache_misses} miss{ratio}"
                f"  {engine.cache_size} held",
            ),
            seg("cache ", f"{engine.cache_hits} hit / {engine.cache_misses} miss{ratio}"),
            seg("cache ", ratio.strip() or "—"),
        ),
        Part.of(
            1,
            seg(
                "queue ",
                f"{engine.queue_depth}/{engine.queue_limit}",
                palette.warning if queue_full else "",
            ),
        ),
    ]
    if engine.rate_tokens is not None:
        tokens = f"{engine.rate_tokens:.0f} tokens"
        parts.insert(
            4,
            Part.of(
                4,
                seg("rate ", f"{tokens}, {engine.rate_waiters} waiting"),
                seg("rate ", tokens),
            ),
        )
    if not wall:
        parts.insert(0, Part.of(0, Text("engine", style=palette.strong)))
    return fit_line(parts, width)


def _pool_text(engine: EngineInfo) -> str:
    if engine.pool_open is None:
        return "—"
    idle = "" if engine.pool_idle is None else f" / {engine.pool_idle} idle"
    return f"{engine.pool_open} open{idle}"


def all_errors(snapshot: Snapshot) -> list[SourceError]:
    """The snapshot's source errors, plus metric errors not already reported by a source."""
    errors = list(snapshot.errors)
    known = {e.message for e in errors}
    for metric in snapshot.metrics:
        if metric.error and metric.error not in known and metric.error_since:
            errors.append(SourceError(metric.label, metric.error, metric.error_since))
            known.add(metric.error)
    return errors


def errors_text(snapshot: Snapshot, now: datetime, palette: Palette, *, one_line: bool) -> Text:
    """Every failing source: `✖ source: reason (42s)`."""
    lines = [
        Text.assemble(
            ("✖ ", palette.danger),
            (f"{error.source}: ", palette.strong),
            error.message,
            (f"  {format_age((now - error.since).total_seconds())}", palette.muted),
        )
        for error in all_errors(snapshot)
    ]
    return Text("     " if one_line else "\n").join(lines)


# ---------------------------------------------------------------- a failed refresh


def stale_copy(snapshot: Snapshot, error: str, since: datetime) -> Snapshot:
    """The last good snapshot with every metric marked stale: what to show when refresh fails."""
    metrics = tuple(
        m if m.stale else replace(m, stale=True, error=error, error_since=since)
        for m in snapshot.metrics
    )
    errors = (*snapshot.errors, SourceError("refresh", error, since))
    return replace(snapshot, metrics=metrics, errors=errors)
