"""The doctor's checks on the town's database server, from "is it listening" to its indexes.

All reads go through the context's read-only handles; a SQLite (demo) town answers the
checks that make sense for files and skips the server-only ones.
"""

from __future__ import annotations

import socket

from gt_tui.doctor.context import DoctorContext, dsn
from gt_tui.doctor.core import Outcome, Skip, failed, passed, warned
from gt_tui.engine.ops.advisor import MISSING, PRESENT, IndexAdvisor
from gt_tui.errors import GtTuiError
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.pool import PoolLimits
from gt_tui.town.server import idle_limit, run_probe

CONNECT_TIMEOUT = 3.0
BEADS_TABLES = ("issues", "labels", "dependencies", "events")
UTC_ZONES = frozenset({"+00:00", "UTC", "Etc/UTC", "GMT", "Z", "Universal"})
PORT_SOURCES = ".dolt-data/config.yaml listener.port, GT_DOLT_PORT, mayor/daemon.json"


def _server_only(ctx: DoctorContext) -> None:
    if ctx.town().is_sqlite:
        raise Skip("a SQLite (demo) town has no server")


def check_endpoint(ctx: DoctorContext) -> Outcome:
    town = ctx.town()
    if town.is_sqlite:
        return passed(f"SQLite files (demo town): {len(town.sqlite_files)}")
    ep = town.endpoint
    transport = ep.transport
    try:
        _knock(ep)
    except OSError as err:
        reason = err.strerror or str(err) or type(err).__name__
        hint = f"is Dolt running (`gt dolt status`)? port from {PORT_SOURCES}"
        return failed(f"{dsn(ep)} over {transport}: {reason}", hint)
    return passed(f"{dsn(ep)} over {transport}: accepting connections")


def _knock(ep: Endpoint) -> None:
    """Open and close a bare connection: is anything listening there?"""
    if ep.socket:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(CONNECT_TIMEOUT)
            sock.connect(ep.socket)
        return
    socket.create_connection((ep.host, ep.port), timeout=CONNECT_TIMEOUT).close()


def check_credentials(ctx: DoctorContext) -> Outcome:
    if ctx.town().is_sqlite:
        return passed("none needed: SQLite files")
    ep = ctx.town().endpoint
    try:
        ((user,),) = ctx.server().query("SELECT CURRENT_USER()")
    except GtTuiError as err:
        hint = "check GT_DOLT_USER and GT_DOLT_PASSWORD (gt's Dolt: root, no password)"
        return failed(f"{dsn(ep)} refused: {_after_address(str(err))}", hint)
    return passed(f"{dsn(ep)} accepted as {user}")


def _after_address(message: str) -> str:
    """`host:port: reason` -> `reason` (the address is already on the line)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and ":" in head else message


def check_server(ctx: DoctorContext) -> Outcome:
    status = ctx.status()
    if status.kind == "sqlite":
        return passed(f"SQLite {status.version} (demo town)")
    conns = f", max_connections {status.max_connections}" if status.max_connections else ""
    return passed(f"{status.kind} {status.version}{conns}")


def check_probe(ctx: DoctorContext) -> Outcome:
    town, kind = ctx.town(), ctx.status().kind
    if not town.is_sqlite and town.hq_database not in ctx.present_databases():
        raise Skip(f"hq database {town.hq_database} is missing")
    db = ctx.server() if town.is_sqlite else ctx.hq()
    result = run_probe(db, kind)
    detail = f"{result.sql} in {result.ms:.1f} ms"
    if result.fell_back:
        hint = "active_branch() failed on hq: is this Dolt? latency is measured with SELECT 1"
        return warned(f"{detail} (fell back)", hint)
    return passed(detail)


def check_databases(ctx: DoctorContext) -> Outcome:
    town, present = ctx.town(), ctx.present_databases()
    owners = {town.hq_database: "hq", **{rig.database: f"rig {rig.name}" for rig in town.rigs}}
    missing = [name for name in town.databases if name not in present]
    if missing:
        names = ", ".join(f"{name} ({owners[name]})" for name in missing)
        hint = "create it (`gt dolt init-rig NAME`) or fix dolt_database in .beads/metadata.json"
        return failed(f"missing on the server: {names}", hint)
    schema = ctx.schema()
    bare = [n for n in present if not all(schema.has(n, table) for table in BEADS_TABLES)]
    if bare:
        names = ", ".join(f"{name} ({owners[name]})" for name in bare)
        hint = "is dolt_database in .beads/metadata.json right?"
        return failed(f"no beads tables in {names}", hint)
    shown = ", ".join(f"{owners[name]}={name}" for name in present)
    return passed(f"{len(present)} with beads tables: {shown}")


def check_schema(ctx: DoctorContext) -> Outcome:
    schema = ctx.schema()
    with_deps = [n for n in ctx.present_databases() if schema.has(n, "dependencies")]
    if not with_deps:
        raise Skip("no dependencies table in any database")
    layouts = {name: schema.layout(name) for name in with_deps}
    variants = sorted(set(layouts.values()))
    column = {"v1.0.0": "depends_on_id", "v1.0.5": "depends_on_issue_id/_wisp_id/_external"}
    if len(variants) == 1:
        return passed(f"beads {variants[0]} ({column[variants[0]]}) in {len(with_deps)} databases")
    mixed = ", ".join(f"{name} {layout}" for name, layout in layouts.items())
    return passed(f"mixed, read per database: {mixed}")


def check_wait_timeout(ctx: DoctorContext) -> Outcome:
    """The server's idle limit against the pool's idle time and the refresh interval."""
    _server_only(ctx)
    status, settings = ctx.status(), ctx.settings()
    if status.wait_timeout is None:
        return warned("the server did not say its wait_timeout", "idle connections may be dropped")
    configured = PoolLimits.from_settings(settings).max_idle_time
    kept = idle_limit(configured, status)
    capped = f" (capped from {configured:g} s)" if kept < configured else ""
    detail = f"server drops idle sessions after {status.wait_timeout} s; pool keeps {kept:g} s"
    refresh = settings.number("ui.refresh_interval")
    if kept < refresh:
        hint = f"every {refresh:g} s refresh reconnects: raise wait_timeout (GT_DOLT_WAIT_TIMEOUT)"
        return warned(detail + capped, hint)
    return passed(detail + capped)


def check_time_zone(ctx: DoctorContext) -> Outcome:
    _server_only(ctx)
    status = ctx.status()
    zone, system = status.time_zone, status.system_time_zone
    effective = system if zone == "SYSTEM" else zone
    detail = f"time_zone {zone}, system {system}"
    if effective in UTC_ZONES:
        return passed(f"{detail}: UTC")
    hint = "column defaults (events.created_at) are in that zone; gt v1.2 sets GT_DOLT_TIME_ZONE"
    return warned(f"{detail}: not UTC", hint)


def check_indexes(ctx: DoctorContext) -> Outcome:
    present = ctx.present_databases()
    findings = IndexAdvisor(ctx.server(), present).check(explain=False)
    missing: dict[str, list[str]] = {}
    for finding in findings:
        if finding.state == MISSING:
            missing.setdefault(finding.spec.name, []).append(finding.database)
    have = sum(1 for f in findings if f.state == PRESENT)
    if missing:
        count = sum(map(len, missing.values()))
        where = "; ".join(f"{name} in {', '.join(dbs)}" for name, dbs in missing.items())
        hint = "`gt-tui indexes check` for the evidence; `gt-tui indexes create` adds them"
        return warned(f"{count} missing ({have} present): {where}", hint)
    return passed(f"all {have} recommended indexes present in {len(present)} databases")
