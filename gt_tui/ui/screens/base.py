"""What every screen of the console shares: release on close; the header, action bar, wall class."""

from __future__ import annotations

from functools import cached_property
from typing import TypeVar

from textual._styles_cache import StylesCache
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.style import Palette, ViewState
from gt_tui.ui.console_state import ConsoleHost, console_host
from gt_tui.ui.widgets.action_bar import ActionBar
from gt_tui.ui.widgets.header import StatusHeader

W = TypeVar("W", bound=Widget)


def release_render_caches() -> None:
    """Forget Textual's render cache that outlives the widgets it drew.

    `StylesCache.get_inner_outer` is an `lru_cache` on a method: its 1024 entries hold the
    styles caches (every rendered line) of widgets long removed, about 1 MiB per zoom shown.
    """
    StylesCache.get_inner_outer.cache_clear()


class Released:
    """Mixin for a screen: once it is removed, nothing Textual caches keeps its widgets alive."""

    def on_unmount(self) -> None:
        release_render_caches()


class SnapshotScreen(Released, Screen[None]):
    """A screen drawn from the app's snapshot and view state; subclasses draw the rest in `show`."""

    AUTO_FOCUS = ""  # nothing focused until asked: no ring on a pane at start
    ready = False
    _parts: dict[type[Widget], Widget] | None = None

    def on_mount(self) -> None:
        self.ready = True
        self.set_class(self.host.wall, "-wall")
        self.show_state()

    @cached_property
    def host(self) -> ConsoleHost:
        """The console this screen draws. Narrowed once: the runtime protocol check reads
        every member (building a ViewState), and a screen's app never changes."""
        return console_host(self.app)

    @property
    def showing(self) -> bool:
        """Composed, and not being torn down (at exit Textual prunes a screen's widgets while it
        is still on the stack): only then are its widgets there to be drawn."""
        return self.ready and self.is_attached and not (self._closing or self._pruning)

    def part(self, kind: type[W]) -> W:
        """The screen's one widget of `kind`, looked up once: a screen's widgets are composed
        once and stay, so no refresh walks the DOM for them."""
        if self._parts is None:
            self._parts = {}
        found = self._parts.get(kind)
        if found is None:
            found = self._parts[kind] = self.query_one(kind)
        assert isinstance(found, kind)
        return found

    def show_state(self) -> None:
        """Pull the app's snapshot and view state into every widget (each skips no-ops)."""
        if not self.showing:
            return
        host = self.host
        snapshot, view, palette = host.snapshot, host.view, host.palette
        try:
            self.part(StatusHeader).update_from(snapshot, view, palette)
            self.part(ActionBar).update_from(host.action_status)
            self.show(snapshot, view, palette)
        except NoMatches:  # torn down between the check and the draw (a tick during exit)
            return

    def show(self, snapshot: Snapshot | None, view: ViewState, palette: Palette) -> None:
        """Draw this screen's own widgets."""
