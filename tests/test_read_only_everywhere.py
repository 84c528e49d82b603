"""Read-only means read-only, everywhere: every subcommand and every action key of the console,
under `--read-only` and under `--wall`, over a real town (SQLite beads, real git worktrees, a
real tmux server with a dead pane and untuned options, real settings and saved benchmarks).

The subcommands are enumerated from the argparse parser itself (`gt_tui.cli.commands`), so a
new one fails `test_every_subcommand_has_a_case` until it is given a case here. A command that
would change something must exit 2 with one line on stderr and leave one `refused` line in the
audit log; a reading one must still work (exit 0, no audit line). Nothing may change either
way: no row, file, worktree, tmux option or session, setting or saved result.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apps import console
from helpers import kill_pane_process, run_git, run_gt_tui, run_main, tmux
from snapshots_fixtures import record_notifications, wait_for
from towns import build_town

from gt_tui.cli import build_parser, commands
from gt_tui.engine.audit import AuditLog
from gt_tui.sandbox.load import read_state, write_state
from gt_tui.town.sling import SLING_LABEL
from gt_tui.ui import keymap

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

CLI_TIMEOUT = 120.0  # generous: only a command that wrongly starts a live sandbox runs this long
MODES = ("--read-only", "--wall")
READS, CHANGES, SERVES = "reads", "changes", "serves"
SERVE_START_S = 60.0  # until `serve` says where it listens
SIDE_FILES = ("-wal", "-shm")


def cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Each subcommand: its arguments after `gt-tui --town T <mode>`, and whether it changes."""
    return {
        "config list": (["config", "list"], READS),
        "config get": (["config", "get", "ui.refresh_interval"], READS),
        "config set": (["config", "set", "ui.refresh_interval", "7", "--yes"], CHANGES),
        "sandbox build": (["sandbox", "build", "--dir", str(tmp / "built")], CHANGES),
        "sandbox run": (["sandbox", "run", "--dir", str(tmp / "live"), "--no-tmux"], CHANGES),
        "sandbox load": (["sandbox", "load", "heavy", "--dir", str(tmp / "running")], CHANGES),
        "pool create": (["pool", "create", "--size", "2", "--yes"], CHANGES),
        "pool list": (["pool", "list"], READS),
        "tmux list": (["tmux", "list"], READS),
        "tmux cleanup": (["tmux", "cleanup", "--dead", "--yes"], CHANGES),
        "tmux tune": (["tmux", "tune", "--yes"], CHANGES),
        "queue list": (["queue", "list"], READS),
        "queue flush": (["queue", "flush", "--yes"], CHANGES),
        "cache clear": (["cache", "clear", "--yes"], CHANGES),
        "cache warm": (["cache", "warm", "--yes"], CHANGES),
        "indexes check": (["indexes", "check"], READS),
        "indexes create": (["indexes", "create", "--yes"], CHANGES),
        "benchmark": (["benchmark", "--type", "dolt", "--runs", "3", "--save", "c"], CHANGES),
        "benchmark compare": (["benchmark", "compare", "--before", "a", "--after", "b"], READS),
        "doctor": (["doctor"], READS),
        "metrics export": (["metrics", "export", "--format", "json"], READS),
        "report": (["report", "--type", "performance", "--output", "-"], READS),
        "serve": (["serve", "--listen", "127.0.0.1:0", "--refresh", "0.5"], SERVES),
    }


def test_every_subcommand_has_a_case(tmp_path: Path) -> None:
    assert {words for words, _ in commands(build_parser())} == set(cases(tmp_path))


# ---------------------------------------------------------------- the town and its state


@pytest.fixture
def env(tmp_path: Path, tmux_socket: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "GT_TMUX_SOCKET": tmux_socket,
        "LANG": "C.UTF-8",
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    }


