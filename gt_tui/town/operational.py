"""gt's operational thresholds from the town's `settings/config.json` (`operational.*`).

gt keeps these as Go duration strings ("3m", "90s", "1h30m") and reads them with
`ParseDurationOrDefault`: a missing, empty or unparseable value means the compiled-in
default, and a settings file gt cannot read means every default. We do the same, so a bad
value never stops the console.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gt_tui.files import read_regular_text

POLECAT_HEARTBEAT_STALE_S = 180.0  # gt's DefaultPolecatHeartbeatStale: 3 minutes
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def go_duration_s(text: object) -> float | None:
    """Seconds in a Go duration string (`time.ParseDuration`), or None when it is not one."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    sign = -1.0 if value.startswith("-") else 1.0
    value = value[1:] if value[:1] in ("+", "-") else value
    if value == "0":
        return 0.0
    parts = list(_PART.finditer(value))
    if not parts or "".join(m.group(0) for m in parts) != value:
        return None
    return sign * sum(float(m.group(1)) * _UNITS[m.group(2)] for m in parts)


def operational(root: Path, section: str, key: str) -> Any:
    """`operational.<section>.<key>` of `settings/config.json`; None where absent or unreadable."""
    try:
        data = json.loads(read_regular_text(root / "settings" / "config.json"))
    except (OSError, ValueError, RecursionError):
        return None
    for name in ("operational", section, key):
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def polecat_heartbeat_stale_s(root: Path) -> float:
    """How old a polecat heartbeat may grow before it is stale: the town's
    `operational.polecat.heartbeat_stale_threshold`, else gt's 3 minutes.

    A value that is not a positive duration falls back to the default (gt would take a
    zero or negative one, which calls every heartbeat stale).
    """
    seconds = go_duration_s(operational(root, "polecat", "heartbeat_stale_threshold"))
    return seconds if seconds is not None and seconds > 0 else POLECAT_HEARTBEAT_STALE_S
