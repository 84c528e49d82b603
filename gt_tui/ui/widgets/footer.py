"""The key footer, without the leak of Textual's own: a screen can be shown any number of times.

Textual's `Footer` rebuilds its keys whenever the screen's bindings change (each time a screen
is shown again), and binds every new `FooterKey` to its `compact` reactive. The old keys stay in
the footer's watcher list until `compact` changes, which it never does here: every screen switch
kept some 25 dead widgets with their render caches (about 0.5 MiB). This footer forgets them.
"""

from __future__ import annotations

from textual.widgets import Footer


class ConsoleFooter(Footer):
    """Textual's footer that drops the watchers of the keys it has removed."""

    async def recompose(self) -> None:
        await super().recompose()
        forget_detached_watchers(self)


def forget_detached_watchers(node: object) -> None:
    """Drop `node`'s reactive watchers whose watching widget has left the DOM for good."""
    watchers = getattr(node, "__watchers", None)  # where textual.reactive keeps them
    for entries in (watchers or {}).values():
        entries[:] = [(owner, callback) for owner, callback in entries if owner.is_attached]
