"""The source readers, in the order a refresh runs them (engine/reading.py says what a
reader is). A reader that raises is recorded by the engine as a failing source and the
others still run; every database reader is a constant number of round trips.

`CADENCES`: the sources not read every refresh, but when their signal says they changed
and at least every `max_age_s` seconds (engine/cadence.py); the others are read each time."""

from __future__ import annotations

from gt_tui.engine.cadence import Cadence
from gt_tui.engine.readers.changes import read_changes
from gt_tui.engine.readers.convoys import convoys_changed, read_convoys
from gt_tui.engine.readers.dolt import read_dolt, read_schema
from gt_tui.engine.readers.events import read_events
from gt_tui.engine.readers.local import files_changed, read_files, read_host, read_tmux
from gt_tui.engine.readers.mail import mail_changed, read_mail
from gt_tui.engine.readers.work import (
    read_agents,
    read_merge_requests,
    read_patrols,
    read_queue,
)
from gt_tui.engine.reading import Reader

READERS: tuple[Reader, ...] = (
    Reader("dolt", False, read_dolt),
    Reader("schema", True, read_schema),
    Reader("changes", True, read_changes),  # before the readers that keep rows
    Reader("events", False, read_events),
    Reader("mail", True, read_mail),
    Reader("convoys", True, read_convoys),
    Reader("patrols", True, read_patrols),
    Reader("queue", True, read_queue),
    Reader("merge_requests", True, read_merge_requests),
    Reader("files", False, read_files),
    Reader("tmux", False, read_tmux),
    Reader("agents", True, read_agents),  # after files and tmux: their changes invalidate it
    Reader("host", False, read_host),
)

CADENCES: dict[str, Cadence] = {
    # Signal: the change feed names a bead of hq (messages live there).
    "mail": Cadence(max_age_s=10.0, changed=mail_changed),
    # Signal: the change feed names a bead the view rests on. The floor keeps the
    # convoy-refresh metric sampled (by real rebuilds) in a quiet town.
    "convoys": Cadence(max_age_s=10.0, changed=convoys_changed),
    # Signal: a stat of each directory and heartbeat file it reads.
    "files": Cadence(max_age_s=10.0, changed=files_changed),
}

# The host's process table (engine/proc_follow.py): each refresh reads the new pids, the
# reparented and the young (started this many seconds ago: a fork not yet exec'd shows its
# parent's name); a full pass at least this often.
PROC_YOUNG_S = 2.0
PROC_FULL_PASS_S = 10.0
