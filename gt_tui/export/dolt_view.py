"""The Dolt server in words: the header's endpoint text and the latency zoom's server rows.

Imports no Textual. The endpoint appears once; a failing source's message is its reason only.
"""

from __future__ import annotations

from rich.text import Text

from gt_tui.engine.dolt_process import usage_text
from gt_tui.engine.snapshot import DoltInfo, HostInfo, Snapshot
from gt_tui.export.style import Palette


def endpoint_text(dolt: DoltInfo) -> str:
    """`user@host:port`, with ` (socket)` when connections go through the Unix socket."""
    return f"{dolt.endpoint} (socket)" if dolt.transport == "socket" else dolt.endpoint


def dolt_text(snapshot: Snapshot, palette: Palette, *, detail: bool) -> Text:
    """The header's Dolt part: the endpoint, then the error or kind, version, connections."""
    dolt = snapshot.dolt
    if dolt.error:
        return Text(f"✖ {endpoint_text(dolt)} {dolt.error}", style=palette.danger)
    text = Text(endpoint_text(dolt))
    if detail:
        conns = "" if dolt.connections is None else f"  {dolt.connections} conns"
        text.append(f"  {dolt.server} {dolt.version}{conns}", style=palette.muted)
    return text


def connections_text(dolt: DoltInfo) -> str:
    """`12 of 151 max · 3.2 new/s`; unknown parts say so."""
    if dolt.connections is None:
        return "—"
    limit = "max unknown" if dolt.max_connections is None else f"of {dolt.max_connections} max"
    rate = dolt.new_connections_per_s
    churn = "new/s after the next refresh" if rate is None else f"{rate:.1f} new/s"
    return f"{dolt.connections} {limit} · {churn}"


def zone_text(dolt: DoltInfo) -> str:
    """The server's time zone (`SYSTEM` resolved to the host's zone where known)."""
    if dolt.time_zone is None:
        return "unknown"
    system = f" (system {dolt.system_time_zone})" if dolt.system_time_zone else ""
    return f"{dolt.time_zone}{system}"


def bd_text(host: HostInfo) -> str | None:
    """`bd 3 running · 1.5 started/s`: the callers that take towns down; None when unknown."""
    if host.bd_processes is None:
        return None
    rate = host.bd_started_per_s
    started = "" if rate is None else f" · {rate:.1f} started/s"
    return f"bd {host.bd_processes} running{started}"


def dolt_zoom_rows(dolt: DoltInfo, host: HostInfo | None = None) -> list[tuple[str, str]]:
    """Rows the Dolt latency zoom adds: probe in use, server, transport, zone, connections,
    the server process's CPU and memory where it runs on this host, and the host's bd."""
    probe = dolt.probe or "—"
    if dolt.probe_note:
        probe += f"  (fallback: {dolt.probe_note})"
    rows = [
        ("probe", probe),
        ("server", f"{dolt.server} {dolt.version} · {dolt.transport or 'no network'}"),
        ("server zone", zone_text(dolt)),
        ("connections", connections_text(dolt)),
    ]
    if (usage := usage_text(dolt.cpu_percent, dolt.rss_bytes)) is not None:
        rows.append(("server process", usage))
    if host is not None and (bd := bd_text(host)) is not None:
        rows.append(("bd processes", bd))
    return rows
