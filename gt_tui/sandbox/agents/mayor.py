"""The sandbox's mayor: plans work in convoys, queues ready work, dispatches polecats.

Threads: the planner (a convoy of new work beads across the rigs every so often, some
chained by `blocks` dependencies; convoys whose tracked work is all closed are closed),
the enqueuer (ready work into the sling queue, up to `sling.queue_size`), the dispatcher
(`scheduler.Scheduler`), check-in mail to working polecats, and the mail desk that acks
the mayor's own mail. Run: `python -m gt_tui.sandbox.agents.mayor --town ROOT [--no-tmux]`.
"""

from __future__ import annotations

import logging
import time

from gt_tui.sandbox.agents import queue
from gt_tui.sandbox.agents.mail import MailDesk
from gt_tui.sandbox.agents.nudge import nudge
from gt_tui.sandbox.agents.ops import ready_work
from gt_tui.sandbox.agents.runtime import Agent, agent_arguments, setup_logging, utc_now
from gt_tui.sandbox.agents.scheduler import SCHEDULER, Scheduler
from gt_tui.town import beads
from gt_tui.town.convoys import convoy_view
from gt_tui.town.heartbeats import heartbeat_working
from gt_tui.town.layout import heartbeat_file

ADDRESS = "mayor/"
TICK_S = 1.0
BLOCK_CHANCE = 0.3  # how often a new bead waits on the one before it in the same rig
VERBS = ("Fix", "Add", "Refactor", "Document", "Speed up", "Test", "Remove", "Rename")
NOUNS = ("sling path", "mail router", "convoy view", "patrol loop", "worktree pool", "dolt pool")
log = logging.getLogger("gt_tui.sandbox")


class Mayor:
    """The mayor's work: what it plans, queues and dispatches."""

    def __init__(self, agent: Agent, use_tmux: bool) -> None:
        self.agent = agent
        self.desk = MailDesk(agent)
        self.scheduler = Scheduler(agent, use_tmux)
        self._next_plan = 0.0
        self._last_bead: dict[str, str] = {}
        self._next_check_in = time.monotonic() + agent.pick(agent.profile.check_in_every_s)

    def run_work(self) -> None:
        """The planner, enqueuer and check-ins, one tick a second."""
        while not self.agent.stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # a busy database must not stop the mayor
                log.warning("mayor: %s", exc)
            self.agent.sleep(TICK_S)

    def tick(self) -> None:
        now = time.monotonic()
        if now >= self._next_plan:
            self.close_finished_convoys()
            self.plan()
            self._next_plan = now + self.agent.pick(self.agent.profile.plan_every_s)
        if self.enqueue_ready():
            nudge(self.agent.root, SCHEDULER)
        if now >= self._next_check_in:
            self.check_in()
            self._next_check_in = now + self.agent.pick(self.agent.profile.check_in_every_s)

    # ---- planning ---------------------------------------------------------------------------

    def open_convoys(self) -> list[tuple[str, int, int]]:
        """(id, tracked, closed) of every open convoy, through the console's own queries."""
        agent = self.agent
        convoys = beads.open_convoys(agent.db, agent.schema, agent.hq)
        tracked = beads.tracked_issues(agent.db, agent.schema, agent.town)
        views = convoy_view(convoys, tracked)
        return [(c.id, c.tracked, c.closed) for c in views if not c.staged]

    def close_finished_convoys(self) -> None:
        for convoy, tracked, closed in self.open_convoys():
            if tracked and tracked == closed:
                self.agent.writer.close_issue(
                    self.agent.hq, convoy, utc_now(), "all tracked work closed", actor=ADDRESS
                )

    def plan(self) -> None:
        """A new convoy of work beads, unless enough convoys are open already."""
        profile = self.agent.profile
        if len(self.open_convoys()) >= profile.max_open_convoys:
            return
        count = self.agent.rng.randint(*profile.beads_per_convoy)
        work = [self.new_bead() for _ in range(count)]
        convoy = self.agent.writer.new_id("hq-cv", length=5)
        self.agent.writer.create_convoy(
            convoy,
            f"Work: {work[0][1]}",
            [bead for bead, _ in work],
            created_at=utc_now(),
            created_by=ADDRESS,
        )

    def new_bead(self) -> tuple[str, str]:
        """A work bead in a rig chosen at random; sometimes blocked by that rig's last one."""
        agent = self.agent
        rig = agent.rng.choice(agent.town.rigs)
        bead = agent.writer.new_id(rig.prefix)
        title = f"{agent.rng.choice(VERBS)} the {agent.rng.choice(NOUNS)}"
        agent.writer.add_issue(
            rig.database,
            bead,
            title,
            created_at=utc_now(),
            created_by=ADDRESS,
            priority=agent.rng.randint(1, 3),
            description=f"Planned by the mayor for {rig.name}.",
        )
        previous = self._last_bead.get(rig.name)
        if previous and agent.rng.random() < BLOCK_CHANCE:
            agent.writer.add_dependency(rig.database, bead, previous, "blocks", created_by=ADDRESS)
        self._last_bead[rig.name] = bead
        return bead, title

    # ---- the queue ------------------------------------------------------------------------

    def enqueue_ready(self) -> int:
        """Ready work into the sling queue while it has room; how many were queued."""
        agent = self.agent
        room = agent.setting("sling.queue_size") - len(queue.waiting(agent))
        if room <= 0:
            return 0
        scheduled = queue.scheduled_work(agent)
        queued = 0
        for rig in agent.town.rigs:
            for bead in ready_work(agent, rig, room + len(scheduled)):
                if queued >= room:
                    return queued
                if bead not in scheduled:
                    queue.enqueue(agent, rig, bead)
                    queued += 1
        return queued

    # ---- check-ins ---------------------------------------------------------------------------

    def check_in(self) -> None:
        """Mail one working polecat (whose own heartbeat says so) asking how its bead goes."""
        working = [(p, bead) for p, bead in self.scheduler.working() if self._is_working(p.session)]
        if not working:
            return
        polecat, bead = self.agent.rng.choice(working)
        self.desk.send(polecat.actor, f"Check-in: how is {bead} going?", msg_type="notification")

    def _is_working(self, session: str) -> bool:
        return heartbeat_working(heartbeat_file(self.agent.root, session), time.time())


def main() -> int:
    parser = agent_arguments("The gt-tui sandbox's mayor.")
    parser.add_argument("--no-tmux", action="store_true", help="run polecats as plain processes")
    args = parser.parse_args()
    setup_logging()
    agent = Agent(args.town, ADDRESS, args.seed, args.owner)
    agent.install_signals()
    pid_file = agent.write_pid("mayor")
    mayor = Mayor(agent, use_tmux=not args.no_tmux)
    threads = [
        agent.start_thread("mail", mayor.desk.run),
        agent.start_thread("dispatcher", mayor.scheduler.run),
        agent.start_thread("work", mayor.run_work),
    ]
    try:
        agent.run_until_stopped()
    finally:
        agent.shutdown(threads, pid_file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
