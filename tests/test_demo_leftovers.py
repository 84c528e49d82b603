"""A demo killed with SIGKILL leaves its directory, databases and tmux server; the next start
removes them and says so, and never touches what a live demo owns (real MariaDB, tmux, git)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import missing, tmux_socket_path

from gt_tui.sandbox.dburl import parse_db_url
from gt_tui.sandbox.ownership import Claim, claims_dir, sweep_dead_demos
from gt_tui.sandbox.scale import DB_PREFIX

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

START_LIMIT_S = 90.0  # a safety bound for a sandbox to come up on a loaded machine


class Demo:
    """`gt-tui sandbox run --db URL` as a subprocess, and what it says it owns."""

    def __init__(self, url: str, state_home: Path) -> None:
        env = {**os.environ, "XDG_STATE_HOME": str(state_home)}
        env.pop("GT_TMUX_SOCKET", None)
        argv = [sys.executable, "-m", "gt_tui", "sandbox", "run", "--db", url, "--load", "light"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        line = self.proc.stdout.readline().decode() if self.proc.stdout else ""
        assert line.startswith("sandbox town running at "), line
        self.root = Path(line.split(" at ", 1)[1].strip())
        self.claim = self._claim(state_home)

    def _claim(self, state_home: Path) -> Claim:
        paths = list((state_home / "gt-tui" / "demos").glob(f"{self.proc.pid}-*.json"))
        assert len(paths) == 1, paths
        return Claim(**json.loads(paths[0].read_text()))

    def stop(self) -> None:
        """SIGTERM: the demo cleans up after itself (SIGKILL if it does not end)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.communicate(timeout=START_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate(timeout=30)


def databases(server) -> set[str]:
    admin = server.admin()
    try:
        return {str(row[0]) for row in admin.query("SHOW DATABASES")}
    finally:
        admin.close()


def tmux_server_running(socket: str) -> bool:
    done = subprocess.run(
        ["tmux", "-L", socket, "list-sessions"], capture_output=True, timeout=10, check=False
    )
    return done.returncode == 0


def wait_until(condition) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.2)


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def test_the_next_start_removes_what_a_killed_demo_left(mariadb, state_home: Path) -> None:
    for tool in ("git", "tmux"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed")
    ep = mariadb.endpoint
    url = f"mysql://{ep.user}@{ep.host}:{ep.port}"
    live, dead = Demo(url, state_home), Demo(url, state_home)
    try:
        wait_until(lambda: tmux_server_running(dead.claim.socket))  # the first polecat's
        dead.proc.send_signal(signal.SIGKILL)
        dead.proc.wait(timeout=30)
        left = dead.claim
        assert left.root == str(dead.root) and left.socket and len(left.databases) == 3
        assert all(name.startswith(DB_PREFIX) for name in left.databases)
        assert dead.root.is_dir() and set(left.databases) <= databases(mariadb)
        assert tmux_server_running(left.socket)  # SIGKILL left the polecats' tmux server

        out = io.StringIO()
        swept = sweep_dead_demos(parse_db_url(url), out=out)  # what a demo start does first

        assert [claim.pid for claim in swept] == [dead.proc.pid]
        message = out.getvalue()
        assert message.count("\n") == 1, message
        assert f"a demo that died (pid {dead.proc.pid})" in message and str(dead.root) in message
        assert "3 databases" in message and left.socket in message
        assert not dead.root.exists()
        assert not set(left.databases) & databases(mariadb)
        assert not tmux_server_running(left.socket)
        assert not tmux_socket_path(left.socket).exists()
        # The live demo's things are untouched.
        assert live.proc.poll() is None and live.root.is_dir()
        assert set(live.claim.databases) <= databases(mariadb)
        assert [p.name for p in claims_dir().glob("*.json")] == [live.claim.path.name]
        live.stop()
        assert live.proc.returncode == 128 + signal.SIGTERM
        assert list(claims_dir().glob("*.json")) == [] and not live.root.exists()
    finally:
        live.stop()
        dead.stop()
        sweep_dead_demos(parse_db_url(url), out=io.StringIO())  # whatever a failure left


def test_a_reused_pid_is_not_the_owner(state_home: Path, tmp_path: Path) -> None:
    """A claim whose pid now names a process that started later is a dead owner's."""
    me = Claim.mine()
    (tmp_path / "made").mkdir()
    stale = Claim(
        me.pid, me.started - 3600, town=str(tmp_path / "gone"), root=str(tmp_path / "made")
    )
    stale.save()
    me.save()
    assert me.owner_alive() and not stale.owner_alive()
    out = io.StringIO()
    sweep_dead_demos(None, out=out)
    assert not (tmp_path / "made").exists() and f"pid {me.pid}" in out.getvalue()
    assert [p.name for p in claims_dir().glob("*.json")] == [me.path.name]  # ours stays
