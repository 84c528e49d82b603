"""Deacon, witness and refinery patrols: cycles of real steps, one root wisp per cycle.

Each cycle opens a root wisp `mol-<role>-patrol` hooked to its agent (`deacon`,
`<rig>/witness`, `<rig>/refinery`), runs the formula's steps (each does its real work, then
the agent thinks for its share of the profile's `patrol_cycle_s`), and closes the wisp with
`patrol cycle complete: <summary of what the steps found>`, as `gt patrol report` does; then
it waits (`patrol_pause_s`, gt's await-signal) before the next cycle. The deacon keeps
`deacon/heartbeat.json` fresh, the witness turns POLECAT_DONE into MERGE_READY for the
refinery, and the refinery merges polecat branches into main in `<rig>/refinery/rig`.
Run: `python -m gt_tui.sandbox.agents.patrol --town ROOT --role deacon|witness|refinery [--rig R]`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from gt_tui.errors import GtTuiError
from gt_tui.sandbox.agents.files import write_json_atomically
from gt_tui.sandbox.agents.mail import MailDesk, Message, pending_mail
from gt_tui.sandbox.agents.ops import fields_of, open_merge_requests
from gt_tui.sandbox.agents.runtime import Agent, agent_arguments, setup_logging, utc_now
from gt_tui.sandbox.git import run_git
from gt_tui.town import beads
from gt_tui.town.addresses import DEACON
from gt_tui.town.heartbeats import heartbeat_time
from gt_tui.town.layout import heartbeat_file, heartbeats_dir, read_rigs
from gt_tui.town.model import Rig

ROLES = ("deacon", "witness", "refinery")
HEARTBEAT_STALE_S = 180.0  # gt: a session heartbeat older than 3 minutes is stale
DEACON_BEAT_S = 10.0
Step = tuple[str, Callable[[], str]]
log = logging.getLogger("gt_tui.sandbox")


def address_of(role: str, rig: Rig | None) -> str:
    return DEACON if rig is None else f"{rig.name}/{role}"


def session_of(role: str, rig: Rig | None) -> str:
    """gt's session names: `hq-deacon`, `<prefix>-witness`, `<prefix>-refinery`."""
    return "hq-deacon" if rig is None else rig.session_name(role)


def refinery_worktree(root: Path, rig: str) -> Path:
    return root / rig / "refinery" / "rig"


def ensure_refinery_worktree(root: Path, rig: str) -> Path:
    """The refinery's worktree on main (gt's `<rig>/refinery/rig`), made if missing."""
    path = refinery_worktree(root, rig)
    if not path.is_dir():
        bare = root / rig / ".repo.git"
        run_git(["--git-dir", str(bare), "worktree", "add", "-q", str(path), "main"], root)
    return path


