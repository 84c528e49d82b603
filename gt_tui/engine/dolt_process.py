"""The Dolt server's own process on this host: its CPU and memory, read with psutil.

Found through `.dolt-data/.dolt/sql-server.info` (`pid:port:server_id`, written by
`dolt sql-server`), else as the process listening on the endpoint's TCP port; only for a
loopback endpoint (a remote server's process is not on this host). The `psutil.Process` is
kept across refreshes: `cpu_percent()` measures since its previous call, so the first
reading (always 0.0) is discarded. A search that finds nothing is not repeated for
`DOLT_PROCESS_RETRY_S`, so an idle console does not scan every process's sockets each
refresh.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from gt_tui.health import DOLT_PROCESS_RETRY_S
from gt_tui.town.model import Town

_LOST = (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied)


@dataclass(frozen=True)
class DoltUsage:
    """One reading: CPU percent of one core (None on the first reading) and resident bytes."""

    cpu_percent: float | None
    rss_bytes: int | None


NOT_VISIBLE = DoltUsage(None, None)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def info_file(town_root: Path) -> Path:
    return town_root / ".dolt-data" / ".dolt" / "sql-server.info"


def pid_from_info_file(town_root: Path, port: int) -> int | None:
    """The pid in `sql-server.info`, when the file names this port (else it is another server)."""
    try:
        fields = info_file(town_root).read_text(encoding="utf-8").strip().split(":")
    except OSError:
        return None
    if len(fields) < 2 or not fields[0].isdigit():
        return None
    if fields[1].isdigit() and int(fields[1]) != port:
        return None
    return int(fields[0])


def _listens_on(proc: psutil.Process, port: int) -> bool:
    """Whether the process has a TCP socket listening on the port; True when we may not look."""
    try:
        sockets = proc.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return True
    return any(s.status == psutil.CONN_LISTEN and s.laddr and s.laddr.port == port for s in sockets)


def pid_listening_on(port: int) -> int | None:
    """The process listening on a local TCP port, among those whose sockets we may read."""
    try:
        sockets = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return None
    for s in sockets:
        if s.status == psutil.CONN_LISTEN and s.laddr and s.laddr.port == port and s.pid:
            return int(s.pid)
    return None


class DoltProcess:
    """Finds the town's Dolt server process once and reads it each refresh."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.found_by: str | None = None  # "sql-server.info" or "port"
        self._proc: psutil.Process | None = None
        self._primed = False
        self._next_search = 0.0

    def read(self, town: Town) -> DoltUsage:
        """CPU and memory of the town's server; NOT_VISIBLE when not on this host or hidden."""
        if town.is_sqlite or not is_loopback(town.endpoint.host):
            self._forget()
            return NOT_VISIBLE
        if self._proc is None and self.clock() >= self._next_search:
            self._locate(town)
        if self._proc is None:
            return NOT_VISIBLE
        try:
            with self._proc.oneshot():
                percent = self._proc.cpu_percent(interval=None)
                rss = int(self._proc.memory_info().rss)
        except _LOST:
            self._forget()  # the server restarted or went away: search again next refresh
            return NOT_VISIBLE
        first, self._primed = not self._primed, True
        return DoltUsage(None if first else float(percent), rss)

    def _locate(self, town: Town) -> None:
        port = town.endpoint.port
        how = "sql-server.info"
        proc = self._process(pid_from_info_file(town.root, port), port, True)
        if proc is None:
            proc, how = self._process(pid_listening_on(port), port, False), "port"
        if proc is None:
            self._next_search = self.clock() + DOLT_PROCESS_RETRY_S
            return
        self._proc, self._primed, self.found_by = proc, False, how

    @staticmethod
    def _process(pid: int | None, port: int, verify: bool) -> psutil.Process | None:
        if pid is None:
            return None
        try:
            proc = psutil.Process(pid)
            if verify and not _listens_on(proc, port):
                return None  # a stale file: that pid is now some other process
        except _LOST:
            return None
        return proc

    def _forget(self) -> None:
        self._proc, self._primed, self.found_by = None, False, None


def usage_text(cpu_percent: float | None, rss_bytes: int | None) -> str | None:
    """`cpu 12% · 85 MiB` for the map and the zoom; None when nothing is visible."""
    if cpu_percent is None and rss_bytes is None:
        return None
    cpu = "—" if cpu_percent is None else f"{cpu_percent:.0f}%"
    if rss_bytes is None:
        memory = "—"
    elif rss_bytes >= 2**30:
        memory = f"{rss_bytes / 2**30:.1f} GiB"
    else:
        memory = f"{rss_bytes / 2**20:.0f} MiB"
    return f"cpu {cpu} · {memory}"
