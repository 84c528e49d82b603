"""gt's polecat session heartbeats: `<town>/.runtime/heartbeats/<session>.json`.

The file holds `timestamp` (RFC 3339, UTC) and, since gt's heartbeat v2, `state`
(`working`, `idle`, `exiting`, `stuck`), `context` and `bead`. A heartbeat without `state`
is v1, which gt reads as working (`EffectiveState`). It is stale once older than the town's
limit (`gt_tui.town.operational.polecat_heartbeat_stale_s`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from gt_tui.files import read_regular_text, write_atomically
from gt_tui.town.layout import heartbeat_file
from gt_tui.town.model import Town
from gt_tui.town.operational import POLECAT_HEARTBEAT_STALE_S

IDLE, WORKING = "idle", "working"
_FRACTION = re.compile(r"\.\d+")


def write_heartbeat(town: Town, session: str, state: str, context: str) -> None:
    """Write gt's heartbeat file for a session atomically (readers never see half a file)."""
    path = heartbeat_file(town.root, session)
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps({"timestamp": stamp, "state": state, "context": context, "bead": ""})
    write_atomically(path, body + "\n")


def heartbeat_working(path: Path, now: float, stale_s: float = POLECAT_HEARTBEAT_STALE_S) -> bool:
    """Whether a heartbeat file says `working` (or has no `state`: gt's v1 heartbeat, which
    gt reads as working) and is younger than `stale_s`, the town's staleness limit."""
    try:
        data = json.loads(read_regular_text(path))
        mtime = path.stat().st_mtime
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(data, dict) or (data.get("state") or WORKING) != WORKING:
        return False
    at = _epoch(data.get("timestamp"))
    return now - (mtime if at is None else at) < stale_s


def _epoch(stamp: object) -> float | None:
    """RFC 3339 text (Go writes nanoseconds; Python reads at most microseconds) as epoch."""
    if not isinstance(stamp, str) or not stamp:
        return None
    text = _FRACTION.sub(lambda m: m.group(0)[:7], stamp.strip().replace("Z", "+00:00"), 1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
