"""The doctor's checks on the town's own files and tools: town, rigs, settings, tmux, events, gt.

Each takes the shared `DoctorContext` and returns an `Outcome`; none writes anything.
"""

from __future__ import annotations

import shutil
from collections import Counter
from contextlib import suppress
from pathlib import Path

from gt_tui.doctor.context import DoctorContext
from gt_tui.doctor.core import Outcome, failed, passed, warned
from gt_tui.errors import GtTuiError
from gt_tui.town.events import parse_event
from gt_tui.town.git import first_error_line, run_bounded
from gt_tui.town.tmux import list_sessions, tmux_available

GT_VERSION_TIMEOUT = 10.0
EVENTS_TAIL_BYTES = 64 * 1024  # enough for the last event; a big file is never read whole


def check_town(ctx: DoctorContext) -> Outcome:
    try:
        found = ctx.location()
    except GtTuiError as err:
        return failed(str(err), "run from inside the town, or give --town PATH (holds mayor/)")
    return passed(f"found by {found.how}: {found.root}")


def check_rigs(ctx: DoctorContext) -> Outcome:
    try:
        town = ctx.town()
    except GtTuiError as err:
        return failed(str(err), "fix or restore that file (gt writes it)")
    if not town.rigs:
        return warned("no rigs in mayor/rigs.json", "add one with `gt rig add`")
    shared = [p for p, n in Counter(r.prefix for r in town.rigs).items() if n > 1]
    names = ", ".join(f"{rig.name} ({rig.prefix}-)" for rig in town.rigs)
    if shared:
        return warned(f"rigs share a prefix ({', '.join(shared)}): {names}", "fix mayor/rigs.json")
    return passed(f"{len(town.rigs)} rig{'s' * (len(town.rigs) != 1)}: {names}")


def check_settings(ctx: DoctorContext) -> Outcome:
    try:
        settings = ctx.settings()
    except GtTuiError as err:
        return failed(str(err), "fix the file, or see `gt-tui config list`")
    sources = Counter(settings.source(name) for name in settings)
    changed = {src: n for src, n in sorted(sources.items()) if src != "default"}
    if not changed:
        return passed("all defaults")
    return passed("changed: " + ", ".join(f"{n} by {src}" for src, n in changed.items()))


def check_tmux(ctx: DoctorContext) -> Outcome:
    socket = ctx.town().tmux_socket
    if not tmux_available():
        return warned("tmux is not installed", "install tmux to see the town's sessions")
    try:
        sessions = list_sessions(socket)
    except GtTuiError as err:
        return failed(f"socket {socket}: {err}", "is the tmux server stuck? try `tmux -L NAME ls`")
    if not sessions:
        hint = "is the town up (`gt up`)? GT_TMUX_SOCKET overrides the socket name"
        return warned(f"no tmux server on socket {socket}", hint)
    dead = sum(1 for s in sessions if s.pane_dead)
    detail = f"socket {socket}: {len(sessions)} sessions, {dead} dead"
    if dead:
        return warned(detail, "`gt-tui tmux list`; remove them with `gt-tui tmux cleanup --dead`")
    return passed(detail)


def check_events(ctx: DoctorContext) -> Outcome:
    path = ctx.town().events_file
    if not path.exists():
        return warned(f"no {path.name} yet", "gt writes it on its first event; no events till then")
    try:
        size, tail = _tail(path)
    except OSError as err:
        hint = "run gt-tui as a user who can read it"
        return failed(f"{path}: {err.strerror or err}", hint)
    lines = [line for line in tail.split(b"\n") if line.strip()]
    last = parse_event(lines[-1]) if lines else None
    if lines and last is None:
        return warned(f"{path.name}: {size} bytes; last line is not a gt event", "is it gt's file?")
    when = f"last {last.type} at {last.ts:%Y-%m-%d %H:%M:%S}Z" if last else "empty"
    return passed(f"{path.name} readable: {size} bytes, {when}")


def _tail(path: Path) -> tuple[int, bytes]:
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - EVENTS_TAIL_BYTES))
        return size, handle.read()


def check_gt(ctx: DoctorContext) -> Outcome:
    found = shutil.which("gt", path=ctx.env.get("PATH"))
    if found is None:
        return warned("gt is not on PATH", "actions gt does itself (pool create) need it on PATH")
    cwd = ctx.cwd or Path.cwd()  # no town: run it where we are
    with suppress(GtTuiError):
        cwd = ctx.location().root
    try:
        done = run_bounded([found, "version"], cwd, GT_VERSION_TIMEOUT, {"NO_COLOR": "1"}, ctx.env)
    except GtTuiError as err:
        return failed(f"{found}: {err}", "is gt hanging? try `gt version` by hand")
    if done.returncode != 0:
        reason = first_error_line(done.stderr, done.stdout)
        return warned(f"{found} version: {reason}", "gt is on PATH but did not say its version")
    version = (done.stdout.strip().splitlines() or ["(no output)"])[0]
    return passed(f"{found}: {version}")
