"""The key footer: the keys that matter first, whatever the width, and no leaked watchers.

Textual's `Footer` lays every key in a row and lets the ones past the edge vanish, which at
80 columns was every action. This footer keeps, of the keys the screen offers, the lowest
`rank`s of the keymap that fit (gt_tui.ui.keymap), in the keymap's order; it recomposes when
its width changes. `space` reads `pause` or `resume` as the console is.

Textual's `Footer` also rebuilds its keys whenever the screen's bindings change (each time a
screen is shown again), and binds every new `FooterKey` to its `compact` reactive. The old keys
stay in the footer's watcher list until `compact` changes, which it never does here: every
screen switch kept some 25 dead widgets with their render caches (about 0.5 MiB). This footer
forgets them.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from gt_tui.ui import keymap
from gt_tui.ui.console_state import ConsoleHost

# A footer key's cells: " key description " (Textual's padding); the palette key docked on
# the right has a border and a right padding besides.
KEY_PADDING = 3
PALETTE_EXTRA = 2


class ConsoleFooter(Footer):
    """Textual's footer, with the keys that fit by rank, and without the leak."""

    _laid_out_for = 0

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        self._laid_out_for = self._width()
        yield from fitting(keys, self._laid_out_for, paused=self._paused())

    async def recompose(self) -> None:
        await super().recompose()
        forget_detached_watchers(self)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _paused(self) -> bool:
        return isinstance(self.app, ConsoleHost) and self.app.view.paused


def key_width(key: FooterKey) -> int:
    """The cells `key` takes in the footer."""
    extra = PALETTE_EXTRA if key.has_class("-command-palette") else 0
    return len(key.key_display) + len(key.description) + KEY_PADDING + extra


def fitting(widgets: Iterable[Widget], width: int, *, paused: bool = False) -> list[Widget]:
    """Of the footer's keys, the lowest ranks whose cells add up to at most `width`, in their
    own order; other widgets pass through."""
    widgets = list(widgets)
    for widget in widgets:
        if paused and isinstance(widget, FooterKey) and widget.action == "toggle_pause":
            widget.description = "resume"
    keys = [w for w in widgets if isinstance(w, FooterKey)]
    kept: set[int] = set()
    used = 0
    for key in sorted(keys, key=lambda k: keymap.rank_of(k.action)):
        if used + key_width(key) <= width:
            kept.add(id(key))
            used += key_width(key)
    return [w for w in widgets if not isinstance(w, FooterKey) or id(w) in kept]


def forget_detached_watchers(node: object) -> None:
    """Drop `node`'s reactive watchers whose watching widget has left the DOM for good."""
    watchers = getattr(node, "__watchers", None)  # where textual.reactive keeps them
    for entries in (watchers or {}).values():
        entries[:] = [(owner, callback) for owner, callback in entries if owner.is_attached]
