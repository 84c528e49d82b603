"""State classes (`-healthy`, `-warning`, `-danger`, `-stale`, `-unknown`) that app.tcss colours."""

from __future__ import annotations

from textual.dom import DOMNode

STATES = ("healthy", "warning", "danger", "stale", "unknown")


def set_state(node: DOMNode, state: str) -> None:
    """Give `node` exactly one state class."""
    for name in STATES:
        node.set_class(name == state, f"-{name}")
