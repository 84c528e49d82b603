"""`gt-tui serve [--listen HOST:PORT] [--refresh S]`: a headless Prometheus exporter.

It binds first (a bad or busy `--listen` is one line and exit 2, before the town is opened),
then builds the engine read-only, as `--wall` does, refreshes it in one background thread and
serves /metrics, /snapshot.json and /healthz (gt_tui.serve_http). SIGTERM and SIGINT stop it:
the HTTP server is shut down, the refresh under way finishes, the engine closes, exit 0.
Textual is never imported.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from gt_tui import modes
from gt_tui.errors import GtTuiError
from gt_tui.subcommands import Subparsers, add_subcommand

if TYPE_CHECKING:
    from gt_tui.engine.snapshot import Snapshot
    from gt_tui.serve_http import ExporterServer

DEFAULT_LISTEN = "127.0.0.1:9464"
REFRESH_SETTING = "ui.refresh_interval"  # the interval when `--refresh` is not given
STOP_WAIT_S = 30.0  # on a stop signal, how long the refresh under way may still take
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def add_serve_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `serve`; its `run` is `run_serve`."""
    text = "serve the town's figures over HTTP for Prometheus (read-only, no screen)"
    parser = add_subcommand(subparsers, "serve", text)
    parser.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"address to serve on (default: {DEFAULT_LISTEN}, this machine only)",
    )
    add_town_options(parser)
    modes.add_record_option(parser, suppress=True)
    parser.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help=f"seconds between refreshes (default: setting {REFRESH_SETTING})",
    )
    parser.set_defaults(run=run_serve)
    return parser


def add_town_options(parser: argparse.ArgumentParser) -> None:
    """`--town` and `--set` after the command's name too (SUPPRESS: absent there, the
    top-level value stands; `--set` given there replaces the top-level ones)."""
    parser.add_argument(
        "--town", type=Path, metavar="PATH", default=argparse.SUPPRESS, help="town root"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=argparse.SUPPRESS,
        metavar="KEY=VALUE",
        help="override a setting for this run (repeatable)",
    )


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets: [::1]:9464) as (host, port)."""
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise GtTuiError(f"--listen {text!r}: expected HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host, int(port)


def open_server(text: str) -> ExporterServer:
    """The HTTP server bound to `--listen` (not serving yet); a one-line error if it cannot."""
    from gt_tui.serve_http import ExporterServer

    host, port = parse_listen(text)
    try:
        return ExporterServer(host, port)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise GtTuiError(f"--listen {text}: cannot listen there: {reason}") from None


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_serve(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT; 0 on a clean stop, 2 when it cannot start."""
    server = open_server(args.listen)
    try:
        with (
            modes.engine_session(args, read_only=True) as engine,
            modes.recording(args, engine) as recorder,
        ):
            interval = args.refresh
            if interval is None:  # cli checked a given one against the setting's range
                interval = engine.settings.number(REFRESH_SETTING)
            serve(server, modes.console_facade(engine, recorder=recorder).refresh, interval)
    finally:
        server.server_close()
    return 0


def serve(server: ExporterServer, refresh: Callable[[], Snapshot], interval: float) -> None:
    """Refresh and serve until a stop signal; then stop both, in that order."""
    from gt_tui.serve_http import Refresher

    stop = threading.Event()
    with stop_signals(stop):
        refresher = Refresher(refresh, interval)
        server.refresher = refresher
        refresher.start()
        http = threading.Thread(target=server.serve_forever, name="gt-tui-http", daemon=True)
        http.start()
        announce(server)
        try:
            stop.wait()
        finally:
            server.shutdown()
            http.join()
            if not refresher.stop(STOP_WAIT_S):
                print(
                    f"gt-tui serve: a refresh still runs after {STOP_WAIT_S:g} s", file=sys.stderr
                )


def announce(server: ExporterServer) -> None:
    """The address served, on stderr; a warning beside it when it is not loopback."""
    print(f"serving http://{url_host(server.host)}:{server.port}/metrics", file=sys.stderr)
    if not is_loopback(server.host):
        print(
            f"gt-tui serve: {server.host} is not a loopback address:"
            " every host that reaches it can read the town's figures",
            file=sys.stderr,
        )
    sys.stderr.flush()


@contextmanager
def stop_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` (no KeyboardInterrupt) while inside; restored after."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
