"""A sandbox polecat: the agent loop inside a session `<prefix>-<Name>`, working one bead.

As gt's polecat does: on start (gt prime) a `session_start` event (actor
`<rig>/polecats/<Name>`), a `working` heartbeat, the bead `in_progress`, the agent bead
`working`, a mail check that acks whatever is waiting, and `polecat_started` to the
witness. It then works a while in its worktree (real commits on its branch), keeps its
heartbeat fresh and acks the mail it gets. Done: the bead closed, a merge request bead for
the refinery, a `done` event, `polecat_done` to the witness; then it goes idle (heartbeat
`idle`, agent bead `idle`, `session_end`) and exits, which ends its session.
Run: `python -m gt_tui.sandbox.agents.polecat --town ROOT --rig RIG --name NAME --bead ID`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from gt_tui.sandbox.agents.mail import MailDesk
from gt_tui.sandbox.agents.nudge import nudge
from gt_tui.sandbox.agents.ops import describe, set_agent_state, set_status
from gt_tui.sandbox.agents.runtime import Agent, agent_arguments, setup_logging, utc_now
from gt_tui.sandbox.agents.scheduler import SCHEDULER
from gt_tui.sandbox.git import run_git
from gt_tui.town.model import Rig
from gt_tui.town.worktrees import worktree_path

HEARTBEAT_EVERY_S = 2.0
IDLE_GRACE_S = 0.3  # lets a sender that saw us working finish its write before the last check


class Polecat:
    """One polecat's session: the bead it works and how it reports."""

    def __init__(self, agent: Agent, rig: Rig, name: str, bead: str) -> None:
        self.agent, self.rig, self.name, self.bead = agent, rig, name, bead
        self.session = rig.session_name(name)
        self.worktree = worktree_path(agent.town, rig, name)
        self.desk = MailDesk(agent)
        self.witness = f"{rig.name}/witness"

    def start(self) -> None:
        """gt prime: session_start, heartbeat, bead in progress, mail check, hello to witness."""
        agent = self.agent
        agent.event(
            "session_start",
            {
                "session_id": str(uuid.uuid4()),
                "role": agent.address,
                "actor_pid": os.getpid(),
                "topic": self.bead,
                "cwd": str(Path.cwd()),
            },
        )
        agent.heartbeat(self.session, "working", "primed", self.bead)
        set_status(agent, self.rig.database, self.bead, "in_progress", assignee=agent.address)
        set_agent_state(agent, self.rig, self.name, "working", self.bead)
        self.desk.check_now()
        self.desk.send(self.witness, f"polecat_started {self.bead}", msg_type="notification")

    def work(self) -> bool:
        """Work the bead: commits spread over the profile's duration; False if stopped."""
        profile = self.agent.profile
        duration = self.agent.pick(profile.polecat_work_s)
        commits = self.agent.rng.randint(*profile.commits)
        for step in range(commits):
            if not self._busy(duration / commits):
                return False
            self.commit(step + 1, commits)
        return True

    def _busy(self, seconds: float) -> bool:
        """Think for `seconds`, keeping the heartbeat fresh."""
        while seconds > 0:
            pause = min(seconds, HEARTBEAT_EVERY_S)
            if not self.agent.sleep(pause):
                return False
            seconds -= pause
            self.agent.heartbeat(self.session, "working", "working", self.bead)
        return True

    def commit(self, step: int, steps: int) -> None:
        folder = self.worktree / "work"
        folder.mkdir(exist_ok=True)
        with (folder / f"{self.bead}.md").open("a", encoding="utf-8") as notes:
            notes.write(
                f"- step {step} of {steps} by {self.agent.address} at {utc_now():%H:%M:%S}\n"
            )
        run_git(["add", "--", "work"], self.worktree)
        run_git(["commit", "-q", "-m", f"{self.bead}: step {step} of {steps}"], self.worktree)

    def done(self) -> None:
        """gt done: bead closed, merge request, `done` event, POLECAT_DONE to the witness."""
        agent = self.agent
        branch = run_git(["rev-parse", "--abbrev-ref", "HEAD"], self.worktree).strip()
        agent.writer.close_issue(
            self.rig.database, self.bead, utc_now(), "done", actor=agent.address
        )
        request = agent.writer.new_id(self.rig.prefix)
        agent.writer.add_issue(
            self.rig.database,
            request,
            f"Merge {branch}",
            created_at=utc_now(),
            labels=["gt:merge-request"],
            created_by=agent.address,
            assignee=f"{self.rig.name}/refinery",
            description=describe(
                {"branch": branch, "source_issue": self.bead, "worker": agent.address}
            ),
        )
        agent.event("done", {"bead": self.bead, "branch": branch})
        self.desk.send(self.witness, f"polecat_done {self.bead} {request}", msg_type="notification")

    def go_idle(self) -> None:
        """Heartbeat idle, a last mail check, `session_end`, and tell the dispatcher."""
        agent = self.agent
        agent.heartbeat(self.session, "idle", "done", self.bead)
        set_agent_state(agent, self.rig, self.name, "idle")
        agent.stop.wait(IDLE_GRACE_S)
        self.desk.check_now()
        agent.event("session_end", {"session_id": self.session, "role": agent.address})
        nudge(agent.root, SCHEDULER)


def main() -> int:
    parser = agent_arguments("A gt-tui sandbox polecat.")
    parser.add_argument("--rig", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--bead", required=True)
    args = parser.parse_args()
    setup_logging()
    address = f"{args.rig}/polecats/{args.name}"
    agent = Agent(args.town, address, args.seed, args.owner)
    agent.install_signals()
    polecat = Polecat(agent, agent.town.rig(args.rig), args.name, args.bead)
    pid_file = agent.write_pid(polecat.session)
    threads = [agent.start_thread("owner", agent.run_until_stopped)]
    try:
        polecat.desk.open()  # listening before the heartbeat tells anyone we are working
        polecat.start()
        threads.append(agent.start_thread("mail", polecat.desk.run))
        if polecat.work():
            polecat.done()
            polecat.go_idle()
        else:
            agent.heartbeat(polecat.session, "exiting", "stopped", polecat.bead)
    finally:
        agent.shutdown(threads, pid_file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
