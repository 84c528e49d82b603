"""The audit log: one scrubbed JSON line per action, appended safely across processes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gt_tui.engine.audit import AuditLog, default_audit_path, rfc3339, scrub

FIXED = datetime(2026, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)


def test_default_path_follows_xdg_state_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_audit_path() == tmp_path / "gt-tui" / "audit.jsonl"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")  # the XDG spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_audit_path() == tmp_path / "home/.local/state/gt-tui/audit.jsonl"


def test_record_writes_every_field(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a" / "audit.jsonl", user="ops", now=lambda: FIXED)
    log.record(
        town="gt",
        action="queue.flush",
        arguments={"rig": "gastown"},
        status="ok",
        summary="closed 3",
        duration_ms=12.34567,
        root="/srv/gt",
    )
    (line,) = (tmp_path / "a" / "audit.jsonl").read_text().splitlines()
    assert json.loads(line) == {
        "time": "2026-05-01T12:00:00.123Z",
        "user": "ops",
        "town": "gt",
        "root": "/srv/gt",
        "action": "queue.flush",
        "arguments": {"rig": "gastown"},
        "result": {"status": "ok", "summary": "closed 3"},
        "duration_ms": 12.346,
    }


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="ops")
    args = {"Password": "hunter2", "db": {"api_token": "t0k", "host": "h"}, "x": [{"secret": 1}]}
    log.record(town="t", action="a", arguments=args, status="ok", summary="", duration_ms=0)
    text = (tmp_path / "audit.jsonl").read_text()
    assert "hunter2" not in text and "t0k" not in text
    assert log.entries()[0]["arguments"] == {
        "Password": "****",
        "db": {"api_token": "****", "host": "h"},
        "x": [{"secret": "****"}],
    }


def test_scrub_turns_unknown_objects_into_text() -> None:
    assert scrub({"path": Path("/x"), "n": (1, 2)}) == {"path": "/x", "n": [1, 2]}


def test_scrub_masks_a_password_inside_a_url() -> None:
    assert scrub({"db": "mysql://root:s3cr3t@127.0.0.1:3307/hq"}) == {
        "db": "mysql://root:****@127.0.0.1:3307/hq"
    }
    assert scrub("mysql://root@127.0.0.1:3307") == "mysql://root@127.0.0.1:3307"


def test_rfc3339_is_utc_with_z() -> None:
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"


WRITER = """
import sys
from pathlib import Path
from gt_tui.engine.audit import AuditLog
log = AuditLog(Path(sys.argv[1]), user="w" + sys.argv[2])
for i in range(200):
    log.record(town="t", action="a", arguments={"i": i, "pad": "x" * 300},
               status="ok", summary="s", duration_ms=1.0)
"""


def test_concurrent_processes_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)]) for n in range(3)]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 600
    entries = [json.loads(line) for line in lines]  # a torn line would not parse
    for n in range(3):
        mine = [e["arguments"]["i"] for e in entries if e["user"] == f"w{n}"]
        assert mine == list(range(200))


def test_entries_of_a_missing_file_are_empty(tmp_path: Path) -> None:
    assert AuditLog(tmp_path / "none.jsonl", user="u").entries() == []
