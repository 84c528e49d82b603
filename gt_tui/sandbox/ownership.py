"""What a live demo owns, on record, so that the next demo can clean up after one that was killed.

A `--demo` that dies by SIGKILL (or a power cut) cannot clean up: its temporary directory, its
`gttui_<hex>_*` databases and its tmux server stay. Each demo therefore keeps a claim,
`$XDG_STATE_HOME/gt-tui/demos/<pid>-<start>.json`: its pid and that process's start time (a
reused pid is not the owner), the directory it made, its tmux socket, its databases and their
server. Each
demo start sweeps the claims of dead owners, says so in one line on stderr, and never touches
what a live owner holds. Databases are dropped only when the new demo uses the same server
(the password is never recorded); otherwise the claim is kept for a later start that does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

import psutil

from gt_tui.sandbox.agents import runner
from gt_tui.sandbox.scale import DB_PREFIX
from gt_tui.sandbox.schema import drop_database
from gt_tui.town.db import MySQLDatabase
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.pool import PoolLimits
from gt_tui.xdg import state_dir

START_TIME_SLACK_S = 1.0  # psutil's start times of one process agree far better than this


def claims_dir() -> Path:
    """`$XDG_STATE_HOME/gt-tui/demos`; `~/.local/state` when unset or not absolute."""
    return state_dir() / "demos"


def process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None if there is none."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


@dataclass
class Claim:
    """What one demo owns. `root` is set only for a directory the demo made (and removes)."""

    pid: int
    started: float
    town: str = ""
    root: str = ""
    socket: str = ""
    server: str = ""  # host:port of the databases
    databases: list[str] = field(default_factory=list)

    @classmethod
    def mine(cls) -> Claim:
        pid = os.getpid()
        return cls(pid, process_started(pid) or 0.0)

    def owner_alive(self) -> bool:
        started = process_started(self.pid)
        return started is not None and abs(started - self.started) <= START_TIME_SLACK_S

    @property
    def path(self) -> Path:
        return claims_dir() / f"{self.pid}-{int(self.started)}.json"

    def save(self) -> None:
        """Write the claim atomically (a sweeper never reads half of it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self)), encoding="utf-8")
        partial.replace(self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


def _load(path: Path) -> Claim | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Claim(**data)
    except (OSError, ValueError, TypeError):
        return None  # being written, or not ours: leave it


def drop_databases(endpoint: Endpoint, names: list[str]) -> None:
    """Drop the sandbox's own databases (`gttui_` names only) on the server at `endpoint`."""
    db = MySQLDatabase(endpoint, limits=PoolLimits(max_open=1, max_idle=1))
    try:
        for name in names:
            if name.startswith(DB_PREFIX):
                with contextlib.suppress(Exception):
                    drop_database(db, name)
    finally:
        db.close()


def sweep_dead_demos(endpoint: Endpoint | None, out: TextIO | None = None) -> list[Claim]:
    """Remove what demos whose owner is dead left; one line on `out` (stderr) for each."""
    swept = []
    for path in sorted(claims_dir().glob("*.json")):
        claim = _load(path)
        if claim is None or claim.owner_alive():
            continue
        taken = path.with_suffix(f".sweeping-{os.getpid()}")
        try:
            path.rename(taken)  # only one sweeper takes a claim
        except OSError:
            continue
        removed = _clean(claim, endpoint)
        taken.unlink(missing_ok=True)
        if claim.databases:  # not dropped here: keep them on record for a start that can
            _save_leftover(claim)
        print(_report(claim, removed), file=out or sys.stderr)
        swept.append(claim)
    return swept


def _clean(claim: Claim, endpoint: Endpoint | None) -> list[str]:
    removed = []
    if claim.town:
        runner.sweep(Path(claim.town))  # agents and polecats still naming the town
    if claim.socket:
        runner.kill_tmux_server(claim.socket)
        removed.append(f"tmux socket {claim.socket}")
    if claim.root:
        shutil.rmtree(claim.root, ignore_errors=True)
        removed.append(claim.root)
    ours = [name for name in claim.databases if name.startswith(DB_PREFIX)]
    if ours and endpoint is not None and claim.server == f"{endpoint.host}:{endpoint.port}":
        with contextlib.suppress(Exception):  # the server may be gone: keep them on record
            drop_databases(endpoint, ours)
            removed.append(f"{len(ours)} databases on {claim.server}")
            claim.databases = []
    return removed


def _save_leftover(claim: Claim) -> None:
    claim.town = claim.root = claim.socket = ""
    claim.save()


def _report(claim: Claim, removed: list[str]) -> str:
    line = f"gt-tui: a demo that died (pid {claim.pid}) left things behind; removed: "
    line += ", ".join(removed) or "nothing"
    if claim.databases:
        line += (
            f"; {len(claim.databases)} databases on {claim.server} remain"
            " (a --demo-db start on that server drops them)"
        )
    return line
