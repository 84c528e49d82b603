"""Per-agent process trees measured for real: child processes that allocate and spin."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator

import psutil
import pytest

from gt_tui.engine.resources import ResourceLimits, ResourceMonitor
from gt_tui.settings import Settings

MB = 10**6
PATIENCE = 200  # samples to wait for a busy child to show up as busy (not a timing check)

HOG = """
import sys
block = bytearray(b"\\x01") * ({mb} * 1000 * 1000)  # written, so resident
print("ready", flush=True)
sys.stdin.read()
"""
PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdin=sys.stdin)
child.wait()
"""
SPIN = """
import sys, threading
threading.Thread(target=lambda: sys.stdin.read() and None, daemon=True).start()
print("ready", flush=True)
while True:
    pass
"""


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill the process and everything it started; leave no orphan behind."""
    with contextlib.suppress(psutil.NoSuchProcess):
        for child in psutil.Process(proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
    proc.kill()
    proc.communicate(timeout=30)


@pytest.fixture
def hog() -> Iterator[subprocess.Popen[str]]:
    proc = start(HOG.format(mb=120))
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        stop(proc)


def test_a_process_over_the_memory_limit_is_flagged(hog: subprocess.Popen[str]) -> None:
    monitor = ResourceMonitor(ResourceLimits(max_memory=64 * MB, max_cpu=2.0))
    (usage,) = monitor.sample([("gt-Hog", hog.pid)])
    assert usage.rss >= 120 * MB
    assert usage.over_memory and usage.offender
    assert usage.processes == 1 and usage.error is None
    relaxed = ResourceMonitor(ResourceLimits(max_memory=4000 * MB, max_cpu=2.0))
    assert relaxed.sample([("gt-Hog", hog.pid)])[0].offender is False


def test_the_whole_tree_is_counted() -> None:
    parent = start(PARENT, HOG.format(mb=70))
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        (usage,) = ResourceMonitor(ResourceLimits(64 * MB, 2.0)).sample([("gt-Tree", parent.pid)])
        assert usage.processes == 2
        assert usage.rss >= 70 * MB and usage.over_memory
    finally:
        stop(parent)


def test_first_cpu_reading_is_discarded_then_a_spinner_is_flagged() -> None:
    spin = start(SPIN)
    try:
        assert spin.stdout is not None and spin.stdout.readline().strip() == "ready"
        monitor = ResourceMonitor(ResourceLimits(max_memory=4000 * MB, max_cpu=0.1))
        (first,) = monitor.sample([("gt-Spin", spin.pid)])
        assert first.cpu_cores is None and not first.over_cpu
        pause = threading.Event()
        for _ in range(PATIENCE):
            pause.wait(0.05)
            (usage,) = monitor.sample([("gt-Spin", spin.pid)])
            assert usage.cpu_cores is not None
            if usage.over_cpu:
                break
        assert usage.over_cpu and usage.cpu_cores > 0.1
    finally:
        stop(spin)


def test_missing_and_dead_panes_are_rows_with_an_error() -> None:
    gone = start("print('bye')")
    gone.wait(timeout=30)
    monitor = ResourceMonitor(ResourceLimits.from_settings(Settings.defaults()))
    rows = monitor.sample([("gt-None", None), ("gt-Gone", gone.pid)])
    assert [r.error for r in rows] == ["no pane process", "process gone"]
    assert not any(r.offender for r in rows)


def test_limits_come_from_settings_and_change_live() -> None:
    monitor = ResourceMonitor(ResourceLimits.from_settings(Settings.defaults()))
    assert monitor.limits == ResourceLimits(4 * 10**9, 2.0)
    monitor.reconfigure(Settings.defaults().with_value("polecat.max_cpu", 0.5))
    assert monitor.limits.max_cpu == 0.5
