"""gt's heartbeat files: a polecat session's `<town>/.runtime/heartbeats/<session>.json`
and the deacon's `<town>/deacon/heartbeat.json`, read by one parser.

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


def heartbeat_time(path: Path) -> datetime | None:
    """The `timestamp` of a heartbeat file, or its mtime when the content has none.

    NotRegularFile (a one-line error) where the heartbeat is a FIFO, a directory or a device.
    """
    try:
        data = json.loads(read_regular_text(path))
        stamp = heartbeat_stamp(data.get("timestamp")) if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):
        stamp = None
    if stamp is None and path.exists():
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return stamp


def heartbeat_working(path: Path, now: float, stale_s: float = POLECAT_HEARTBEAT_STALE_S) -> bool:
    """Whether a heartbeat file says `working` (or has no `state`: gt's v1 heartbeat, which
    gt reads as working) and is younger than `stale_s`, the town's staleness limit."""
    data = _heartbeat(path)
    if data is None or _state(data) != WORKING:
        return False
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return False
    at = _epoch(data.get("timestamp"))
    return now - (mtime if at is None else at) < stale_s


def heartbeat_state(path: Path) -> str | None:
    """The `state` a heartbeat file says (`working` for gt's v1 form, which has none);
    None where there is no readable heartbeat."""
    data = _heartbeat(path)
    return None if data is None else _state(data)


def _heartbeat(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(read_regular_text(path))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _state(data: dict[str, object]) -> str | None:
    state = data.get("state") or WORKING
    return state if isinstance(state, str) else None


def heartbeat_stamp(stamp: object) -> datetime | None:
    """A heartbeat's RFC 3339 `timestamp` (Go writes nanoseconds; Python reads at most
    microseconds) as an aware UTC moment; None where it is missing or no moment."""
    if not isinstance(stamp, str) or not stamp:
        return None
    text = _FRACTION.sub(lambda m: m.group(0)[:7], stamp.strip().replace("Z", "+00:00"), 1)
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):  # year 9999 with an offset lies past the end of time
        return None


def _epoch(stamp: object) -> float | None:
    """A heartbeat `timestamp` as epoch seconds, or None."""
    moment = heartbeat_stamp(stamp)
    return None if moment is None else moment.timestamp()
