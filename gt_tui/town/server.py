"""What the database server is and how to probe it: kind, version and the session limits.

`read_server_status` is one batch, read once and cached by the engine (L2 "status"):
Dolt answers `dolt_version()`, anything else does not; one SELECT then reads
`@@wait_timeout`, `@@max_connections`, `@@time_zone` and `@@system_time_zone`.
`run_probe` is the latency probe gt itself runs, `SELECT active_branch()` on Dolt, which
needs a current database; on a SQL error it falls back to `SELECT 1` and says so.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from gt_tui import health as h
from gt_tui.errors import SourceUnavailable
from gt_tui.town.db import Database

DOLT_PROBE = "SELECT active_branch()"
FALLBACK_PROBE = "SELECT 1"
_OFFSET = "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())"
_VARIABLES = "SELECT VERSION(), @@wait_timeout, @@max_connections, @@time_zone, @@system_time_zone"


@dataclass(frozen=True)
class ServerStatus:
    """The server's kind ("dolt"|"mysql"|"sqlite"), version and session limits (None: unknown)."""

    kind: str
    version: str
    wait_timeout: int | None = None
    max_connections: int | None = None
    time_zone: str | None = None
    system_time_zone: str | None = None
    # NOW() - UTC_TIMESTAMP() of our session: the frame of the stamps the server writes
    # itself (`events.created_at DEFAULT CURRENT_TIMESTAMP`), as bd's sessions share it.
    utc_offset_s: int | None = None


@dataclass(frozen=True)
class ProbeResult:
    """One probe: the SQL that ran, its round trip, and whether (and why) it fell back."""

    sql: str
    ms: float
    fell_back: bool
    reason: str = ""


def read_server_status(db: Database) -> ServerStatus:
    """The server's kind, version and limits; a lost server raises SourceUnavailable."""
    if db.dialect == "sqlite":
        return ServerStatus("sqlite", sqlite3.sqlite_version, utc_offset_s=0)
    dolt_version = _dolt_version(db)
    kind = "mysql" if dolt_version is None else "dolt"
    try:
        version, wait, max_conns, zone, system_zone = db.query(_VARIABLES)[0]
    except SourceUnavailable:
        raise
    except Exception:  # a server without one of the variables: the limits stay unknown
        version = dolt_version or db.query("SELECT VERSION()")[0][0]
        return ServerStatus(kind, str(version))
    return ServerStatus(
        kind,
        str(dolt_version or version),
        _int(wait),
        _int(max_conns),
        None if zone is None else str(zone),
        None if system_zone is None else str(system_zone),
        _utc_offset(db),
    )


def _utc_offset(db: Database) -> int | None:
    """Seconds the server's own clock reads ahead of UTC (None: it cannot say)."""
    try:
        return _int(db.query(_OFFSET)[0][0])
    except SourceUnavailable:
        raise
    except Exception:  # a server without these functions: the frame stays unknown
        return None


def _dolt_version(db: Database) -> str | None:
    try:
        return str(db.query("SELECT dolt_version()")[0][0])
    except SourceUnavailable:
        raise
    except Exception:  # not Dolt: the function does not exist on this server
        return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def probe_sql(kind: str) -> str:
    return DOLT_PROBE if kind == "dolt" else FALLBACK_PROBE


def run_probe(db: Database, kind: str, *, known_failing: str | None = None) -> ProbeResult:
    """Time the probe for `kind`; on a SQL error (not a lost server) time `SELECT 1` instead.

    `known_failing`: why the native probe failed before (the caller remembers), so go
    straight to the fallback rather than pay a failing round trip every refresh.
    """
    sql = probe_sql(kind)
    if known_failing and sql != FALLBACK_PROBE:
        return ProbeResult(FALLBACK_PROBE, _timed(db, FALLBACK_PROBE), True, known_failing)
    try:
        return ProbeResult(sql, _timed(db, sql), False)
    except SourceUnavailable:
        raise
    except Exception as exc:
        if sql == FALLBACK_PROBE:
            raise
        why = f"`{sql}` failed: {_message(exc)}"
        return ProbeResult(FALLBACK_PROBE, _timed(db, FALLBACK_PROBE), True, why)


def _timed(db: Database, sql: str) -> float:
    """The round trip in ms; through `timed_query` where the database has it (the engine's
    limited database times only the server, not the wait for a rate-limit token)."""
    timed = getattr(db, "timed_query", None)
    if timed is not None:
        return float(timed(sql)[1])
    started = time.perf_counter()
    db.query(sql)
    return (time.perf_counter() - started) * 1000.0


def _message(exc: BaseException) -> str:
    args = exc.args
    return str(args[1]) if len(args) >= 2 else str(exc) or type(exc).__name__


def idle_limit(configured: float, status: ServerStatus) -> float:
    """How long the pool may keep a connection idle: below the server's own idle limit.

    The rule: min(`dolt.conn_max_idle_time`, server limit − margin), where the server limit
    is `@@wait_timeout` (on Dolt also at most `DOLT_IDLE_DROP_S`, about 40 s, after which
    Dolt drops idle loopback connections) and the margin is the smaller of
    `IDLE_MARGIN_S` (10 s) and half the limit. Unknown limit: the configured value.
    """
    limits: list[float] = [status.wait_timeout] if status.wait_timeout else []
    if status.kind == "dolt":
        limits.append(h.DOLT_IDLE_DROP_S)
    if not limits:
        return configured
    server = float(min(limits))
    return min(configured, server - min(h.IDLE_MARGIN_S, server / 2))
