"""A recording played back as an engine: what the console's facade needs of one, from memory.

`ReplaySource.refresh()` returns the record the playback has reached, so a replay goes through
the same app path as the live engine (facade → refresh loop → panes). Playing moves through
the records at their recorded pace times the speed (a gap longer than MAX_GAP_S, the console
closed for a while, plays as MAX_GAP_S); stepping or jumping pauses. It is read-only and has no
town actions. No Textual and no I/O here: the file was read before the app started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from gt_tui.engine.snapshot import Snapshot

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_GAP_S = 10.0
MODE = "replay"  # the town's mode in a replayed snapshot: the header's badge reads REPLAY


class ReplaySource:
    """Plays `snapshots` (oldest first, at least one) back, one record at a time."""

    def __init__(
        self, snapshots: Sequence[Snapshot], *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not snapshots:
            raise ValueError("a replay needs at least one snapshot")
        self._snapshots = tuple(snapshots)
        self._monotonic = monotonic
        self.index = 0
        self.speed = 1.0
        self.playing = len(self._snapshots) > 1
        self._credit = 0.0  # recorded seconds played since the record shown
        self._ticked = monotonic()

    # ------------------------------------------------------------ what the facade needs

    @property
    def read_only(self) -> bool:
        return True

    @property
    def actions(self) -> None:
        return None

    def refresh(self) -> Snapshot:
        """The record the playback has reached (moving on first, when playing)."""
        self._advance()
        return self.current

    def close(self) -> None:
        """Nothing to release: the records are in memory."""

    # ------------------------------------------------------------ the playback

    @property
    def count(self) -> int:
        return len(self._snapshots)

    @property
    def current(self) -> Snapshot:
        """The record shown, marked as replayed."""
        snapshot = self._snapshots[self.index]
        return replace(snapshot, town=replace(snapshot.town, mode=MODE))

    @property
    def recorded_at(self) -> datetime:
        """When the record shown was taken (the replay's clock)."""
        return self._snapshots[self.index].generated_at

    @property
    def at_end(self) -> bool:
        return self.index == len(self._snapshots) - 1

    def status(self) -> str:
        """`record 12/340 · 2× · playing`, for a notification."""
        state = "playing" if self.playing else "paused"
        return f"record {self.index + 1}/{self.count} · {self.speed:g}× · {state}"

    def set_playing(self, playing: bool) -> None:
        """Play (from the end: from the start) or pause."""
        if playing and self.at_end:
            self.index = 0
        self.playing = playing and len(self._snapshots) > 1
        self._credit, self._ticked = 0.0, self._monotonic()

    def step(self, by: int) -> None:
        """`by` records on (back when negative), within the recording; pauses."""
        self.index = min(max(self.index + by, 0), len(self._snapshots) - 1)
        self.set_playing(False)

    def jump(self, to: int) -> None:
        """To record `to` (0 the first, -1 the last); pauses."""
        self.index = range(len(self._snapshots))[to]
        self.set_playing(False)

    def change_speed(self, by: int) -> float:
        """`by` steps along SPEEDS (faster when positive); the speed now."""
        at = SPEEDS.index(self.speed) if self.speed in SPEEDS else SPEEDS.index(1.0)
        self._advance()
        self.speed = SPEEDS[min(max(at + by, 0), len(SPEEDS) - 1)]
        return self.speed

    def _advance(self) -> None:
        now = self._monotonic()
        elapsed, self._ticked = now - self._ticked, now
        if not self.playing:
            return
        self._credit += elapsed * self.speed
        while not self.at_end:
            gap = (self._snapshots[self.index + 1].generated_at - self.recorded_at).total_seconds()
            gap = min(max(gap, 0.0), MAX_GAP_S)
            if self._credit < gap:
                return
            self._credit -= gap
            self.index += 1
        self.playing = False  # the end: stay on the last record
