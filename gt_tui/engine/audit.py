"""The audit log: one JSON line per action, appended to `$XDG_STATE_HOME/gt-tui/audit.jsonl`.

Each line is written with a single `write(2)` on a descriptor opened with `O_APPEND`, so
lines from several consoles (or a console and a script) never interleave.
Arguments whose key names a secret (`town.secret_env.is_secret_name`) are replaced by
`****`, and so is the password of any `scheme://user:password@host` text. Every string is
made safe to print (gt_tui/safe_text.py): `jq -r` would otherwise replay a town's escapes.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gt_tui.safe_text import safe_data
from gt_tui.town.secret_env import is_secret_name
from gt_tui.xdg import state_dir

MASK = "****"
SUMMARY_MAX = 500
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)\S+@")  # mysql://user:se/c@ret@host: to the last @


def default_audit_path() -> Path:
    """`$XDG_STATE_HOME/gt-tui/audit.jsonl`; `~/.local/state` when unset or not absolute."""
    return state_dir() / "audit.jsonl"


def scrub(value: Any) -> Any:
    """A copy of `value` with every secret-looking key's value masked, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): MASK if is_secret_name(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(r"\1****@", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def current_user() -> str:
    """The login name; the numeric uid where the system has no name for it."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid())


def rfc3339(moment: datetime) -> str:
    """`2026-05-01T12:00:00.123Z`: UTC, milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    """Appends action records to one JSONL file; safe across threads and processes."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        user: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = path or default_audit_path()
        self.user = user or current_user()
        self._now = now

    def record(
        self,
        *,
        town: str,
        action: str,
        arguments: Mapping[str, Any],
        status: str,
        summary: str,
        duration_ms: float,
        root: str | None = None,
    ) -> dict[str, Any]:
        """Append one line; `status` is "ok", "error" or "refused"; `root` is the town's
        directory (None for a change outside any town). Returns what was written."""
        entry: dict[str, Any] = {
            "time": rfc3339(self._now()),
            "user": self.user,
            "town": town,
            "root": root,
            "action": action,
            "arguments": scrub(arguments),
            "result": {"status": status, "summary": summary[:SUMMARY_MAX]},
            "duration_ms": round(duration_ms, 3),
        }
        entry = safe_data(entry)  # town text in a line that `jq -r` prints raw
        self._append((json.dumps(entry, ensure_ascii=False) + "\n").encode())
        return entry

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            written = os.write(fd, line)
        finally:
            os.close(fd)
        if written != len(line):  # only on a full disk; a torn line must not pass silently
            raise OSError(f"{self.path}: short write ({written} of {len(line)} bytes)")

    def entries(self) -> list[dict[str, Any]]:
        """Every record so far, oldest first (lines that do not parse are skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return found
