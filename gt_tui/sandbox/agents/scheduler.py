"""The mayor's dispatcher: queued slings become polecats, within the town's limits.

Each tick takes up to `sling.parallelism` open sling contexts, oldest first, while a
`sling.max_concurrent` slot is free, and spawns each in its own thread, as `gt sling`:

1. claim the context; take a rate-limit token (`rate.requests_per_second`);
2. allocate a polecat (idle one from the pool, or a new name; waits while the rig is at
   `polecat.max_per_rig`), create or switch its worktree;
3. agent bead `spawning`, `spawn` event, hook the bead to the polecat, `sling` event;
4. wait for a polecat slot (`polecat.max_concurrent` running polecats) and room on the tmux
   server (`tmux.max_sessions`), then start the session, and close the context.

The wait in step 4 lies between the `sling` event and the agent's `session_start`, so
when there is more work than slots the console's spawn time shows the real wait. The
reaper frees a slot when a polecat's session ends (and puts back an unfinished bead).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.ops.tmux_hygiene import check_session_budget
from gt_tui.errors import GtTuiError, SourceUnavailable
from gt_tui.sandbox.agents import queue
from gt_tui.sandbox.agents.nudge import NudgeBox
from gt_tui.sandbox.agents.ops import set_agent_state, set_status
from gt_tui.sandbox.agents.runtime import Agent
from gt_tui.sandbox.agents.spawn import Polecat, allocate, prepare_worktree, start_session
from gt_tui.town.db import quote_name
from gt_tui.town.sling import QueueItem
from gt_tui.town.tmux import list_sessions

SCHEDULER = "mayor/scheduler"  # the dispatcher's nudge address
TICK_S = 1.0
WAIT_STEP_S = 0.25
TOKEN_TIMEOUT_S = 30.0
log = logging.getLogger("gt_tui.sandbox")


class Stopping(Exception):
    """The agent is stopping while a spawn waits."""


class Scheduler:
    """Dispatches queued slings under the limits and notices when polecats finish."""

    def __init__(self, agent: Agent, use_tmux: bool) -> None:
        self.agent = agent
        self.use_tmux = use_tmux
        self.limits = Limits(agent.settings)
        self.running: dict[str, tuple[Polecat, str]] = {}  # session -> (polecat, bead)
        self._lock = threading.Lock()
        self._spawns = 0

    # ---- the dispatcher thread -----------------------------------------------------------

    def run(self) -> None:
        box = NudgeBox(self.agent.root, SCHEDULER)
        self.agent.listening.add(SCHEDULER)
        try:
            while not self.agent.stop.is_set():
                box.wait(TICK_S)
                self.tick()
        finally:
            box.close()

    def tick(self) -> None:
        try:
            self.limits.reconfigure(self.agent.settings)
            self.reap()
            self.dispatch()
        except (GtTuiError, OSError) as exc:
            log.warning("dispatcher: %s", exc)

    def dispatch(self) -> None:
        batch = self.agent.setting("sling.parallelism")
        gate = self.limits.gate("sling")
        for item in queue.waiting(self.agent)[:batch]:
            if self.agent.stop.is_set() or not gate.try_acquire():
                return
            if not queue.claim(self.agent, item.id):
                gate.release()
                continue
            self._spawns += 1
            self.agent.start_thread(f"spawn-{self._spawns}", functools.partial(self.spawn, item))

    # ---- one spawn -------------------------------------------------------------------------

    def spawn(self, item: QueueItem) -> None:
        try:
            self._spawn(item)
        except Stopping:
            pass
        except Exception as exc:
            log.warning("sling %s failed: %s", item.work_bead, exc)
            self._give_back(item, str(exc))
        finally:
            self.limits.gate("sling").release()

    def _spawn(self, item: QueueItem) -> None:
        agent, bead = self.agent, str(item.work_bead)
        rig = agent.town.rig(str(item.rig))
        if not self.limits.bucket.acquire(TOKEN_TIMEOUT_S):
            raise GtTuiError("rate.requests_per_second: no token for the spawn")
        polecat = self._wait_for(lambda: allocate(agent, rig, agent.setting("polecat.max_per_rig")))
        try:
            self._sling(polecat, bead)
            self._wait_for_slot()
        except BaseException:
            agent.heartbeat(polecat.session, "idle", "spawn abandoned")  # free it for reuse
            raise
        try:
            start_session(agent, polecat, bead, f"{agent.rng.random():.12f}", self.use_tmux)
        except BaseException:
            self.limits.gate("polecat").release()
            agent.heartbeat(polecat.session, "idle", "session did not start")
            raise
        with self._lock:
            self.running[polecat.session] = (polecat, bead)
        queue.finish(agent, item.id, f"dispatched to {polecat.actor}")
        agent.event("scheduler_dispatch", {"bead": bead, "rig": rig.name, "polecat": polecat.name})

    def _sling(self, polecat: Polecat, bead: str) -> None:
        """Worktree, agent bead, `spawn` event, the bead hooked, `sling` event."""
        agent, rig = self.agent, polecat.rig
        prepare_worktree(agent, polecat, bead)
        set_agent_state(agent, rig, polecat.name, "spawning", bead)
        agent.event("spawn", {"rig": rig.name, "polecat": polecat.name}, actor="gt")
        set_status(agent, rig.database, bead, "hooked", assignee=polecat.actor)
        agent.event("sling", {"bead": bead, "target": polecat.actor})

    def _wait_for(self, attempt: Callable[[], Polecat | None]) -> Polecat:
        """Retry `attempt` until it gives a polecat; the wait is part of the spawn."""
        while True:
            found = attempt()
            if found is not None:
                return found
            if not self.agent.sleep(WAIT_STEP_S):
                raise Stopping

    def _wait_for_slot(self) -> None:
        """A polecat slot (`polecat.max_concurrent`), then room under `tmux.max_sessions`."""
        gate = self.limits.gate("polecat")
        while not gate.acquire(WAIT_STEP_S):
            if self.agent.stop.is_set():
                raise Stopping
        try:
            while self.use_tmux and self._tmux_full():
                if not self.agent.sleep(WAIT_STEP_S):
                    raise Stopping
        except BaseException:
            gate.release()
            raise

    def _tmux_full(self) -> bool:
        budget = check_session_budget(self.agent.town, self.agent.settings)
        return budget.would_exceed

    def _give_back(self, item: QueueItem, reason: str) -> None:
        """A failed sling: close its context and put the bead back to be scheduled again."""
        try:
            queue.finish(self.agent, item.id, f"dispatch failed: {reason}"[:500])
            rig = self.agent.town.rig(str(item.rig))
            self._reopen(rig.database, str(item.work_bead))
        except Exception as exc:
            log.warning("could not give back %s: %s", item.work_bead, exc)

    # ---- the reaper --------------------------------------------------------------------

    def reap(self) -> None:
        """Free the slot of every polecat whose session has ended."""
        with self._lock:
            tracked = dict(self.running)
        if not tracked:
            return
        alive = self._alive(tracked)
        for session, (polecat, bead) in tracked.items():
            if session in alive:
                continue
            with self._lock:
                self.running.pop(session, None)
            self.limits.gate("polecat").release()
            self._after_exit(polecat, bead)

    def _alive(self, tracked: dict[str, tuple[Polecat, str]]) -> set[str]:
        if not self.use_tmux:
            return {s for s, (p, _) in tracked.items() if p.process and p.process.poll() is None}
        try:
            return {s.name for s in list_sessions(self.agent.town.tmux_socket) if not s.pane_dead}
        except SourceUnavailable:
            return set(tracked)  # tmux did not answer: assume nothing ended

    def _after_exit(self, polecat: Polecat, bead: str) -> None:
        """gt's witness recovery, done here: an unfinished bead goes back to the queue."""
        try:
            self._reopen(polecat.rig.database, bead)
            set_agent_state(self.agent, polecat.rig, polecat.name, "idle")
        except Exception as exc:
            log.warning("after %s ended: %s", polecat.session, exc)

    def _reopen(self, database: str, bead: str) -> None:
        rows = self.agent.db.query(
            f"SELECT status FROM {quote_name(database)}.`issues` WHERE id = %s", [bead]
        )
        if rows and rows[0][0] in ("hooked", "in_progress"):
            set_status(self.agent, database, bead, "open", assignee="")

    def working(self) -> list[tuple[Polecat, str]]:
        with self._lock:
            return list(self.running.values())
