"""Memory and CPU of each agent's process tree against the spec's limits (§6).

An agent is a tmux session; its tree is the pane's process and all its descendants.
RSS is summed over the tree (shared pages count once per process, so it errs high).
CPU comes from psutil's `cpu_percent()`, which measures since the previous call on the
same `Process` object: the monitor keeps those objects between samples and reports no
CPU for a process seen for the first time (its first reading is a meaningless 0.0).
The trees come from one map of the host's parent pids per sample: psutil's
`children(recursive=True)` reads every process's `/proc/<pid>/stat` on each call, which with
one call per agent was a tenth of the wall monitor's CPU on the live demo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from gt_tui.engine.proc_table import ProcTable, read_proc_table
from gt_tui.settings import Settings

_GONE = (psutil.NoSuchProcess, psutil.ZombieProcess)


@dataclass(frozen=True)
class AgentUsage:
    """One agent's process tree: size, memory, CPU (cores), its process names and whether
    it breaks a limit."""

    session: str
    pid: int | None
    processes: int
    rss: int
    cpu_cores: float | None
    over_memory: bool
    over_cpu: bool
    error: str | None = None
    names: frozenset[str] = frozenset()  # process names in the tree, for agent liveness

    @property
    def offender(self) -> bool:
        return self.over_memory or self.over_cpu


@dataclass(frozen=True)
class ResourceLimits:
    """`polecat.max_memory` (bytes) and `polecat.max_cpu` (cores)."""

    max_memory: int
    max_cpu: float

    @classmethod
    def from_settings(cls, settings: Settings) -> ResourceLimits:
        return cls(settings.integer("polecat.max_memory"), settings.number("polecat.max_cpu"))


class ResourceMonitor:
    """Samples agents' process trees; keep one monitor so CPU has a baseline."""

    def __init__(self, limits: ResourceLimits) -> None:
        self.limits = limits
        self._known: dict[int, psutil.Process] = {}

    def reconfigure(self, settings: Settings) -> None:
        self.limits = ResourceLimits.from_settings(settings)

    def sample(
        self, sessions: Iterable[tuple[str, int | None]], table: ProcTable | None = None
    ) -> list[AgentUsage]:
        """Usage per (session name, pane pid), the trees from `table` (the refresh's pass
        over the host's processes, or one of its own); a missing or dead pid gives an error
        row."""
        seen: dict[int, psutil.Process] = {}
        sessions = list(sessions)
        children = children_map(table) if sessions else {}
        usage = [self._agent(name, pid, seen, children) for name, pid in sessions]
        self._known = seen  # processes not seen this time are forgotten
        return usage

    def _agent(
        self, name: str, pid: int | None, seen: dict[int, psutil.Process], children: Children
    ) -> AgentUsage:
        if pid is None:
            return AgentUsage(name, None, 0, 0, None, False, False, "no pane process")
        try:
            tree = self._tree(pid, children)
        except _GONE:
            return AgentUsage(name, pid, 0, 0, None, False, False, "process gone")
        except psutil.AccessDenied:
            return AgentUsage(name, pid, 0, 0, None, False, False, "access denied")
        rss, cpu, counted, names = 0, None, 0, set()
        for proc in tree:
            reading = self._read(proc)
            if reading is None:
                continue
            counted += 1
            rss += reading[0]
            if reading[1] is not None:
                cpu = (cpu or 0.0) + reading[1]
            names.add(reading[2])
            seen[proc.pid] = proc
        cores = None if cpu is None else cpu / 100.0
        over_cpu = cores is not None and cores > self.limits.max_cpu
        over_memory = rss > self.limits.max_memory
        return AgentUsage(
            name, pid, counted, rss, cores, over_memory, over_cpu, names=frozenset(names)
        )

    def _tree(self, pid: int, children: Children) -> list[psutil.Process]:
        tree = [self._kept(psutil.Process(pid))]
        for descendant in descendants(pid, children):
            try:
                tree.append(self._kept(psutil.Process(descendant)))
            except _GONE:  # ended since the map was read
                continue
        return tree

    def _kept(self, proc: psutil.Process) -> psutil.Process:
        """The Process object kept from the last sample, when it is still the same process."""
        known = self._known.get(proc.pid)
        return known if known is not None and known == proc else proc

    def _read(self, proc: psutil.Process) -> tuple[int, float | None, str] | None:
        """(rss bytes, cpu percent or None for a first reading, name); None when it is gone."""
        first = self._known.get(proc.pid) is not proc
        try:
            with proc.oneshot():
                rss = proc.memory_info().rss
                percent = proc.cpu_percent(interval=None)
                name = proc.name()
        except (*_GONE, psutil.AccessDenied):
            return None
        return rss, None if first else percent, name


Children = dict[int, list[int]]


def children_map(table: ProcTable | None = None) -> Children:
    """Each pid's child pids, from one pass over the host's processes (`table`, or now)."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for pid, info in (read_proc_table() if table is None else table).items():
        children[info.ppid].append(pid)
    return children


def descendants(pid: int, children: Children) -> list[int]:
    """Every pid below `pid` in the map, parents before their children."""
    found, index = list(children.get(pid, ())), 0
    while index < len(found):
        found.extend(children.get(found[index], ()))
        index += 1
    return found
