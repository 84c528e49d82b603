"""The console's calm theme, and the Rich palette the renderables use, taken from the live theme.

Colour is reserved for state: healthy is quiet, warning is amber, danger is red; everything else is
greys and one soft accent. Any Textual theme works (the command palette can switch); the palette
follows it.
"""

from __future__ import annotations

from textual.app import App
from textual.color import Color
from textual.theme import Theme

from gt_tui.export.style import Palette

THEME = Theme(
    name="gastown",
    primary="#7AA2C8",
    secondary="#8C9BAB",
    accent="#7FB4CA",
    foreground="#D3D8DE",
    background="#101317",
    surface="#161B21",
    panel="#1E252D",
    success="#74B87A",
    warning="#E3B341",
    error="#F0606A",
    dark=True,
    variables={
        "footer-key-foreground": "#7FB4CA",
        "block-cursor-background": "#2B3640",
    },
)


def _solid(app: App[int], name: str, fallback: str) -> str:
    """A theme variable as an opaque #RRGGBB Rich can use (blended over the background)."""
    variables = app.theme_variables
    try:
        background = Color.parse(variables.get("background", "#000000"))
        return (background + Color.parse(variables.get(name, fallback))).hex6
    except Exception:  # a variable Textual can't parse (e.g. "auto 87%"): use the fallback
        return Color.parse(fallback).hex6


def palette_for(app: App[int]) -> Palette:
    """The palette of the app's current theme."""
    muted = _solid(app, "foreground-muted", "#8C9BAB")
    return Palette(
        healthy=_solid(app, "success", "#74B87A"),
        healthy_bar=_solid(app, "success-darken-2", "#4E8A55"),
        warning=_solid(app, "warning", "#E3B341"),
        danger=f"bold {_solid(app, 'error', '#F0606A')}",
        unknown=muted,
        stale=_solid(app, "foreground-disabled", "#5C6670"),
        muted=muted,
        strong=f"bold {_solid(app, 'foreground', '#D3D8DE')}",
        accent=_solid(app, "accent", "#7FB4CA"),
    )
