"""`safe_text` and its helpers: property tests, the documented pictures, the fast paths."""

from __future__ import annotations

import json
import re

import pytest
from helpers import tmux
from hypothesis import given
from hypothesis import strategies as st

from gt_tui.safe_text import is_safe, safe_data, safe_rows, safe_text, unpicture_layout
from gt_tui.town.events import parse_event

pytestmark = pytest.mark.faults

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
EVIL = HOSTILE + "\u202e\x9b"
SHOWN = safe_text(EVIL)
# Written out here, not taken from the module: what safe text may never hold.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


UNSAFE_CHARS = st.one_of(
    st.integers(0, 0x1F), st.integers(0x7F, 0x9F), st.integers(0x2028, 0x202E),
    st.integers(0x2066, 0x2069), st.integers(0xD800, 0xDFFF), st.sampled_from([0xFFFE, 0xFFFF]),
).map(chr)  # fmt: skip
SAFE_CHARS = st.characters(codec="utf-8").filter(lambda c: not UNSAFE.search(c))


@given(st.text(st.one_of(st.characters(), UNSAFE_CHARS)))
def test_output_never_holds_an_unsafe_character(text: str) -> None:
    shown = safe_text(text)
    assert UNSAFE.search(shown) is None
    assert safe_text(shown) == shown  # once is enough
    shown.encode("utf-8")  # no lone surrogate left


@given(st.text(SAFE_CHARS))
def test_clean_text_is_returned_as_it_is(text: str) -> None:
    assert safe_text(text) is text
    assert is_safe(text)


@given(st.text(SAFE_CHARS), UNSAFE_CHARS, st.text(SAFE_CHARS))
def test_an_unsafe_character_is_shown_in_place(head: str, char: str, tail: str) -> None:
    shown = safe_text(head + char + tail)
    assert shown.startswith(head) and shown.endswith(tail)
    assert len(shown) > len(head) + len(tail)  # shown, not dropped
    assert not is_safe(char)


def test_the_documented_pictures() -> None:
    assert safe_text("\x1b]0;x\x07") == "␛]0;x␇"
    assert safe_text("a\x7fb\x00\t\n") == "a␡b␀␉␊"
    assert safe_text("\x9b\u202e\u2066\ud800\uffff") == "\\x9b\\u202e\\u2066\\ud800\\uffff"
    assert safe_text("Toast — ✓ 名前 😀") == "Toast — ✓ 名前 😀"


def test_rows_clean_fast_path_and_dirty_cells() -> None:
    rows = [("hq-1", "subject", 3, None, b"\x1b"), ("hq-2", "ok", 1.5, None, b"")]
    assert safe_rows(rows) is rows  # bytes are not text: left to their reader
    dirty = [("hq-1", f"s{HOSTILE}", 3), ("hq-2", "ok", 4)]
    assert safe_rows(dirty) == [("hq-1", f"s{safe_text(HOSTILE)}", 3), ("hq-2", "ok", 4)]


def test_data_and_layout_round_trip() -> None:
    assert safe_data({EVIL: [EVIL, 1, {"k": EVIL}]}) == {SHOWN: [SHOWN, 1, {"k": SHOWN}]}
    cell = safe_text('{\n\t"a": "b"\r\n}')
    assert json.loads(unpicture_layout(cell)) == {"a": "b"}
    assert unpicture_layout(None) is None


def test_an_event_line_is_made_safe() -> None:
    line = json.dumps(
        {"ts": "2026-03-02T12:00:00Z", "type": EVIL, "actor": EVIL, "payload": {EVIL: [EVIL]}}
    )
    event = parse_event(line.encode())
    assert event is not None
    assert event.type == event.actor == SHOWN and event.payload == {SHOWN: [SHOWN]}


def test_tmux_itself_escapes_c0_but_passes_bidi(tmux_socket: str) -> None:
    """Why the session name needs us: tmux writes `\\033` for ESC, but U+202E raw."""
    tmux(tmux_socket, "new-session", "-d", "-s", "a\u202eb\x1bc", "sleep 300")
    out = tmux(tmux_socket, "list-sessions", "-F", "#{session_name}")
    assert "\u202e" in out and "\x1b" not in out