@pytest.fixture
def town(tmp_path: Path, env: dict[str, str], tmux_socket: str) -> Path:
    """A town with queued slings, a dead polecat pane, untuned tmux, a running sandbox's
    state file, a user setting and two saved benchmark runs."""
    built = build_town(tmp_path / "town", "sqlite")
    now = datetime.now(UTC).replace(microsecond=0)
    for n in range(3):
        built.writer().add_issue(
            built.hq, f"hq-wisp-q{n}", f"sling {n}", created_at=now, labels=[SLING_LABEL],
            description=json.dumps({"work_bead_id": f"gt-{n}", "target_rig": "gastown"}),
            table="wisps",
        )  # fmt: skip
    built.db.close()
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep 600")
    tmux(tmux_socket, "set-option", "-w", "-t", "gt-Toast", "remain-on-exit", "on")
    kill_pane_process(tmux_socket, "gt-Toast")
    write_state(tmp_path / "running", load="normal", owner_pid=os.getpid())
    for name in ("a", "b"):
        done = cli(env, "--town", str(built.root), "benchmark", "--type", "dolt", "--runs", "3",
                   "--save", name)  # fmt: skip
        assert done.returncode == 0, done.stderr
    done = cli(env, "config", "set", "ui.refresh_interval", "3", "--yes")
    assert done.returncode == 0, done.stderr
    return built.root


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command's answer, read in this process (`run_main`): a second each saved."""
    return run_main(*args, env=env)


