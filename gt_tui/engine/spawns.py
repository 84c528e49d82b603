"""Polecat spawn time: pairing `session_start` events with the `spawn` or `sling` before them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from gt_tui.engine.snapshot import Sample
from gt_tui.health import TIMESTAMP_RESOLUTION_S
from gt_tui.town.events import Event

_POLECAT_ACTOR = re.compile(r"^(?P<rig>[^/]+)/polecats/(?P<name>[^/]+)$")


class SpawnPairer:
    """Turns a stream of events into spawn-time samples, one per polecat `session_start`.

    A `session_start` whose actor is `<rig>/polecats/<Name>` pairs with the latest earlier
    unpaired `spawn` for that rig and polecat; failing that, with the latest unpaired `sling`
    whose target is that actor. Pairing consumes both, so a restart is not measured twice.
    A pair whose start lies after its `session_start` is counted in `skipped`.
    """

    def __init__(self) -> None:
        self._spawns: dict[tuple[str, str], datetime] = {}
        self._slings: dict[str, datetime] = {}
        self.skipped = 0

    def feed(self, events: Iterable[Event]) -> list[Sample]:
        samples = []
        for event in events:
            sample = self._feed_one(event)
            if sample is not None:
                samples.append(sample)
        return samples

    def _feed_one(self, event: Event) -> Sample | None:
        if event.type == "spawn":
            rig, name = event.payload.get("rig"), event.payload.get("polecat")
            if isinstance(rig, str) and isinstance(name, str):
                self._spawns[(rig, name)] = event.ts
        elif event.type == "sling" and isinstance(event.payload.get("target"), str):
            self._slings[event.payload["target"]] = event.ts
        elif event.type == "session_start":
            return self._pair(event)
        return None

    def _pair(self, event: Event) -> Sample | None:
        actor = event.actor or str(event.payload.get("role") or "")
        match = _POLECAT_ACTOR.match(actor)
        if match is None:
            return None
        spawned = self._spawns.pop((match["rig"], match["name"]), None)
        slung = self._slings.pop(actor, None)
        start = spawned or slung
        if start is None:
            return None
        seconds = (event.ts - start).total_seconds()
        if seconds < -TIMESTAMP_RESOLUTION_S:
            self.skipped += 1
            return None
        seconds = max(0.0, seconds)
        return Sample(seconds, event.ts, subject=actor, group=match["rig"])
