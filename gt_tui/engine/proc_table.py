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
    table = {}
    with os.scandir(PROC) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"{PROC}/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:  # ended during the pass, or not ours to read
                continue
            head, _, tail = stat.rpartition(b")")  # the name may hold spaces and parentheses
            fields = tail.split()
            if len(fields) > _STARTTIME:
                name = head[head.find(b"(") + 1 :].decode(errors="replace")
                table[int(entry.name)] = ProcInfo(
                    int(fields[_PPID]), name, float(fields[_STARTTIME])
                )
    return table


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
