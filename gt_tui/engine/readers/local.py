"""The readers of this host: the town's files, its tmux sessions, and its processes.

None of them queries the database.
"""

from __future__ import annotations

from gt_tui.engine.facts import FactUpdate
from gt_tui.engine.reading import ReadContext, ReadFailed, Reading
from gt_tui.engine.resources import AgentUsage
from gt_tui.engine.tmux_listing import sessions_now
from gt_tui.town.agents import idle_polecats, polecat_names, polecat_process_names
from gt_tui.town.file_marks import deacon_heartbeat, directory_marks, heartbeat_marks
from gt_tui.town.heartbeats import heartbeat_time
from gt_tui.town.model import Town
from gt_tui.town.tmux import list_sessions, tmux_available


def read_files(ctx: ReadContext) -> Reading:
    """The polecat directories, their heartbeats' states and the deacon's heartbeat. The
    files' marks are taken before each is read: a write during the read shows next time."""
    directories = directory_marks(ctx.town)
    polecats = polecat_names(ctx.town)
    ctx.tracking.files_seen = (polecats, (directories, heartbeat_marks(ctx.town, polecats)))
    heartbeat = heartbeat_time(deacon_heartbeat(ctx.town))
    idle = idle_polecats(ctx.town, polecats)
    return Reading(
        facts={"polecats": polecats, "polecats_idle": idle, "deacon_heartbeat": heartbeat}
    )


def files_changed(ctx: ReadContext) -> bool:
    """The files reader's signal: a file or directory it read has a new mark (a polecat
    directory added or removed changes its rig's `polecats/`; a heartbeat written, its own
    file). One `stat` per file, no file opened."""
    seen = ctx.tracking.files_seen
    if seen is None:
        return True
    polecats, marks = seen
    return (directory_marks(ctx.town), heartbeat_marks(ctx.town, polecats)) != marks


def read_tmux(ctx: ReadContext) -> Reading:
    """Sessions, and which polecats' panes run the agent; the polecats are the files
    reader's of this refresh. The sessions are listed again only when the tmux server's
    mark moved, at least every 10 s (engine/tmux_listing.py); the agents' process trees
    are read each refresh."""
    if not tmux_available():
        return Reading(facts={"tmux_state": "tmux not installed"})
    table, socket = ctx.procs.table(), ctx.town.tmux_socket
    listing = sessions_now(ctx.tracking.tmux_seen, table, ctx.now, lambda: list_sessions(socket))
    ctx.tracking.tmux_seen = listing
    sessions = listing.sessions
    rig_of = {
        rig.session_name(name): rig.name
        for rig_name, name in ctx.facts.polecats
        for rig in ctx.town.rigs
        if rig.name == rig_name
    }
    counted = Reading(facts={"tmux_sessions": len(sessions)})
    live = [s for s in sessions if not s.pane_dead and s.name in rig_of]
    try:
        usage = ctx.resources.sample(((s.name, s.pane_pid) for s in live), table)
        running = agents_alive(ctx.town, usage, rig_of)
    except Exception as exc:  # the session count stands
        raise ReadFailed(counted, exc) from exc
    offenders = [u.session for u in usage if u.offender]
    facts = FactUpdate(**counted.facts, running_sessions=running, offenders=offenders)
    return Reading(facts=facts)


def agents_alive(town: Town, usage: list[AgentUsage], rig_of: dict[str, str]) -> set[str]:
    """Sessions whose pane's process tree runs the agent (gt's process names), not a shell."""
    rigs = {rig_of[u.session] for u in usage}
    names = {rig: polecat_process_names(town.root, rig) for rig in rigs}
    return {u.session for u in usage if u.names & set(names[rig_of[u.session]])}


def read_host(ctx: ReadContext) -> Reading:
    """bd processes and the Dolt server's CPU and memory, from psutil: no database query."""
    bd = ctx.host.bd(ctx.procs.table())
    bd_read = Reading(facts={"bd_processes": bd.running, "bd_started_per_s": bd.started_per_s})
    try:
        dolt = ctx.host.dolt.read(ctx.town)
    except Exception as exc:  # the bd figures stand
        raise ReadFailed(bd_read, exc) from exc
    facts = FactUpdate(
        **bd_read.facts, dolt_cpu_percent=dolt.cpu_percent, dolt_rss_bytes=dolt.rss_bytes
    )
    return Reading(facts=facts)
