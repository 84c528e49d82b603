"""The events reader: gt's events file tailed, sling/spawn paired with session_start."""

from __future__ import annotations

from datetime import timedelta

from gt_tui import health as h
from gt_tui.engine.collectors import in_window
from gt_tui.engine.reading import ReadContext, Reading


def read_events(ctx: ReadContext) -> Reading:
    """New events, paired; at start only the window (and a lookback to pair) is read."""
    tail, pairer = ctx.events, ctx.pairer
    bad_before = tail.bad_lines + pairer.skipped
    events = tail.read_new(ctx.since - timedelta(seconds=h.SPAWN_LOOKBACK_S))
    spawns = in_window(pairer.feed(events), ctx.since, ctx.now)
    bad = tail.bad_lines + pairer.skipped - bad_before + spawns.skipped
    return Reading(
        appended={"polecat_spawn": tuple(spawns.samples)}, skipped={"polecat_spawn": bad}
    )
