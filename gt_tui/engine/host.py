"""Host-side signals, read at no cost to the database server.

The refresh's one pass over the host's processes (engine/proc_table.py) gives the running
`bd` processes and how many started since the previous pass. Operators saw dashboards
spawning 55+ `bd` processes take towns down (gastown#1760): that count is a key figure,
and reading it must cost the server nothing. The Dolt server's own process is read by
`DoltProcess`; agent liveness comes from the process trees `ResourceMonitor` walks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from gt_tui.engine.dolt_process import DoltProcess
from gt_tui.engine.proc_table import ProcTable, read_proc_table

BD = "bd"


def bd_processes(table: ProcTable | None = None) -> set[tuple[int, float]]:
    """(pid, start time) of every `bd` process in `table` (read now when not given).

    The start time tells a new process from an old one that had the same pid."""
    procs = read_proc_table() if table is None else table
    return {(pid, info.start) for pid, info in procs.items() if info.name == BD}


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

    def bd(self, table: ProcTable | None = None) -> BdReading:
        """bd processes now (in `table`, the refresh's pass, or a pass of its own);
        `started_per_s` counts (pid, start) pairs not seen last pass.

        A pass sees only processes alive at that moment: a bd call that began and ended
        between two passes is not counted, so the rate is a lower bound.
        """
        current, now = bd_processes(table), self.clock()
        rate = None
        if self._bd_seen is not None and now > self._bd_at:
            rate = len(current - self._bd_seen) / (now - self._bd_at)
        self._bd_seen, self._bd_at = current, now
        return BdReading(len(current), rate)
