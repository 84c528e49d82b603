"""Tools for the fault suite: a loopback proxy that can stall or cut a server, and a probe of
how many refreshes run at once.

`PausableProxy` sits between the console and the test server on a free loopback port.
`pause()` holds every byte in both directions (a server that stalls mid-query: connections
stay open, nothing answers), `resume()` lets them flow again, `cut()` closes every open
connection (a server that drops its sessions); `stop()` and `start()` take the port away and
back (a server that goes away). It counts the connections it accepted, so a
test can see a console that piles up connections while the server hangs.
`kill_server` and `restart_server` SIGKILL a private server and bring it back on its port.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymysql
from sqlserver import SQLServer, free_port, log_tail

from gt_tui.town.endpoint import Endpoint


class PausableProxy:
    """A loopback TCP forwarder whose traffic a test can hold, release or cut."""

    def __init__(self, upstream: Endpoint) -> None:
        self.upstream = (upstream.host, upstream.port)
        self.port = free_port()
        self.accepted = 0
        self._flowing = threading.Event()
        self._flowing.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Listen (again, after `stop`) on the proxy's port."""
        self._stop.clear()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.05)
        self._spawn(self._accept, listener)

    def pause(self) -> None:
        """Hold all traffic: queries in flight and new handshakes wait, nothing is closed."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def cut(self) -> None:
        """Close every open connection (the proxy keeps accepting new ones)."""
        with self._lock:
            doomed, self._sockets = self._sockets, []
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stop(self) -> None:
        """Stop accepting, cut everything and wait for every thread."""
        self._stop.set()
        self._flowing.set()
        self.cut()
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=10)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                server = socket.create_connection(self.upstream, timeout=5)
                for sock in (client, server):
                    sock.settimeout(0.05)
                with self._lock:
                    self.accepted += 1
                    self._sockets += [client, server]
                self._spawn(self._pump, client, server)
                self._spawn(self._pump, server, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                self._flowing.wait()
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                self._flowing.wait()  # bytes read just before a pause are held too
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class ConcurrencyMeter:
    """Wraps a callable and records the most calls that were ever running at once."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._call = call
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.calls = 0
        self.longest_s = 0.0

    def __call__(self) -> Any:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        started = time.monotonic()
        try:
            return self._call()
        finally:
            with self._lock:
                self.running -= 1
                self.longest_s = max(self.longest_s, time.monotonic() - started)


def kill_server(server: SQLServer) -> list[str]:
    """SIGKILL a private server (no clean shutdown); return its command line to restart it."""
    argv = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
    server.process.kill()
    server.process.wait(timeout=20)
    return [part.decode() for part in argv if part]


def restart_server(server: SQLServer, argv: list[str]) -> None:
    """Start a killed server again on the same port and data; return once it accepts."""
    with server.log.open("ab") as out:
        server.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, cwd=server.workdir
        )
    deadline = time.monotonic() + 60
    ep = server.endpoint
    while True:
        try:
            pymysql.connect(host=ep.host, port=ep.port, user=ep.user, connect_timeout=1).close()
            return
        except pymysql.MySQLError:
            if time.monotonic() > deadline or server.process.poll() is not None:
                tail = log_tail(server.log)
                raise RuntimeError(f"the restarted server never answered:\n{tail}") from None
            time.sleep(0.1)