class Patrol:
    """One patrol agent: its formula's steps and its cycle loop."""

    def __init__(self, agent: Agent, role: str, rig: Rig | None) -> None:
        self.agent, self.role, self.rig = agent, role, rig
        self.session = session_of(role, rig)
        self.desk = MailDesk(agent, self.on_message)
        self.cycle = 0
        self.steps: list[Step] = STEPS[role](self)

    # ---- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        while not self.agent.stop.is_set():
            try:
                self.one_cycle()
            except Exception as exc:  # a busy database must not end the patrol
                log.warning("%s: patrol cycle failed: %s", self.agent.address, exc)
            self.agent.heartbeat(self.session, "idle", "awaiting signal")
            self.agent.sleep(self.agent.pick(self.agent.profile.patrol_pause_s))

    def one_cycle(self) -> None:
        agent = self.agent
        self.cycle += 1
        wisp = agent.writer.open_patrol(self.role, agent.address, utc_now())
        agent.event("patrol_started", {"rig": self._rig_name(), "message": f"cycle {self.cycle}"})
        think = agent.pick(agent.profile.patrol_cycle_s) / len(self.steps)
        found = []
        for name, step in self.steps:
            agent.heartbeat(self.session, "working", f"patrol step {name}", wisp)
            if not agent.sleep(think):
                return  # stopping: the wisp stays hooked, as an interrupted cycle does
            found.append(step())
        summary = "; ".join(text for text in found if text) or "nothing to report"
        agent.writer.close_patrol(wisp, utc_now(), summary)
        agent.event("patrol_complete", {"rig": self._rig_name(), "message": summary})

    def _rig_name(self) -> str:
        return self.rig.name if self.rig else ""

    def on_message(self, message: Message) -> None:
        """The witness forwards POLECAT_DONE to the refinery as MERGE_READY."""
        words = message.subject.split()
        if self.role == "witness" and self.rig and words[:1] == ["polecat_done"] and len(words) > 2:
            self.desk.send(f"{self.rig.name}/refinery", f"merge_ready {words[2]} {words[1]}")

    # ---- deacon ------------------------------------------------------------------------------

    def agent_health(self) -> tuple[int, int]:
        """(healthy, unhealthy) agents from the session heartbeats, as gt's health scan."""
        folder = heartbeats_dir(self.agent.root)
        now = time.time()
        healthy = unhealthy = 0
        for path in folder.glob("*.json") if folder.is_dir() else ():
            if _fresh(heartbeat_time(path), now):
                healthy += 1
            else:
                unhealthy += 1
        return healthy, unhealthy

    def write_deacon_heartbeat(self, action: str) -> None:
        healthy, unhealthy = self.agent_health()
        stamp = utc_now().isoformat(timespec="seconds").replace("+00:00", "Z")
        body = {
            "timestamp": stamp,
            "cycle": self.cycle,
            "last_action": action,
            "healthy_agents": healthy,
            "unhealthy_agents": unhealthy,
        }
        write_json_atomically(self.agent.root / "deacon" / "heartbeat.json", body)

    def keep_deacon_heartbeat(self) -> None:
        """The deacon's heartbeat file stays fresh between (and during long) cycles."""
        while self.agent.sleep(DEACON_BEAT_S):
            self.write_deacon_heartbeat("awaiting signal")

    def step_heartbeat(self) -> str:
        self.write_deacon_heartbeat(f"patrol cycle {self.cycle}")
        return ""

    def step_health_scan(self) -> str:
        healthy, unhealthy = self.agent_health()
        return f"{healthy} agents healthy, {unhealthy} stale"

    def step_dolt_health(self) -> str:
        started = time.perf_counter()
        self.agent.db.query("SELECT 1")
        return f"database answered in {(time.perf_counter() - started) * 1000:.1f} ms"

    def step_convoy_check(self) -> str:
        convoys = beads.open_convoys(self.agent.db, self.agent.schema, self.agent.hq)
        return f"{len({row[0] for row in convoys})} convoys open"

    def step_digest(self) -> str:
        self.desk.send("mayor/", f"Deacon patrol digest, cycle {self.cycle}")
        return ""

    # ---- witness -----------------------------------------------------------------------------

    def step_inbox(self) -> str:
        waiting = len(pending_mail(self.agent, self.agent.address))
        return f"{waiting} messages waiting" if waiting else ""

    def step_survey_workers(self) -> str:
        assert self.rig is not None
        folder = self.agent.town.polecats_dir(self.rig)
        states = {"working": 0, "idle": 0, "stale": 0}
        names = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        for name in names:
            state = self._polecat_state(self.rig.session_name(name))
            states[state] += 1
            if state == "working":
                self.agent.event(
                    "polecat_checked",
                    {"rig": self.rig.name, "polecat": name, "status": state, "issue": ""},
                )
        return (
            f"{states['working']} working, {states['idle']} idle, {states['stale']} stale polecats"
        )

    def _polecat_state(self, session: str) -> str:
        path = heartbeat_file(self.agent.root, session)
        try:
            state = json.loads(path.read_text(encoding="utf-8")).get("state")
        except (OSError, ValueError, AttributeError):
            return "idle"
        if state == "working" and not _fresh(heartbeat_time(path), time.time()):
            return "stale"
        return "working" if state == "working" else "idle"

    def step_check_refinery(self) -> str:
        assert self.rig is not None
        waiting = len(open_merge_requests(self.agent, self.rig))
        return f"{waiting} merge requests queued"

    # ---- refinery ----------------------------------------------------------------------------

    def step_process_branches(self) -> str:
        """Merge every open merge request's branch into main, close it, tell the mayor."""
        assert self.rig is not None
        worktree = ensure_refinery_worktree(self.agent.root, self.rig.name)
        merged = failed = 0
        for request, text in open_merge_requests(self.agent, self.rig):
            fields = fields_of(text)
            if self._merge(worktree, fields.get("branch", "")):
                self._close_request(request, "merged", fields.get("source_issue", ""))
                merged += 1
            else:
                self._close_request(request, "merge failed", fields.get("source_issue", ""))
                failed += 1
        return f"merged {merged}" + (f", {failed} failed" if failed else "")

    def _merge(self, worktree: Path, branch: str) -> bool:
        if not branch:
            return False
        try:
            run_git(["merge", "--no-ff", "-q", "-m", f"Merge {branch}", branch], worktree)
        except GtTuiError as exc:
            log.warning("%s: %s", self.agent.address, exc)
            with contextlib.suppress(GtTuiError):  # nothing to abort when git refused outright
                run_git(["merge", "--abort"], worktree)
            return False
        return True

    def _close_request(self, request: str, reason: str, source: str) -> None:
        assert self.rig is not None
        self.agent.writer.close_issue(
            self.rig.database, request, utc_now(), reason, actor=self.agent.address
        )
        subject = "merged" if reason == "merged" else "merge_failed"
        self.desk.send("mayor/", f"{subject} {source or request}")

    def step_run_tests(self) -> str:
        assert self.rig is not None
        worktree = ensure_refinery_worktree(self.agent.root, self.rig.name)
        files = run_git(["ls-files"], worktree).splitlines()
        return f"{len(files)} files on main"


