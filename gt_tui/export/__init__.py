"""Views without a terminal: the Snapshot as text, JSON and SVG (text and JSON load no Textual)."""
