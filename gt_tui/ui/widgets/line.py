"""A one-line widget whose text is rebuilt for its width, and redrawn only when it changes."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

Builder = Callable[[int], Text]


class LineView(Widget):
    """Shows `build(width)`; `show()` swaps the builder and repaints only on a visible change."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._build: Builder | None = None
        self._text = Text("")

    def show(self, build: Builder) -> None:
        self._build = build
        self._rebuild()

    def _rebuild(self) -> None:
        if self._build is None:
            return
        text = self._build(self.size.width or self.app.size.width)
        if text != self._text:
            self._text = text
            self.refresh()

    def on_resize(self) -> None:
        self._rebuild()

    def render(self) -> Text:
        return self._text