def _fresh(moment: datetime | None, now: float) -> bool:
    return moment is not None and now - moment.timestamp() < HEARTBEAT_STALE_S


STEPS: dict[str, Callable[[Patrol], list[Step]]] = {
    "deacon": lambda p: [
        ("heartbeat", p.step_heartbeat),
        ("health-scan", p.step_health_scan),
        ("dolt-health", p.step_dolt_health),
        ("convoy-check", p.step_convoy_check),
        ("patrol-digest", p.step_digest),
    ],
    "witness": lambda p: [
        ("inbox-check", p.step_inbox),
        ("survey-workers", p.step_survey_workers),
        ("check-refinery", p.step_check_refinery),
    ],
    "refinery": lambda p: [
        ("queue-scan", p.step_check_refinery),
        ("process-branch", p.step_process_branches),
        ("run-tests", p.step_run_tests),
    ],
}


def main() -> int:
    parser = agent_arguments("A gt-tui sandbox patrol agent (deacon, witness or refinery).")
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--rig", help="the rig of a witness or refinery")
    args = parser.parse_args()
    setup_logging()
    root = Path(args.town).resolve()
    rig = None if args.role == "deacon" else _rig(root, args.rig)
    agent = Agent(root, address_of(args.role, rig), args.seed, args.owner)
    agent.install_signals()
    patrol = Patrol(agent, args.role, rig)
    pid_file = agent.write_pid(patrol.session)
    threads = [agent.start_thread("mail", patrol.desk.open().run)]
    if args.role == "deacon":
        threads.append(agent.start_thread("heartbeat", patrol.keep_deacon_heartbeat))
    threads.append(agent.start_thread("patrol", patrol.run))
    try:
        agent.run_until_stopped()
    finally:
        agent.shutdown(threads, pid_file)
    return 0


def _rig(root: Path, name: str | None) -> Rig:
    found = {rig.name: rig for rig in read_rigs(root)}
    if name not in found:
        raise SystemExit(f"patrol: unknown rig {name!r} (rigs: {', '.join(found) or 'none'})")
    return found[name]


if __name__ == "__main__":
    raise SystemExit(main())
