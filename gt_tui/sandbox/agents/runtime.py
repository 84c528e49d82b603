"""What every sandbox agent process shares: the town, its database, the writer, the load, stop.

An agent reads the town exactly as the console does (`load_town`, `open_database`), writes
beads through `BeadsWriter` and events through `append_event_line`, and stops cleanly on
SIGTERM, SIGINT or SIGHUP (tmux sends SIGHUP when its server is killed), or when the
process that owns the sandbox is gone, so no agent outlives its sandbox.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gt_tui.sandbox.agents.files import with_db_password, write_json_atomically
from gt_tui.sandbox.agents.nudge import nudge
from gt_tui.sandbox.event_log import append_event_line
from gt_tui.sandbox.load import LoadProfile, LoadWatch
from gt_tui.sandbox.writer import BeadsWriter
from gt_tui.settings import Settings, load_settings
from gt_tui.town.connect import open_database
from gt_tui.town.layout import heartbeat_file, load_town
from gt_tui.town.schema import detect_schema

OWNER_CHECK_S = 1.0
SETTINGS_EVERY_S = 2.0
JOIN_TIMEOUT_S = 3.0
log = logging.getLogger("gt_tui.sandbox")


def utc_now() -> datetime:
    return datetime.now(UTC)


def agent_arguments(description: str) -> argparse.ArgumentParser:
    """The options every agent takes; each agent adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--town", type=Path, required=True, help="the sandbox town's root")
    parser.add_argument("--seed", default="0", help="seed for what the agent chooses to do")
    parser.add_argument("--owner", type=int, default=0, help="pid that owns the sandbox")
    return parser


def setup_logging() -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(process)d %(threadName)s %(levelname)s %(message)s",
    )


class Agent:
    """One agent process: its address (`mayor/`, `gastown/witness`, ...) and its town."""

    def __init__(self, root: Path, address: str, seed: str, owner: int = 0) -> None:
        self.root = root.resolve()
        self.address = address
        self.owner = owner
        self.stop = threading.Event()
        self.town = with_db_password(load_town(self.root))
        self._settings = load_settings(self.root)
        self._settings_read = time.monotonic()
        self.db = open_database(self.town, self._settings)
        self.schema = detect_schema(self.db, self.town.databases)
        self.hq = self.town.hq_database
        variant = self.schema.layout(self.hq)
        # Ids come from the system's entropy: several agents must never mint the same id.
        self.writer = BeadsWriter(self.db, hq=self.hq, variant=variant, rng=random.Random())
        self.rng = random.Random(f"{seed}:{address}")
        self.load = LoadWatch(self.root)
        self.listening: set[str] = set()  # nudge addresses this process waits on

    # ---- lifecycle -------------------------------------------------------------------

    def install_signals(self) -> None:
        """SIGTERM, SIGINT and SIGHUP ask the agent to stop; it finishes the current step."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: self.stop.set())

    def start_thread(self, name: str, target: Callable[[], None]) -> threading.Thread:
        thread = threading.Thread(target=self._guarded(target), name=name, daemon=True)
        thread.start()
        return thread

    def _guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception:
                log.exception("%s: thread %s died", self.address, threading.current_thread().name)
                self.stop.set()

        return run

    def owner_alive(self) -> bool:
        """False once the sandbox's owner process is gone (or the town was removed)."""
        if not self.root.is_dir():
            return False
        if self.owner <= 0:
            return True
        try:
            os.kill(self.owner, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def run_until_stopped(self) -> None:
        """The main thread's loop: watch the owner until something asks us to stop."""
        while not self.stop.wait(OWNER_CHECK_S):
            if not self.owner_alive():
                log.info("%s: the sandbox's owner is gone; stopping", self.address)
                self.stop.set()

    def sleep(self, seconds: float) -> bool:
        """Wait `seconds`; False when the agent is stopping (so loops can `if not sleep()`)."""
        return not self.stop.wait(max(0.0, seconds))

    def shutdown(self, threads: list[threading.Thread], pid_file: Path | None = None) -> None:
        """Stop, let each thread finish its step (briefly), remove the pid file, disconnect."""
        self.stop.set()
        for address in self.listening:
            nudge(self.root, address)  # wake threads waiting on a nudge
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
        self.close()

    def close(self) -> None:
        self.db.close()

    # ---- what the agent reads ----------------------------------------------------------

    @property
    def profile(self) -> LoadProfile:
        return self.load.current()

    @property
    def settings(self) -> Settings:
        """The town's settings, re-read every few seconds so live tuning reaches the agents."""
        now = time.monotonic()
        if now - self._settings_read >= SETTINGS_EVERY_S:
            try:
                self._settings = load_settings(self.root)
            except Exception as exc:  # a bad edit keeps the last good settings
                log.warning("%s: settings unreadable, keeping the last good ones: %s", self, exc)
            self._settings_read = now
        return self._settings

    def setting(self, key: str) -> int:
        """An integer setting (a count or a size), from the settings as last re-read."""
        return self.settings.integer(key)

    def pick(self, bounds: tuple[float, float]) -> float:
        """A duration from a profile range (randomness chooses what agents do, not results)."""
        low, high = bounds
        return self.rng.uniform(low, high) if high > low else low

    # ---- what the agent writes ---------------------------------------------------------

    def event(self, type: str, payload: dict[str, Any], actor: str | None = None) -> None:
        append_event_line(self.root, type, actor or self.address, payload, utc_now())

    def heartbeat(self, session: str, state: str, context: str, bead: str = "") -> None:
        """gt's `.runtime/heartbeats/<session>.json`: timestamp, state, context, bead."""
        stamp = utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = {"timestamp": stamp, "state": state, "context": context, "bead": bead}
        write_json_atomically(heartbeat_file(self.root, session), body)

    def write_pid(self, name: str) -> Path:
        path = self.root / ".runtime" / "pids" / f"{name}.pid"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{os.getpid()}\n", encoding="utf-8")
        return path

    def __str__(self) -> str:
        return self.address
