"""How often a source is read: each refresh, or only when a cheap signal says it changed.

A source on a cadence (the table `CADENCES` beside `READERS`, engine/readers/__init__.py)
is read when it was never read, when its last good read is `max_age_s` old (so a change no
signal announces still shows, and a metric a read produces stays live in a quiet town), or
when its signal, a look far cheaper than the read, says the source changed since. Between,
the source keeps its last reading's facts, and the Snapshot names it as held
(`EngineInfo.held`): nothing not read this refresh looks freshly read. No sample is made
up for a held source: a window holds only the samples of real reads.

A failing source is not on its cadence: the engine tries it on its backoff and shows the
failure at once (engine/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gt_tui.engine.facts import FactUpdate
from gt_tui.engine.reading import ReadContext


@dataclass(frozen=True)
class Cadence:
    """A source read at least every `max_age_s` seconds, and at once when `changed(ctx)`
    (the source's signal: whether it changed since its last read) says so."""

    max_age_s: float
    changed: Callable[[ReadContext], bool]


class CadenceState:
    """When each source on a cadence was last read, and the facts that read gave."""

    def __init__(self, cadences: dict[str, Cadence]) -> None:
        self.cadences = cadences
        self._read_at: dict[str, datetime] = {}
        self._facts: dict[str, FactUpdate] = {}

    def due(self, source: str, ctx: ReadContext) -> bool:
        """Whether `source` is read in the refresh of `ctx` (always, when not on a cadence)."""
        cadence = self.cadences.get(source)
        last = self._read_at.get(source)
        if cadence is None or last is None:
            return True
        age = (ctx.now - last).total_seconds()
        # A clock that went back counts as due: the age would mean nothing.
        return age < 0 or age >= cadence.max_age_s or cadence.changed(ctx)

    def read(self, source: str, now: datetime, facts: FactUpdate) -> None:
        """Record a good read of `source` in the refresh that started at `now`."""
        if source in self.cadences:
            self._read_at[source], self._facts[source] = now, facts

    def forget(self, source: str) -> None:
        """A failed read: the next refresh reads the source again (after its backoff)."""
        self._read_at.pop(source, None)
        self._facts.pop(source, None)

    def held(self, source: str) -> FactUpdate:
        """The facts of the source's last good read, which stand while it is held."""
        return self._facts[source]
