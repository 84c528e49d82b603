"""The host's processes, read once per refresh: each pid's parent, name and start time.

Two readers need them: the host reader counts `bd` processes (engine/host.py) and the tmux
reader walks each agent's process tree (engine/resources.py). One pass serves both: on
Linux a direct read of each `/proc/<pid>/stat` (about 5× cheaper than psutil's
`process_iter`, which re-reads `cmdline` for many names), psutil elsewhere. Each pass cost
several milliseconds of the wall monitor's CPU a refresh on the live demo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import psutil

PROC = "/proc"
# /proc/<pid>/stat fields counted from the state, the first after the name: ppid is the
# second, the start time (clock ticks since boot) the twentieth.
_PPID, _STARTTIME = 1, 19
STAT_MAX = 4096  # a stat line is some 300 bytes; the name in it is at most 64


@dataclass(frozen=True)
class ProcInfo:
    """One process: its parent, its name, and when it started (a unit per platform: clock
    ticks from /proc, epoch seconds from psutil; it only tells a new process from an old
    one that had the same pid)."""

    ppid: int
    name: str
    start: float


ProcTable = Mapping[int, ProcInfo]


def read_proc_table() -> ProcTable:
    """Every process we may see, in one pass."""
    return from_proc() if os.path.isdir(f"{PROC}/self") else from_psutil()


def from_proc() -> ProcTable:
    """One `stat` read per pid, through raw descriptors opened relative to `/proc` (no
    file objects, no path walk from the root: about 3× cheaper than `open()` per pid)."""
    table = {}
    proc = os.open(PROC, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in os.listdir(proc):
            if name.isdigit():
                stat = read_stat(proc, name)
                info = parse_stat(stat) if stat else None
                if info is not None:
                    table[int(name)] = info
    finally:
        os.close(proc)
    return table


def read_stat(proc: int, pid: str) -> bytes | None:
    """`/proc/<pid>/stat`; None where the process ended during the pass or is not ours."""
    try:
        handle = os.open(f"{pid}/stat", os.O_RDONLY, dir_fd=proc)
    except OSError:
        return None
    try:
        return os.read(handle, STAT_MAX)
    except OSError:
        return None
    finally:
        os.close(handle)


def parse_stat(stat: bytes) -> ProcInfo | None:
    head, _, tail = stat.rpartition(b")")  # the name may hold spaces and parentheses
    fields = tail.split()
    if len(fields) <= _STARTTIME:
        return None
    name = head[head.find(b"(") + 1 :].decode(errors="replace")
    return ProcInfo(int(fields[_PPID]), name, float(fields[_STARTTIME]))


def from_psutil() -> ProcTable:
    """`process_iter` skips processes that end during the pass; one that turns zombie or
    denies access reads as None (`ad_value`) and is left out."""
    table = {}
    for proc in psutil.process_iter(["ppid", "name", "create_time"], ad_value=None):
        info = proc.info
        if None not in (info["ppid"], info["name"], info["create_time"]):
            table[proc.pid] = ProcInfo(info["ppid"], info["name"], info["create_time"])
    return table


class ProcPass:
    """One refresh's pass over the host's processes, read when first asked for, then shared
    by that refresh's readers (the engine makes a new one each refresh)."""

    def __init__(self, read: Callable[[], ProcTable] = read_proc_table) -> None:
        self._read = read
        self._table: ProcTable | None = None

    def table(self) -> ProcTable:
        if self._table is None:
            self._table = self._read()
        return self._table
