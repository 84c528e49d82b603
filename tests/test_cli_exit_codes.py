"""One exit-code contract for every command (README, Usage): 0 done, 1 a condition met,
2 a usage or runtime error. Each subcommand, enumerated from the parser, runs once wrongly
(exit 2, one line) and once rightly (exit 0) over a real town: SQLite beads, real git
worktrees, a real tmux server, saved benchmark runs, a running sandbox's state file.

Each command's answer is read in this process (`helpers.run_main`, the same `main` that
`python -m gt_tui` runs); each exit-code rule is also checked once through a real
`python -m gt_tui` child (its exit status, one line, no traceback), and `sandbox run`
(signals, its agents) only ever runs as a child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from helpers import CLI_TIMEOUT, clean_env, run_gt_tui, run_main, tmux
from towns import build_town

from gt_tui.cli import build_parser, commands
from gt_tui.sandbox.load import write_state


def succeeding(tmp: Path) -> dict[str, list[str]]:
    """Each subcommand as it succeeds, after `gt-tui --town T` (`sandbox run`: its own test)."""
    return {
        "config list": ["config", "list"],
        "config get": ["config", "get", "ui.refresh_interval"],
        "config set": ["config", "set", "ui.refresh_interval", "3", "--yes"],
        "sandbox build": ["sandbox", "build", "--dir", str(tmp / "built")],
        "sandbox load": ["sandbox", "load", "heavy", "--dir", str(tmp / "running")],
        "pool create": ["pool", "create", "--size", "1", "--yes"],
        "pool list": ["pool", "list"],
        "tmux list": ["tmux", "list"],
        "tmux cleanup": ["tmux", "cleanup", "--dead", "--yes"],
        "tmux tune": ["tmux", "tune", "--yes"],
        "queue list": ["queue", "list"],
        "queue flush": ["queue", "flush", "--yes"],
        "cache clear": ["cache", "clear", "--yes"],
        "cache warm": ["cache", "warm", "--yes"],
        "indexes check": ["indexes", "check"],
        "indexes create": ["indexes", "create", "--yes"],
        "benchmark": ["benchmark", "--type", "dolt", "--runs", "3", "--save", "b"],
        "benchmark compare": ["benchmark", "compare", "--before", "a", "--after", "a"],
        "doctor": ["doctor", "--format", "json"],
        "metrics export": ["metrics", "export"],
        "report": ["report", "--type", "performance", "--output", str(tmp / "report.html")],
    }


WORDS = sorted(words for words, _ in commands(build_parser()))


@pytest.fixture
def env(tmp_path: Path, home: Path, tmux_socket: str) -> dict[str, str]:
    extra = {"XDG_STATE_HOME": str(home / ".state"), "GT_TMUX_SOCKET": tmux_socket}
    extra.update({k: v for k, v in os.environ.items() if k == "PYTHONPATH"})
    return clean_env(home, extra)


@pytest.fixture
def town(tmp_path: Path, env: dict[str, str], tmux_socket: str) -> Path:
    built = build_town(tmp_path / "town", "sqlite")
    built.db.close()
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep 600")
    write_state(tmp_path / "running", load="normal", owner_pid=os.getpid())
    done = run_main("--town", str(built.root), "benchmark", "--type", "dolt", "--runs", "3",
                    "--save", "a", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return built.root


def test_every_subcommand_is_covered(tmp_path: Path) -> None:
    # `sandbox run` and `serve` run until a signal: their own tests (test_serve.py for serve)
    assert set(WORDS) == {*succeeding(tmp_path), "sandbox run", "serve"}


def assert_one_line_error(done: subprocess.CompletedProcess[str]) -> None:
    """Exit 2 with one line on stderr, nothing on stdout, no traceback."""
    assert done.returncode == 2 and done.stdout == "", (done.args, done.stderr)
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("words", WORDS)
def test_a_usage_error_exits_2(words: str, env: dict[str, str]) -> None:
    done = run_main(*words.split(), "--no-such-option", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert ": error: " in done.stderr.splitlines()[-1]  # argparse: usage, then one line


def test_a_usage_error_exits_2_from_the_process(env: dict[str, str]) -> None:
    """The interpreter's own exit status for argparse's error, once, as a user sees it."""
    done = run_gt_tui("config", "set", "--no-such-option", env=env)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert ": error: " in done.stderr.splitlines()[-1]


def test_every_subcommand_succeeds_with_0(town: Path, env: dict[str, str], tmp_path: Path) -> None:
    failed = {}
    for words, argv in succeeding(tmp_path).items():
        done = run_main("--town", str(town), *argv, env=env)
        if done.returncode != 0:
            failed[words] = (done.returncode, done.stderr.strip()[-300:])
    assert failed == {}
    # A real child exits 0 too, and quits (no thread or child left holding it open).
    done = run_gt_tui("--town", str(town), "pool", "list", env=env)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr


def test_a_runtime_error_exits_2_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    nowhere = str(tmp_path / "nowhere")
    for argv in (
        ["--town", nowhere, "pool", "list"],
        ["--set", "no.such=1", "doctor"],
        ["config", "get", "no.such"],
        ["benchmark", "compare", "--before", "never", "--after", "saved"],
    ):
        assert_one_line_error(run_main(*argv, env=env))
    assert_one_line_error(run_gt_tui("--town", nowhere, "pool", "list", env=env))


def test_a_failed_action_exits_2_in_one_line(town: Path, env: dict[str, str]) -> None:
    """A runtime error, not "a condition met" (it was 1)."""
    for argv in (["pool", "create", "--rig", "no", "--yes"], ["indexes", "create", "a.b", "--yes"]):
        assert_one_line_error(run_main("--town", str(town), *argv, env=env))
    assert_one_line_error(
        run_gt_tui("--town", str(town), "indexes", "create", "a.b", "--yes", env=env)
    )


@contextmanager
def running_sandbox(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """`gt-tui sandbox run` (no tmux), once it says the town runs; killed at the end."""
    argv = [sys.executable, "-m", "gt_tui", "sandbox", "run", "--dir", str(tmp_path / "live")]
    child = subprocess.Popen(
        [*argv, "--no-tmux"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stderr is not None
        first = child.stdout.readline()  # blocks until the town runs (or the child exits)
        assert first.startswith("sandbox town running"), child.stderr.read()
        yield child
    finally:
        child.kill()
        child.wait(timeout=CLI_TIMEOUT)


def test_sandbox_run_exits_0_on_ctrl_c(env: dict[str, str], tmp_path: Path) -> None:
    with running_sandbox(env, tmp_path) as child:
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=CLI_TIMEOUT) == 0


def test_sandbox_run_exits_2_when_an_agent_dies(env: dict[str, str], tmp_path: Path) -> None:
    """An agent that exits on its own is a runtime error (2), said in one line."""
    with running_sandbox(env, tmp_path) as child:
        agents = psutil.Process(child.pid).children()
        assert agents, "the sandbox started no agent process"
        agents[0].kill()
        assert child.wait(timeout=CLI_TIMEOUT) == 2
        assert child.stderr is not None
        assert "exited; see" in child.stderr.read().strip().splitlines()[-1]


@pytest.mark.parametrize(
    "argv",
    [
        ["--refresh", "0.05"],
        ["--refresh", "0"],
        ["--refresh", "5000"],
        ["--format", "json"],
        ["--fail-on", "danger"],
    ],
)
def test_the_console_refuses_what_it_cannot_do(argv: list[str], env: dict[str, str]) -> None:
    """Not silently 2 s or 0.05 s, and not the full-screen console started into a pipe."""
    done = run_main(*argv, env=env)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"gt-tui: {argv[0]}")
    assert ("--snapshot" in line) if argv[0] != "--refresh" else "0.2 to 3600" in line


@pytest.mark.parametrize("seconds", ["0.2", "3600"])
def test_refresh_at_its_bounds_is_taken(seconds: str, env: dict[str, str], tmp_path: Path) -> None:
    """Taken, so the run goes on: to look for the town, which is not there."""
    done = run_main("--refresh", seconds, "--snapshot", "--town", str(tmp_path / "no"), env=env)
    (line,) = done.stderr.splitlines()
    assert done.returncode == 2 and "--refresh" not in line and str(tmp_path / "no") in line
