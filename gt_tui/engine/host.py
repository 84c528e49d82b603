"""Host-side signals, read at no cost to the database server.

One pass over the host's processes per refresh gives the running `bd` processes and how
many started since the previous pass: on Linux a direct read of each `/proc/<pid>/stat`
(about 5× cheaper than psutil's `process_iter`, which re-reads `cmdline` for many names),
psutil elsewhere. Operators saw dashboards spawning 55+ `bd` processes take towns down
(gastown#1760): that count is a key figure, and reading it must cost the server nothing.
The Dolt server's own process is read by `DoltProcess`; agent liveness comes from the
process trees `ResourceMonitor` walks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from gt_tui.engine.dolt_process import DoltProcess

BD = "bd"
PROC = "/proc"
_STARTTIME = 19  # /proc/<pid>/stat field 22, counted from the state after the name


def bd_processes() -> set[tuple[int, float]]:
    """(pid, start time) of every `bd` process we may see, in one pass.

    The start time tells a new process from an old one that had the same pid; its unit
    (clock ticks on Linux, epoch seconds from psutil) matters only for that.
    """
    return _bd_from_proc() if os.path.isdir(f"{PROC}/self") else _bd_from_psutil()


def _bd_from_proc() -> set[tuple[int, float]]:
    found = set()
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
            if head[head.find(b"(") + 1 :] == BD.encode():
                found.add((int(entry.name), float(tail.split()[_STARTTIME])))
    return found


def _bd_from_psutil() -> set[tuple[int, float]]:
    """`process_iter` skips processes that end during the pass; one that turns zombie or
    denies access reads as None (`ad_value`) and is left out."""
    return {
        (proc.pid, proc.info["create_time"])
        for proc in psutil.process_iter(["name", "create_time"], ad_value=None)
        if proc.info["name"] == BD and proc.info["create_time"] is not None
    }


@dataclass(frozen=True)
class BdReading:
    """Running `bd` processes, and new ones per second since the previous pass (None at first)."""

    running: int
    started_per_s: float | None


class HostMonitor:
    """Host signals across refreshes: the previous pass's bd processes, for the start rate,
    and the Dolt server's process, kept so its CPU has a baseline."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.dolt = DoltProcess(clock)
        self._bd_seen: set[tuple[int, float]] | None = None
        self._bd_at = 0.0

    def bd(self) -> BdReading:
        """bd processes now; `started_per_s` counts (pid, start) pairs not seen last pass.

        A pass sees only processes alive at that moment: a bd call that began and ended
        between two passes is not counted, so the rate is a lower bound.
        """
        current, now = bd_processes(), self.clock()
        rate = None
        if self._bd_seen is not None and now > self._bd_at:
            rate = len(current - self._bd_seen) / (now - self._bd_at)
        self._bd_seen, self._bd_at = current, now
        return BdReading(len(current), rate)
