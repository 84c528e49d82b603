"""Setters that repaint only on a visible change.

Textual repaints whatever it is given: setting `border_title` or `border_subtitle` repaints the
widget (and everything inside its region) even when the title is the same, and
`Static.update` repaints and re-lays out the whole screen even for equal content. On the wall,
refreshed every second, those repaints were most of the idle console's cost. These helpers
compare first, and lay out only a widget whose height follows its content.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


def set_border(widget: Widget, *, title: str | None = None, subtitle: str | None = None) -> None:
    """Set the border's title and subtitle (None leaves one alone); repaint only if changed."""
    if title is not None and widget.border_title != title:
        widget.border_title = title
    if subtitle is not None and widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle


def set_tooltip(widget: Widget, tooltip: str) -> None:
    """Set the tooltip unless it is already this one (each set re-reads the screen's)."""
    if widget.tooltip != tooltip:
        widget.tooltip = tooltip


def sizes_to_content(widget: Widget) -> bool:
    """Whether the widget's height follows its content (`height: auto`, or none set)."""
    height = widget.styles.height
    return height is None or height.is_auto


class QuietStatic(Static):
    """A Static whose `show` repaints only when the content differs from what it shows, and
    lays the screen out again only when its height follows its content and has changed.

    Content is compared with `==`: equal `Text`s are skipped; renderables without equality
    (tables, groups) are compared by identity, so their callers compare their data first.
    """

    _shown: object = None

    def show(self, content: VisualType) -> None:
        if type(content) is type(self._shown) and content == self._shown:
            return
        self._shown = content
        self.update(content, layout=False)
        if sizes_to_content(self) and self._height_changed():
            self.refresh(layout=True)

    def _height_changed(self) -> bool:
        """Whether the new content needs another height than the widget has (measuring it
        costs one render of the content; a layout costs arranging every widget on screen)."""
        if not self.display:  # hidden (the wall hides the town panel): it takes no room
            return False
        width = self.content_size.width
        if not width or not self.is_mounted:
            return True
        needed = self.get_content_height(self.container_size, self.app.size, width)
        return needed != self.content_size.height
