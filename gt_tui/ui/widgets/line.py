"""A one-line widget whose text is rebuilt for its width, and redrawn only when it changes."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

Builder = Callable[[int], Text]


class LineView(Widget):
    """Shows `build(width)`; `show()` swaps the builder and repaints only on a visible change."""

    text: reactive[Text] = reactive(Text, layout=False)
    """The line shown; a new value equal to the old one repaints nothing."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._build: Builder | None = None

    def show(self, build: Builder) -> None:
        self._build = build
        self._rebuild()

    def forget(self) -> None:
        """Drop the builder: nothing is built again (on a resize) until the next `show`."""
        self._build = None

    def _rebuild(self) -> None:
        if self._build is not None:
            self.text = self._build(self.size.width or self.app.size.width)

    def on_resize(self) -> None:
        self._rebuild()

    def render(self) -> Text:
        return self.text
