"""Secrets stay secret: database URLs, the password file, and every child's environment.

The live test starts `gt-tui sandbox run` on the session's MariaDB as a user whose password
holds `/`, `#` and `?`, given in a 0600 `--password-file`, with a `git` shim on PATH that
records the environment of every git the sandbox runs. Then the password must be nowhere: not
in `ps -eo args`, not in `/proc/<pid>/environ` of any of its processes (agents, polecats in
tmux panes, the tmux server), not in `tmux show-environment -g`, not in any git's environment;
and the agents did reach the database with it (a polecat was dispatched).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import kill_tmux_server, run_gt_tui, tmux
from sqlserver import SQLServer

from gt_tui.engine.audit import scrub
from gt_tui.sandbox.dburl import BadDatabaseURL, parse_db_url
from gt_tui.town.git import run_bounded
from gt_tui.town.tmux import run_tmux

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

PASSWORD = "s3cr/t#p?w@rd"
PIECES = ("s3cr", "t#p", "p?w", "w@rd")  # no part of it may show
STARTUP_S = 120.0  # a safety bound for a loaded machine, not a timing assertion


# ---------------------------------------------------------------- database URLs


@pytest.mark.parametrize("written", ["s3cr/t#p?w@rd", "s3cr%2Ft%23p%3Fw%40rd"])
def test_a_password_with_slash_hash_and_question_mark_parses(written: str) -> None:
    ep = parse_db_url(f"mysql://bob:{written}@db.example:3310", env={})
    assert (ep.user, ep.password, ep.host, ep.port) == ("bob", PASSWORD, "db.example", 3310)
    assert PASSWORD not in repr(ep) and PASSWORD not in str(ep)


def test_without_a_password_in_the_url_it_comes_from_gt_dolt_password() -> None:
    assert parse_db_url("mysql://bob@h:1", env={"GT_DOLT_PASSWORD": PASSWORD}).password == PASSWORD
    assert parse_db_url("mysql://bob@h:1", env={}).password == ""


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://u:{PASSWORD}@h:notaport",
        f"mysql://u:{PASSWORD}@h:99999",
        f"postgres://u:{PASSWORD}@h:1",
        f"mysql://u:{PASSWORD}@:3306",
        f"mysql://u:{PASSWORD}@h:1/db",
        f"mysql://u:{PASSWORD}@h:1?x=1",
        f"u:{PASSWORD}@h:1",
        "mysql://u:s3cr/t#p?w",  # no `@`: the password is where the host would be
    ],
)
def test_url_errors_never_show_any_part_of_the_password(url: str) -> None:
    with pytest.raises(BadDatabaseURL) as caught:
        parse_db_url(url, env={})
    message = str(caught.value)
    assert "\n" not in message and message.startswith("bad database URL")
    assert not [piece for piece in PIECES if piece in message], message


def test_the_audit_log_masks_a_url_password_up_to_its_last_at() -> None:
    masked = scrub({"summary": f"failed on mysql://u:{PASSWORD}@h:1 today", "api_token": "x"})
    assert masked == {"summary": "failed on mysql://u:****@h:1 today", "api_token": "****"}


# ---------------------------------------------------------------- the password file


def test_password_file_must_be_0600_and_ours(tmp_path: Path) -> None:
    from gt_tui.town.secret_env import read_password_file

    path = tmp_path / "pw"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    assert read_password_file(path) == PASSWORD
    path.chmod(0o400)
    assert read_password_file(path) == PASSWORD


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_cli_refuses_a_password_file_others_can_read(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "pw"
    path.write_text(PASSWORD + "\n")
    path.chmod(mode)
    done = cli("--password-file", str(path), "--town", str(tmp_path), "--snapshot", home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"gt-tui: password file {path}: mode {mode:04o}, want 0600 or stricter (chmod 600)"
    ]
    assert PASSWORD not in done.stdout + done.stderr


def test_cli_refuses_a_missing_password_file(tmp_path: Path) -> None:
    done = cli("--password-file", str(tmp_path / "nope"), "--snapshot", home=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "No such file" in done.stderr


def cli(*args: str, home: Path, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}
    return run_gt_tui(*args, env=env, timeout=timeout)


# ---------------------------------------------------------------- children's environments


@pytest.mark.parametrize(
    "name", ["GT_DOLT_PASSWORD", "BEADS_DOLT_PASSWORD", "MYSQL_PWD", "GITHUB_TOKEN", "MY_SECRET"]
)
def test_secret_variables_are_stripped(name: str) -> None:
    from gt_tui.town.secret_env import without_secrets

    kept = without_secrets({name: PASSWORD, "PATH": "/bin", "GT_DOLT_USER": "bob"})
    assert kept == {"PATH": "/bin", "GT_DOLT_USER": "bob"}


def test_git_and_gt_children_never_inherit_a_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GT_DOLT_PASSWORD", PASSWORD)
    monkeypatch.setenv("MYSQL_PWD", PASSWORD)
    done = run_bounded(["env"], tmp_path, 30.0, env={"BEADS_DOLT_PASSWORD": PASSWORD})
    assert done.returncode == 0 and "PATH=" in done.stdout
    assert PASSWORD not in done.stdout


def test_a_tmux_server_never_holds_a_password(
    monkeypatch: pytest.MonkeyPatch, tmux_socket: str
) -> None:
    monkeypatch.setenv("GT_DOLT_PASSWORD", PASSWORD)
    started = run_tmux(["-L", tmux_socket, "new-session", "-d", "-s", "s", "sleep 600"])
    assert started.returncode == 0, started.stderr
    assert "PATH=" in tmux(tmux_socket, "show-environment", "-g")
    assert PASSWORD not in tmux(tmux_socket, "show-environment", "-g")
    pid = int(tmux(tmux_socket, "display-message", "-p", "#{pid}").strip())
    assert PASSWORD.encode() not in Path(f"/proc/{pid}/environ").read_bytes()


# ---------------------------------------------------------------- a live sandbox


@pytest.fixture
def db_user(mariadb: SQLServer) -> tuple[str, str]:
    """A user of the private test server whose password holds `/`, `#` and `?`; dropped
    afterwards."""
    name = f"gttui_pw_{secrets.token_hex(4)}"
    admin = mariadb.admin()
    try:
        for host in ("localhost", "127.0.0.1"):
            admin.execute(f"CREATE USER '{name}'@'{host}' IDENTIFIED BY %s", (PASSWORD,))
            admin.execute(f"GRANT ALL ON *.* TO '{name}'@'{host}'")
        yield name, PASSWORD
    finally:
        for host in ("localhost", "127.0.0.1"):
            admin.execute(f"DROP USER IF EXISTS '{name}'@'{host}'")
        admin.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="the live test needs tmux")
def test_a_live_sandbox_never_shows_its_password(
    mariadb: SQLServer, db_user: tuple[str, str], tmp_path: Path
) -> None:
    user, password = db_user
    secret_file = tmp_path / "pw"
    secret_file.write_text(password + "\n")
    secret_file.chmod(0o600)
    gitlog = tmp_path / "git-env.log"
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "git").write_text(f'#!/bin/sh\nenv >> "{gitlog}"\nexec {shutil.which("git")} "$@"\n')
    (shim / "git").chmod(0o755)
    ep = mariadb.endpoint
    town = tmp_path / "town"
    env = {
        "PATH": f"{shim}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
        "XDG_STATE_HOME": str(tmp_path / ".state"),
        "LANG": "C.UTF-8",
    }
    url = f"mysql://{user}@{ep.host}:{ep.port}"
    argv = ["sandbox", "run", "--dir", str(town), "--db", url, "--load", "heavy"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gt_tui", *argv, "--password-file", str(secret_file)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    socket = ""
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith("sandbox town running at "), first + proc.stderr.read()
        second = proc.stdout.readline()
        socket = second.split("tmux socket ", 1)[1].split(";", 1)[0].strip()
        panes = wait_for_polecat_panes(socket, proc)
        server = int(tmux(socket, "display-message", "-p", "#{pid}").strip())
        pids = {proc.pid, server, *panes}
        for pid in list(pids):
            with _gone():
                pids |= {c.pid for c in psutil.Process(pid).children(recursive=True)}
        assert len(pids) > 6  # the sandbox, its agents, tmux, the polecats
        leaks = [pid for pid in pids if password.encode() in _proc_bytes(pid)]
        assert leaks == [], [psutil.Process(p).cmdline() for p in leaks]
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
        assert "gt_tui.sandbox.agents" in ps.stdout and password not in ps.stdout
        assert not [piece for piece in PIECES if piece in ps.stdout]
        assert password not in tmux(socket, "show-environment", "-g")
        assert "PATH=" in gitlog.read_text()  # the sandbox did run git, through the shim
        assert password not in gitlog.read_text()
    finally:
        with _gone():
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            if socket:
                kill_tmux_server(socket)
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*.log"))
    assert password not in logs


def wait_for_polecat_panes(socket: str, proc: subprocess.Popen[str]) -> list[int]:
    """Pane pids of the polecats the mayor dispatched (it read the database to do so)."""
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        listed = subprocess.run(
            ["tmux", "-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        pids = [int(p) for p in listed.stdout.split() if p.isdigit()]
        if pids:
            return pids
        time.sleep(0.2)
    raise AssertionError("no polecat was dispatched")


def _proc_bytes(pid: int) -> bytes:
    """A process's environment and command line (empty once it is gone)."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes() + Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class _gone:
    """Ignore a process that ended meanwhile."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, trace) -> bool:
        return kind is not None and issubclass(kind, ProcessLookupError | psutil.NoSuchProcess)
