"""Opening one MySQL-protocol connection (TCP or Unix socket) and classifying driver errors.

Kept apart from `db.py` so the pool's database class stays about queries: here is what a
connection is opened with (the town's `hq` as its current database, as bd's connections
have, so Dolt's session functions such as `active_branch()` work) and which errors mean
the connection or the server is gone rather than a statement refused.
"""

from __future__ import annotations

import re

import pymysql

from gt_tui.errors import SourceUnavailable
from gt_tui.town.endpoint import Endpoint, Timeouts

UNKNOWN_DATABASE = 1049
# The server's own "shutting down", "connection killed" and "idle too long" errors.
_GONE = frozenset({1053, 1927, 4031})
# A connection the server closed under us: gone away, lost, killed, idle timeout; of these
# only "gone away" and "idle timeout" are sure the statement never ran.
_DEAD_CONNECTION = frozenset({2006, 2013, 1927, 4031})
_NOT_RUN = frozenset({2006, 4031})
_INNER_REASON = re.compile(r"\(\s*(?:\[Errno [-\d]+\]\s*)?([^()]+?)\s*\)\s*$")


def open_connection(
    endpoint: Endpoint, timeouts: Timeouts, database: str | None
) -> pymysql.Connection:
    """One autocommit connection on `database` (None: no current database).

    Raises pymysql's own error so the caller can tell an unknown database (1049) from
    an unreachable server.
    """
    return pymysql.connect(
        host=endpoint.host,
        port=endpoint.port,
        user=endpoint.user,
        password=endpoint.password,
        database=database,
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        write_timeout=timeouts.write,
        autocommit=True,
        charset="utf8mb4",
        ssl_disabled=not endpoint.tls,
        unix_socket=endpoint.socket or None,
    )


class Connector:
    """Opens the pool's connections: on `database`, or on none once it proved missing (1049),
    so the town's other databases still read; read-only sessions when asked."""

    def __init__(
        self, endpoint: Endpoint, timeouts: Timeouts, database: str | None, read_only: bool
    ) -> None:
        self.endpoint, self.timeouts = endpoint, timeouts
        self.database, self.read_only = database, read_only

    def __call__(self) -> pymysql.Connection:
        try:
            conn = self._open()
        except pymysql.MySQLError as exc:
            raise unavailable(self.endpoint, exc) from None
        if self.read_only:
            with conn.cursor() as cur:
                cur.execute("SET SESSION TRANSACTION READ ONLY")
        return conn

    def _open(self) -> pymysql.Connection:
        try:
            return open_connection(self.endpoint, self.timeouts, self.database)
        except pymysql.err.OperationalError as exc:
            if self.database is None or errno_of(exc) != UNKNOWN_DATABASE:
                raise
        self.database = None
        return open_connection(self.endpoint, self.timeouts, None)


def errno_of(exc: BaseException) -> int:
    args = exc.args
    return args[0] if args and isinstance(args[0], int) else 0


def source_lost(exc: BaseException) -> bool:
    """Whether the server is gone, not merely refusing a statement (both are OperationalError).

    Client errors (2000-2999: refused, lost, gone away, timed out) mean the source is lost;
    a live server's answer, such as a write refused in a READ ONLY session (1792), is not.
    """
    if isinstance(exc, pymysql.err.InterfaceError):
        return True
    errno = errno_of(exc)
    return 2000 <= errno < 3000 or errno in _GONE


def dead_connection(exc: BaseException, write: bool = False) -> bool:
    """Whether a statement met a connection the server closed, so one retry on a new one is
    right: any such error for a read; for a write only where it surely did not run."""
    if isinstance(exc, pymysql.err.InterfaceError):
        return True  # PyMySQL's "(0, '')": the socket was closed before anything was sent
    codes = _NOT_RUN if write else _DEAD_CONNECTION
    return isinstance(exc, pymysql.err.OperationalError) and errno_of(exc) in codes


def reason(exc: BaseException) -> str:
    """The driver's message without the host it repeats: the endpoint is shown elsewhere.

    `Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)` becomes
    `cannot connect: Connection refused`.
    """
    args = exc.args
    text = str(args[1]) if len(args) >= 2 else str(exc)
    if errno_of(exc) == 2003 or text.startswith("Can't connect"):
        inner = _INNER_REASON.search(text)
        return f"cannot connect: {inner.group(1) if inner else 'no answer'}"
    return text.strip() or type(exc).__name__


def unavailable(endpoint: Endpoint, exc: BaseException) -> SourceUnavailable:
    """The one-line error for a lost source; names the socket, never repeats host:port."""
    where = f" (socket {endpoint.socket})" if endpoint.socket else ""
    return SourceUnavailable(f"{reason(exc)}{where}")
