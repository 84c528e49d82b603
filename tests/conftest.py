"""Shared fixtures: a private SQL server, a private tmux socket and a real git repository.

Conventions:
- A fixture whose tool is missing skips its tests, except under CI (`CI=true`), where it
  fails them: in CI a test must never pass by being skipped.
- Tests that use the `mariadb` fixture are marked `mariadb`, tests that use `tmux_socket`
  are marked `tmux` (automatically, here), so `pytest -m "not mariadb and not tmux"` runs
  the rest. A test that reaches the server only through a parametrised fixture marks its
  parameter: `pytest.param("mysql", marks=pytest.mark.mariadb)`.
- `helpers.py` has the skip-or-fail rule (`missing`) and `run_git`, `tmux`, `kill_tmux_server`,
  each with a timeout; `sqlserver.py` starts and stops the private server.
- The server is shared by the session: a test takes unique names from
  `mariadb.fresh_database_names(n)`, creates those databases itself and never touches others.
"""

from __future__ import annotations

import secrets
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import kill_tmux_server, missing, run_git
from sqlserver import SQLServer, find_server, start_server

# A suite started in the background (`cmd &` in a script, CI runners) inherits SIGINT ignored,
# and an ignored signal stays ignored across exec: every child would ignore the Ctrl-C the
# tests send to stop it (`sandbox run` would run on). Handled here, children get the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The files whose tests run longest (BENCHMARKS.md, "Test suite wall time"), most of it waiting
# on a sandbox, a stall or a sleeping server: run first, so that pytest-xdist hands them out at
# the start, beside the short tests, rather than leaving one of them as the whole run's tail.
SLOW_FIRST = (
    "test_ui_memory.py",
    "test_demo_live.py",
    "test_dolt_idle_zone.py",
    "test_faults_stall.py",
    "test_cli_exit_codes.py",
    "test_outage_live.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow = {name: rank for rank, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: slow.get(item.path.name, len(slow)))  # stable: files keep order
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "mariadb" in names:
            item.add_marker(pytest.mark.mariadb)
        if "tmux_socket" in names:
            item.add_marker(pytest.mark.tmux)


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit lines and demo records of in-process tests go to a private state directory,
    never the developer's `~/.local/state/gt-tui` (a test may still set its own)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def mariadb() -> Iterator[SQLServer]:
    """A private server for the session (Dolt if on PATH, else MariaDB), root without password.

    Yields a `SQLServer`: `.endpoint`, `.admin()` -> MySQLDatabase, `.fresh_database_names(n)`.
    """
    found = find_server()
    if found is None:
        missing("no SQL server: install mariadb-server (or put dolt on PATH)")
    server = start_server(*found)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tmux_socket() -> Iterator[str]:
    """A private tmux socket name (`tmux -L <name>`); its server is killed afterwards."""
    if shutil.which("tmux") is None:
        missing("tmux is not installed")
    name = f"gttui-test-{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        kill_tmux_server(name)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty HOME for a subprocess of gt-tui (see `helpers.clean_env`)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A real git repository on branch `main` with one commit (README.md), in tmp_path."""
    if shutil.which("git") is None:
        missing("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# test repository\n")
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "README.md")
    run_git(repo, "commit", "-q", "-m", "init")
    return repo
