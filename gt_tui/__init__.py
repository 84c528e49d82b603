"""gt-tui: a terminal control console for the performance of a Gas Town deployment."""

__version__ = "0.1.0"
