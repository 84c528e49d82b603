"""The host side read only as far as it changed (issue 12): the process table followed across
refreshes (engine/proc_follow.py) and no tmux run where no tmux server can be.

Real processes and a real tmux on a private socket; the passes and the tmux runs are counted,
never timed. The follower's clocks are injected: `ticks` (now, in /proc's start-time unit)
decides which processes count as young.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clock import FakeClock
from helpers import tmux

from gt_tui.engine.proc_follow import ProcFollower
from gt_tui.engine.proc_table import ProcInfo, from_proc
from gt_tui.town import tmux as tmux_module
from gt_tui.town.tmux import list_sessions, socket_path

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="Linux /proc only")
NONE_YOUNG = float("inf")  # `ticks` so late that no process counts as young
ALL_YOUNG = 0.0  # `ticks` at boot: every process counts as young
BOUND = 500  # polls of /proc, each 10 ms apart: a bound, not a timing assertion


def comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def until(check: Any) -> None:
    for _ in range(BOUND):
        if check():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the process never got there")


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for child in started:
        child.kill()
        child.wait(timeout=10)


def spawn(children: list[subprocess.Popen[bytes]], *argv: str, **kw: Any) -> int:
    child = subprocess.Popen(list(argv), **kw)
    children.append(child)
    return child.pid


def follower(ticks: float, full_every_s: float = 10.0) -> tuple[ProcFollower, FakeClock[float]]:
    clock = FakeClock(1000.0)
    return ProcFollower(full_every_s, 60.0, clock=clock, ticks=lambda: ticks), clock


def test_between_full_passes_only_new_pids_are_read(
    children: list[subprocess.Popen[bytes]],
) -> None:
    follow, clock = follower(NONE_YOUNG)
    first = follow.read()
    assert (follow.full_passes, follow.stats_read) == (1, len(first))
    pid = spawn(children, "sleep", "600")
    until(lambda: comm(pid) == "sleep")
    before = follow.stats_read
    second = follow.read()
    assert follow.partial_passes == 1 and second[pid].name == "sleep"
    assert 1 <= follow.stats_read - before < len(first)  # the new pids, not the whole host
    gone = first.keys() - second.keys()  # their children were reparented: read again
    kept = [p for p in first.keys() & second.keys() if first[p].ppid not in gone]
    assert kept and all(second[p] is first[p] for p in kept)  # not read again
    children[0].kill()
    children[0].wait(timeout=10)
    assert pid not in follow.read()
    clock.advance(10.0)  # a full pass is due
    follow.read()
    assert follow.full_passes == 2


def test_a_process_that_execs_later_is_read_again_while_young(
    children: list[subprocess.Popen[bytes]],
) -> None:
    late_exec = "import os, sys; sys.stdin.read(); os.execvp('sleep', ['sleep', '600'])"
    pid = spawn(children, sys.executable, "-c", late_exec, stdin=subprocess.PIPE)
    until(lambda: comm(pid) != "sleep")
    young, _ = follower(ALL_YOUNG)
    old, _ = follower(NONE_YOUNG)
    assert young.read()[pid].name == old.read()[pid].name != "sleep"
    stdin = children[0].stdin
    assert stdin is not None
    stdin.close()  # now it execs
    until(lambda: comm(pid) == "sleep")
    assert young.read()[pid].name == "sleep"  # young: read again
    assert old.read()[pid].name != "sleep"  # not young: its name waits for the full pass


def test_a_process_whose_parent_ended_is_read_again(
    children: list[subprocess.Popen[bytes]],
) -> None:
    shell = "sleep 600 & echo $!; read x"
    parent = subprocess.Popen(
        ["sh", "-c", shell], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None and parent.stdin is not None
    child = int(parent.stdout.readline())
    try:
        until(lambda: comm(child) == "sleep")
        follow, _ = follower(NONE_YOUNG)
        assert follow.read()[child].ppid == parent.pid
        parent.stdin.close()
        parent.wait(timeout=10)
        assert follow.read()[child].ppid == from_proc()[child].ppid != parent.pid
    finally:
        os.kill(child, 9)
        parent.wait(timeout=10)


def test_the_followed_table_equals_a_full_pass(children: list[subprocess.Popen[bytes]]) -> None:
    follow, _ = follower(NONE_YOUNG)
    follow.read()
    for _ in range(3):
        pid = spawn(children, "sleep", "600")
        until(lambda pid=pid: comm(pid) == "sleep")
    followed, full = follow.read(), from_proc()
    ours = {c.pid for c in children}
    assert {p: followed[p] for p in ours} == {p: full[p] for p in ours}
    assert all(isinstance(info, ProcInfo) for info in followed.values())


# ---- tmux: no run where no server can be ------------------------------------------------


def test_no_tmux_run_where_the_socket_does_not_exist(
    tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []
    real = tmux_module.run_tmux

    def counted(args: list[str], timeout: float = tmux_module.TMUX_TIMEOUT) -> Any:
        runs.append(args)
        return real(args, timeout)

    monkeypatch.setattr(tmux_module, "run_tmux", counted)
    assert not socket_path(tmux_socket).exists()
    assert list_sessions(tmux_socket) == [] and runs == []
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep", "600")
    assert socket_path(tmux_socket).exists()
    assert [s.name for s in list_sessions(tmux_socket)] == ["gt-Toast"] and len(runs) == 1


def test_the_socket_path_follows_tmux_tmpdir(
    tmp_path: Path, tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path))
    try:
        tmux(tmux_socket, "new-session", "-d", "-s", "gt-Nux", "sleep", "600")
        assert socket_path(tmux_socket).parent.parent == tmp_path
        assert [s.name for s in list_sessions(tmux_socket)] == ["gt-Nux"]
    finally:
        subprocess.run(["tmux", "-L", tmux_socket, "kill-server"], capture_output=True, timeout=10)
