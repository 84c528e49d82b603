"""The doctor's report as text (one screen, at most 100 columns) or as JSON (schema 1).

Text: a heading, one line per check (`✓`, `✗`, `!`, or `-` for skipped) with, under each
failure or warning, its hint; then a summary. JSON: `{"schema": 1, "town": {...},
"checks": [{"name", "status", "detail", "hint"}], "ok": bool}` with the full, untrimmed
details. Both pass through `redact` first: a password never reaches either.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from gt_tui.doctor.context import MASK
from gt_tui.doctor.core import FAIL, PASS, SKIP, SYMBOLS, WARN, Result

WIDTH = 100
NAME_WIDTH = 12
_HINT_INDENT = " " * (NAME_WIDTH + 3)


def redact(results: Sequence[Result], secrets: Sequence[str]) -> list[Result]:
    """The results with every secret replaced by ****."""
    return [
        replace(r, detail=_mask(r.detail, secrets), hint=_mask(r.hint, secrets)) for r in results
    ]


def _mask(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def fit(text: str, width: int = WIDTH) -> str:
    """One line of at most `width` characters; a longer one ends in `…`."""
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(town: dict[str, Any], results: Sequence[Result]) -> str:
    where = f"{town['name']} at {town['root']}" if town.get("name") else "no town"
    lines = [fit(f"gt-tui doctor: {where}")]
    for r in results:
        lines.append(fit(f"{SYMBOLS[r.status]} {r.name:<{NAME_WIDTH}} {r.detail}"))
        if r.hint and r.status in (FAIL, WARN):
            lines.append(fit(f"{_HINT_INDENT}→ {r.hint}"))
    lines.append(summary(results))
    return "\n".join(lines) + "\n"


def summary(results: Sequence[Result]) -> str:
    counts = Counter(r.status for r in results)
    words = ((PASS, "passed"), (WARN, "warnings"), (FAIL, "failed"), (SKIP, "skipped"))
    verdict = "not ok" if counts[FAIL] else "ok"
    return f"{verdict}: " + ", ".join(f"{counts[key]} {word}" for key, word in words)


def render_json(town: dict[str, Any], results: Sequence[Result]) -> str:
    document = {
        "schema": 1,
        "town": town,
        "checks": [r.as_dict() for r in results],
        "ok": not any(r.status == FAIL for r in results),
    }
    return json.dumps(document, indent=2) + "\n"