def child(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a real child, killed after CLI_TIMEOUT: for `sandbox run`, which would
    run until stopped if the read-only guard ever let it start."""
    return run_gt_tui(*args, env=env, timeout=CLI_TIMEOUT)


def served(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`serve` as a real child: up until it says where it listens and has refreshed, then
    stopped with SIGTERM (it is always read-only; it must change nothing either way)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gt_tui", *args], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + SERVE_START_S
        line = proc.stderr.readline()
        while "serving http://" not in line and line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        time.sleep(1.0)  # a refresh or two over the town
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=CLI_TIMEOUT)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=CLI_TIMEOUT)


def state(tmp_path: Path, socket: str) -> dict[str, object]:
    """Everything a command could change: files (rows included), worktrees, tmux."""
    files = {}
    for path in sorted(tmp_path.rglob("*")):
        # A reader of a WAL-mode SQLite file makes its -wal and -shm: the rows are compared.
        if path.is_file() and path.name != "audit.jsonl" and not path.name.endswith(SIDE_FILES):
            files[str(path.relative_to(tmp_path))] = hashlib.sha256(path.read_bytes()).hexdigest()
    repos = sorted((tmp_path / "town").glob("*/.repo.git"))
    return {
        "files": files,
        "rows": {p.name: rows(p) for p in sorted(tmp_path.rglob("*.sqlite"))},
        "worktrees": {str(r): run_git(r, "worktree", "list", "--porcelain") for r in repos},
        "tmux options": tmux(socket, "show-options", "-g") + tmux(socket, "show-options", "-gw"),
        "tmux sessions": tmux(socket, "list-sessions", "-F", "#{session_name} #{pane_dead}"),
    }


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file (its WAL included), read-only."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two states: file names, or the other parts' names."""
    found = [key for key in before if key != "files" and before[key] != after[key]]
    old, new = before["files"], after["files"]
    return found + sorted(name for name in {*old, *new} if old.get(name) != new.get(name))


def audit_lines(env: dict[str, str]) -> list[dict]:
    return AuditLog(Path(env["XDG_STATE_HOME"]) / "gt-tui" / "audit.jsonl").entries()


# ---------------------------------------------------------------- subcommands


@pytest.mark.parametrize("mode", MODES)
def test_no_subcommand_changes_anything_under_read_only(
    mode: str, town: Path, env: dict[str, str], tmp_path: Path, tmux_socket: str
) -> None:
    before = state(tmp_path, tmux_socket)
    assert "gt-Toast 1" in before["tmux sessions"]  # cleanup would have something to kill
    problems = []
    for words, (argv, kind) in cases(tmp_path).items():
        seen = len(audit_lines(env))
        try:
            run = {"sandbox run": child, "serve": served}.get(words, cli)
            done = run(env, "--town", str(town), mode, *argv)
        except subprocess.TimeoutExpired:
            problems.append(f"{words}: still running after {CLI_TIMEOUT:g} s")
            continue
        new = audit_lines(env)[seen:]
        lines = done.stderr.splitlines()
        if kind in (READS, SERVES):
            if done.returncode != 0 or new:
                problems.append(f"{words}: exit {done.returncode}, {len(new)} audit lines")
        elif (
            done.returncode != 2
            or len(lines) != 1
            or not lines[0].startswith("gt-tui: read-only:")
            or [e["result"]["status"] for e in new] != ["refused"]
        ):
            problems.append(f"{words}: exit {done.returncode}, stderr {lines}, audit {new}")
        after = state(tmp_path, tmux_socket)
        if after != before:
            problems.append(f"{words}: changed {changes(before, after)}")
            before = after
    assert problems == []
    assert read_state(tmp_path / "running")["load"] == "normal"
    assert not (tmp_path / "built").exists() and not (tmp_path / "live").exists()


@pytest.mark.parametrize("mode", MODES)
def test_the_mode_also_works_after_the_subcommand(
    mode: str, town: Path, env: dict[str, str], tmp_path: Path, tmux_socket: str
) -> None:
    before = state(tmp_path, tmux_socket)
    done = cli(env, "config", "set", "ui.refresh_interval", "9", mode)
    assert done.returncode == 2 and "read-only" in done.stderr
    done = cli(env, "queue", "flush", "--yes", "--town", str(town), mode)
    assert done.returncode == 2 and "read-only" in done.stderr
    assert state(tmp_path, tmux_socket) == before
    assert [e["action"] for e in audit_lines(env)][-2:] == ["config.set", "queue.flush"]


def test_without_read_only_the_same_commands_do_change_the_town(
    town: Path, env: dict[str, str], tmp_path: Path, tmux_socket: str
) -> None:
    """The state check above can fail: these commands do change what it looks at."""
    before = state(tmp_path, tmux_socket)
    for argv in (["queue", "flush", "--yes"], ["tmux", "tune", "--yes"]):
        assert cli(env, "--town", str(town), *argv).returncode == 0
    after = state(tmp_path, tmux_socket)
    assert after["files"] != before["files"] and after["tmux options"] != before["tmux options"]


# ---------------------------------------------------------------- console keys


@pytest.mark.parametrize("mode", MODES)
async def test_no_console_key_changes_anything_under_read_only(
    mode: str, town: Path, env: dict[str, str], tmp_path: Path, tmux_socket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from gt_tui.modes import engine_session

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = build_parser().parse_args(["--town", str(town), mode])
    before = state(tmp_path, tmux_socket)
    seen = len(audit_lines(env))
    with engine_session(args, read_only=args.read_only or args.wall) as engine:
        app = console(engine, wall=args.wall, refresh_interval=3600)
        notes = record_notifications(app)
        async with app.run_test() as pilot:
            await wait_for(pilot, lambda: app.refreshes >= 1, steps=20000)
            for key in sorted(keymap.MUTATING):
                await pilot.press(key)
                await pilot.pause()
            done = lambda: len(audit_lines(env)) - seen >= len(keymap.MUTATING)  # noqa: E731
            await wait_for(pilot, done, steps=5000)
    new = audit_lines(env)[seen:]
    wanted = {engine.actions.action_names()[k.run.__name__] for k in keymap.MUTATING.values()}
    assert {e["action"] for e in new} == wanted
    assert {e["result"]["status"] for e in new} == {"refused"}
    assert len([text for text, _ in notes if text.startswith("read-only")]) == len(keymap.MUTATING)
    assert state(tmp_path, tmux_socket) == before
