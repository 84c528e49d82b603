"""Text from a town never drives the terminal: one function makes it safe where it enters.

Every string that comes from a source (database cells, town files, events, tmux session
names, settings files, source errors, the audit log) passes `safe_text` once, where it
enters, so every view (console, text, JSON, SVG, stderr) shows it the same harmless way:

- C0 controls U+0000–U+001F (tab and newline included: a cell is one line) become their
  Unicode control pictures, `\\x1b` -> `␛` (U+2400 + code); DEL becomes `␡`.
- C1 controls U+0080–U+009F, the bidi embeddings/overrides U+202A–U+202E and isolates
  U+2066–U+2069, the line and paragraph separators U+2028/U+2029, lone surrogates
  U+D800–U+DFFF (from undecodable bytes) and the XML-invalid U+FFFE/U+FFFF become visible
  Python-style escapes: `\\x9b`, `\\u202e`, `\\udcff`, `\\uffff`.

Everything else is left as it is. Clean text (nearly all of it) costs one check (a C-level
delete of control bytes for ASCII, else one precompiled regex `search`) and comes back as
the same object; a database result is checked once, all its text cells joined (measured:
about 0.4 µs a row of 8 cells, a few percent of PyMySQL's own decoding of that row).
The mapping is one-way: an id holding a control character no longer matches its source
after this (a later lookup by that id finds nothing, and says so), and a rig whose name
holds one keeps its raw directory name in `Rig.path_name` for paths alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_ASCII_CONTROLS = bytes(range(0x20)) + b"\x7f"
_PICTURE_BASE = 0x2400  # U+2400 SYMBOL FOR NULL: C0 control n is drawn by U+2400 + n
DEL_PICTURE = "\u2421"  # ␡
# Layout whitespace in a structured cell (JSON, `key: value` lines), for `unpicture`.
_LAYOUT = {chr(_PICTURE_BASE + ord(c)): c for c in "\t\n\r"}
_LAYOUT_RE = re.compile("[" + "".join(_LAYOUT) + "]")


def _show(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(_PICTURE_BASE + code)
    if code == 0x7F:
        return DEL_PICTURE
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """`text` with every control, bidi override and XML-invalid character shown visibly."""
    if is_safe(text):
        return text
    return _UNSAFE.sub(_show, text)


def is_safe(text: str) -> bool:
    """True when `safe_text(text)` would return it unchanged.

    ASCII text (nearly all a town holds) is checked by deleting its control bytes in C,
    several times faster than the regex over the same text."""
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_CONTROLS)) == len(raw)
    return _UNSAFE.search(text) is None


def safe_rows(rows: list[Any]) -> list[Any]:
    """Database rows with every text cell made safe; the same list when all are clean.

    The fast path joins every text cell of the result and searches once: the character
    classes are single characters, so the join is unsafe exactly when some cell is.
    """
    if is_safe("".join([cell for row in rows for cell in row if type(cell) is str])):
        return rows
    return [tuple(safe_text(c) if isinstance(c, str) else c for c in row) for row in rows]


def safe_data(value: Any) -> Any:
    """Parsed JSON/TOML data with every string made safe, keys included, at any depth."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Mapping):
        return {safe_data(k): safe_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(safe_data(item) for item in value)
    return value


def unpicture_layout(text: Any) -> Any:
    """Tabs, newlines and carriage returns put back in a safe cell, only to parse it (JSON
    or `key: value` lines); whatever the parse yields must pass `safe_data` again.
    Anything but text (bytes, None) comes back as it is."""
    if not isinstance(text, str):
        return text
    return _LAYOUT_RE.sub(lambda m: _LAYOUT[m.group()], text)
