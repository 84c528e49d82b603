"""`gt-tui --replay FILE`: the console over a recording, marked REPLAY, with keys to move in it.

The app is the live console (every pane, the map, zoom) over a facade whose engine is a
`ReplaySource`: the refresh loop pulls the record the playback has reached, as it pulls a live
refresh. The header's badge reads REPLAY (the replayed snapshots' mode) and its clock is the
record's time. Stepping, jumping and speed are `keymap.REPLAY_KEYS`; `space` plays or pauses.
The source is read-only with no town actions: every mutating key is refused as on the wall.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from textual.binding import BindingType

from gt_tui.engine.facade import EngineFacade
from gt_tui.engine.snapshot import Snapshot
from gt_tui.ui import keymap
from gt_tui.ui.app import GtTuiApp
from gt_tui.ui.messages import SnapshotArrived
from gt_tui.ui.replay_source import ReplaySource

PLAY_INTERVAL_S = 0.5  # how often a playing replay pulls its next record


class ReplayApp(GtTuiApp):
    """The console over a `ReplaySource`."""

    BINDINGS: ClassVar[list[BindingType]] = keymap.replay_bindings()

    def __init__(
        self, source: ReplaySource, *, warning: str | None = None, wall: bool = False
    ) -> None:
        super().__init__(
            EngineFacade(source),
            wall=wall,
            refresh_interval=PLAY_INTERVAL_S,
            clock=self._recorded_clock,
        )
        self.source = source
        self.warning = warning
        self.paused = not source.playing

    def _recorded_clock(self) -> datetime:
        return self.source.recorded_at.astimezone()

    def on_mount(self) -> None:
        super().on_mount()
        if self.warning:
            self.notify(self.warning, severity="warning", timeout=10)

    # ------------------------------------------------------------ the replay's keys

    def action_toggle_pause(self) -> None:
        self.source.set_playing(self.paused)  # paused now: play, and the other way round
        super().action_toggle_pause()
        self._say()

    def action_replay_step(self, by: int) -> None:
        self.source.step(by)
        self._moved()

    def action_replay_jump(self, to: int) -> None:
        self.source.jump(to)
        self._moved()

    def action_replay_speed(self, by: int) -> None:
        self.source.change_speed(by)
        self._say()

    def action_help(self) -> None:
        from gt_tui.ui.replay_help import ReplayHelpScreen

        self.push_screen(ReplayHelpScreen())

    def _moved(self) -> None:
        if not self.paused:
            super().action_toggle_pause()  # stepping pauses
        self.start_refresh()
        self._say()

    def _say(self) -> None:
        self.notify(f"replay: {self.source.status()}", timeout=2)

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        super().on_snapshot_arrived(message)
        if not self.source.playing and not self.paused:  # the end of the recording
            super().action_toggle_pause()
            self._say()

    def refuse(self, key: keymap.Key) -> None:
        """A recording has no town to change (and no guard to audit the refusal)."""
        self.notify(f"replay: '{key.heading}' is not available in a replay", severity="warning")


def run_replay(
    snapshots: Sequence[Snapshot], *, warning: str | None = None, wall: bool = False
) -> int:
    """Replay `snapshots` (read before the app starts) full screen until the user quits;
    `wall`: in the wall monitor's layout."""
    app = ReplayApp(ReplaySource(snapshots), warning=warning, wall=wall)
    app.run()
    return app.return_code or 0
