"""Hostile files where a town's files are expected: `gt-tui --snapshot` as a user runs it.

A FIFO (or a directory) where `.events.jsonl`, a heartbeat, a town JSON file or a settings
TOML should be must never hang the snapshot (each run has CLI_TIMEOUT; a hang fails the
test); the bad file is reported in one line. A SQLite path that is missing, a directory, a
FIFO or no database, and TOML or JSON nested too deeply, are one `gt-tui: …` line, exit 2.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cli_snapshot import CLI_TIMEOUT, one_line, run_cli
from towns import build_town

from gt_tui.files import NotRegularFile, open_regular, read_regular

pytestmark = pytest.mark.faults  # the fault suite: `make faults`


@pytest.fixture
def town(tmp_path: Path) -> Path:
    built = build_town(tmp_path / "town", "sqlite")
    built.db.close()
    return built.root


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    return path


def snapshot(town: Path, home: Path, fmt: str = "json"):
    return run_cli("--snapshot", "--format", fmt, "--town", str(town), cwd=town, home=home)


# ---- the one reader ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"),
    [(lambda p: os.mkfifo(p), "a FIFO"), (lambda p: p.mkdir(), "a directory")],
)
def test_open_regular_refuses_without_blocking(
    tmp_path: Path, make: Callable[[Path], None], kind: str
) -> None:
    path = tmp_path / "x.json"
    make(path)
    with pytest.raises(NotRegularFile, match=f"found {kind}"):
        open_regular(path)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing.json")
    (tmp_path / "ok.json").write_bytes(b"{}")
    assert read_regular(tmp_path / "ok.json") == b"{}"


# ---- files the refresh reads: the snapshot finishes and names the file -----------------


@pytest.mark.parametrize("where", [".events.jsonl", "deacon/heartbeat.json"])
def test_fifo_read_by_a_refresh_is_a_source_error(town: Path, home: Path, where: str) -> None:
    bad = fifo(town / where)
    done = snapshot(town, home)
    assert "Traceback" not in done.stderr
    errors = json.loads(done.stdout)["errors"]
    line = f"{bad}: expected a regular file, found a FIFO"
    assert [e["message"] for e in errors] == [line]
    text = snapshot(town, home, "text")
    assert " ".join(text.stdout.split()).count(line) == 1  # the view may wrap a long path


# ---- files read at start: one line, exit 2 -----------------------------------------------

START_FILES = [
    ".beads/metadata.json",
    "mayor/rigs.json",
    "gastown/mayor/rig/.beads/metadata.json",
    "settings/gt-tui.toml",
]


@pytest.mark.parametrize("where", START_FILES)
def test_fifo_read_at_start_is_one_line(town: Path, home: Path, where: str) -> None:
    bad = fifo(town / where)
    done = snapshot(town, home)
    assert done.returncode == 2
    assert one_line(done.stderr) == f"gt-tui: {bad}: expected a regular file, found a FIFO"


def test_fifo_user_settings_is_one_line(town: Path, home: Path) -> None:
    bad = fifo(home / ".config" / "gt-tui" / "config.toml")
    done = snapshot(town, home)
    assert done.returncode == 2
    assert one_line(done.stderr) == f"gt-tui: {bad}: expected a regular file, found a FIFO"


def test_fifo_town_marker_is_one_line(town: Path, home: Path) -> None:
    fifo(town / "mayor" / "town.json")
    done = snapshot(town, home)
    assert done.returncode == 2
    assert "no Gas Town found" in one_line(done.stderr)


# ---- a bad SQLite path, too-deep TOML and JSON ---------------------------------------------


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is not a database, it is text\n" * 20)


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


SQLITE_CASES = {
    "not a database": (_not_a_database, "not a SQLite database"),
    "missing": (Path.unlink, "no such file"),
    "directory": (_directory, "expected a regular file, found a directory"),
    "fifo": (fifo, "expected a regular file, found a FIFO"),
}


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_bad_sqlite_path_is_one_line(town: Path, home: Path, case: str) -> None:
    spoil, reason = SQLITE_CASES[case]
    metadata = json.loads((town / ".beads" / "metadata.json").read_text())
    path = town / metadata["sqlite_path"]
    spoil(path)
    done = snapshot(town, home)
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"gt-tui: {path}: {reason}")


def test_deep_toml_is_one_line(town: Path, home: Path) -> None:
    settings = town / "settings" / "gt-tui.toml"
    settings.parent.mkdir(exist_ok=True)
    settings.write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    done = snapshot(town, home)
    assert done.returncode == 2
    assert one_line(done.stderr) == f"gt-tui: {settings}: not valid TOML (nested too deeply)"


def test_deep_json_is_one_line(town: Path, home: Path) -> None:
    rigs = town / "mayor" / "rigs.json"
    rigs.write_text('{"rigs": ' + "[" * 100_000 + "]" * 100_000 + "}")
    done = snapshot(town, home)
    assert done.returncode == 2
    assert one_line(done.stderr) == f"gt-tui: {rigs}: not valid JSON (nested too deeply)"


def test_fifo_heartbeat_of_a_polecat_is_refused_not_waited_on(tmp_path: Path) -> None:
    """The worktree pool reads `.runtime/heartbeats/<session>.json` to keep working polecats."""
    from gt_tui.town.heartbeats import heartbeat_working

    bad = fifo(tmp_path / ".runtime" / "heartbeats" / "gt-gastown-Toast.json")
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            heartbeat_working(bad, 0.0)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=CLI_TIMEOUT)  # generous: a blocked open would never return
    assert not reader.is_alive(), "heartbeat_working blocked on a FIFO"
    assert [str(e) for e in outcome] == [f"{bad}: expected a regular file, found a FIFO"]
