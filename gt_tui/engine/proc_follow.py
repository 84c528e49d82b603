"""The host's processes followed across refreshes: each pass reads only what may have changed.

A full pass reads every `/proc/<pid>/stat` (engine/proc_table.py). Between full passes, one
listing of `/proc` says which pids came and went, and only these are read:
- a new pid (a process started: the cheap signal is its pid in the listing);
- a process whose parent ended (the kernel reparents it: its ppid changed);
- a young process, started less than `young_s` ago: a fork shows the parent's name until
  its `exec`, which follows within milliseconds for `bd` and an agent's command.
Everything else keeps what its last read said: a process's start time never changes, and
its name only on an `exec` or a rename, which a full pass at least every `full_every_s`
seconds picks up. A pid reused between two passes would need the host to run through every
pid (`/proc/sys/kernel/pid_max`) within one refresh.
Elsewhere than Linux every pass is a full psutil pass.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from gt_tui.engine.proc_table import (
    PROC,
    ProcInfo,
    ProcTable,
    from_proc,
    parse_stat,
    read_proc_table,
    read_stat,
)


def boot_ticks() -> float:
    """Now, in the unit of `/proc/<pid>/stat`'s start time: clock ticks since boot."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK")


class ProcFollower:
    """Keeps the last pass's table; `read()` is the next pass (full when it is due)."""

    def __init__(
        self,
        full_every_s: float,
        young_s: float,
        clock: Callable[[], float] = time.monotonic,
        ticks: Callable[[], float] = boot_ticks,
    ) -> None:
        self.full_every_s, self.young_s = full_every_s, young_s
        self.clock, self.ticks = clock, ticks
        self._table: dict[int, ProcInfo] | None = None
        self._full_at = 0.0
        self.full_passes = self.partial_passes = 0  # what the passes cost, for the tests
        self.stats_read = 0

    def read(self) -> ProcTable:
        if not os.path.isdir(f"{PROC}/self"):
            return read_proc_table()
        now = self.clock()
        age = now - self._full_at
        if self._table is None or age >= self.full_every_s or age < 0:
            table = dict(from_proc())
            self._full_at, self.full_passes = now, self.full_passes + 1
            self.stats_read += len(table)
        else:
            table = self._follow(self._table)
            self.partial_passes += 1
        self._table = table
        return table

    def _follow(self, last: dict[int, ProcInfo]) -> dict[int, ProcInfo]:
        proc = os.open(PROC, os.O_RDONLY | os.O_DIRECTORY)
        try:
            pids = {int(name) for name in os.listdir(proc) if name.isdigit()}
            gone = last.keys() - pids
            young_since = self.ticks() - self.young_s * os.sysconf("SC_CLK_TCK")
            table = {
                pid: info
                for pid, info in last.items()
                if pid in pids and info.ppid not in gone and info.start < young_since
            }
            for pid in pids - table.keys():
                stat = read_stat(proc, str(pid))
                info = parse_stat(stat) if stat else None
                self.stats_read += 1
                if info is not None:
                    table[pid] = info
        finally:
            os.close(proc)
        return table
