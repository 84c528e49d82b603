"""The daemon behind `gt-tui serve`: one background thread refreshes the engine on its
interval (refreshes never overlap), an HTTP server answers from the last refresh.

The HTTP side is the stdlib's ThreadingHTTPServer with a handler of three routes; the
exposition itself is prometheus_client's (its encoder, chosen from the Accept header, over a
private registry holding only the Snapshot's collector). prometheus_client's own
`start_http_server` was weighed: it answers every path with the metrics, so it cannot serve
/snapshot.json, /healthz and a 404.
"""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.json import render_json
from gt_tui.export.prometheus import private_registry
from gt_tui.safe_text import safe_text

# /healthz turns 503 when the last good refresh is older than this many intervals (and at
# least STALE_MIN_S: one slow refresh over an unreachable server must not flap it).
STALE_INTERVALS = 3
STALE_MIN_S = 30.0


@dataclass(frozen=True)
class Latest:
    """The last refresh that returned (`done_at`, monotonic seconds) and, if the refreshes
    since then raised, the last such error in one line."""

    snapshot: Snapshot | None = None
    done_at: float | None = None
    error: str | None = None


def health_status(latest: Latest, now: float, interval: float) -> tuple[HTTPStatus, str]:
    """/healthz: 200 "ok" while the last refresh is recent, else 503 and why, in one line."""
    failed = f"; last refresh failed: {latest.error}" if latest.error else ""
    if latest.done_at is None:
        return HTTPStatus.SERVICE_UNAVAILABLE, f"no refresh yet{failed}"
    age, limit = now - latest.done_at, max(STALE_INTERVALS * interval, STALE_MIN_S)
    if age > limit:
        reason = f"last refresh {age:.0f} s ago (more than {limit:.0f} s){failed}"
        return HTTPStatus.SERVICE_UNAVAILABLE, reason
    return HTTPStatus.OK, "ok"


class Refresher:
    """Calls `refresh` every `interval` seconds in one thread of its own; a refresh that
    raises is kept as `latest.error`, the daemon goes on."""

    def __init__(
        self,
        refresh: Callable[[], Snapshot],
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.latest = Latest()  # replaced whole, so a reader never sees half of it
        self._refresh, self._clock = refresh, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gt-tui-refresh", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Stop after the refresh under way; False if it is still running after `timeout`."""
        self._stop.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def snapshot(self) -> Snapshot | None:
        return self.latest.snapshot

    def health(self) -> tuple[HTTPStatus, str]:
        return health_status(self.latest, self._clock(), self.interval)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self._clock()
            self._once()
            self._stop.wait(max(0.0, self.interval - (self._clock() - started)))

    def _once(self) -> None:
        try:
            snapshot = self._refresh()
        except Exception as exc:  # the daemon must outlive a refresh it did not foresee
            line = (str(exc).splitlines() or [type(exc).__name__])[0]
            self.latest = replace(self.latest, error=safe_text(line))
        else:
            self.latest = Latest(snapshot, self._clock())


class ExporterServer(ThreadingHTTPServer):
    """The HTTP server over one Refresher; IPv6 when the host is an IPv6 address."""

    daemon_threads = True

    def __init__(self, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.refresher: Refresher | None = None
        self.registry: CollectorRegistry = private_registry(self._snapshot)
        super().__init__((host, port), ExporterHandler)

    def server_bind(self) -> None:
        # HTTPServer's own server_bind looks the host's name up (getfqdn): a DNS wait for
        # nothing, as the name is never used.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.port

    def handle_error(self, request: object, client_address: object) -> None:
        """One line, not socketserver's traceback: a scraper that hangs up early is no bug."""
        error = sys.exc_info()[1]
        print(f"gt-tui serve: a request failed: {safe_text(str(error))}", file=sys.stderr)

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def _snapshot(self) -> Snapshot | None:
        return None if self.refresher is None else self.refresher.snapshot()


class ExporterHandler(BaseHTTPRequestHandler):
    """GET /metrics, /snapshot.json and /healthz; anything else is 404."""

    server: ExporterServer
    server_version = "gt-tui"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/metrics":
            encode, content_type = choose_encoder(self.headers.get("Accept", ""))
            self._send(HTTPStatus.OK, encode(self.server.registry), content_type)
        elif path == "/snapshot.json":
            self._snapshot_json()
        elif path == "/healthz":
            status, reason = self._refresher().health()
            self._text(status, reason)
        else:
            self._text(HTTPStatus.NOT_FOUND, f"not found: {safe_text(path)}")

    def _snapshot_json(self) -> None:
        snapshot = self._refresher().snapshot()
        if snapshot is None:
            self._text(HTTPStatus.SERVICE_UNAVAILABLE, "no refresh yet")
            return
        body = (render_json(snapshot) + "\n").encode("utf-8")
        self._send(HTTPStatus.OK, body, "application/json")

    def _refresher(self) -> Refresher:
        assert self.server.refresher is not None, "the daemon sets it before it serves"
        return self.server.refresher

    def _text(self, status: HTTPStatus, line: str) -> None:
        self._send(status, f"{line}\n".encode(), "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """No access log: a scrape every few seconds would fill stderr."""
