"""The demo's load profiles as data, the demo town's own limits, and the live load state file.

A profile says what the sandbox's agents *do* (how often the mayor plans work, how long a
polecat works, how long a busy agent takes before it reads its mail, how long a patrol
cycle's steps take). It never says what the console will show: the console measures the
consequences (spawns waiting for a polecat slot, mail acked late, long patrol cycles).

- light: little work, prompt agents, short patrols: all five metrics stay healthy.
- normal: a busier town that still keeps up.
- heavy: more work than the town's polecat slots (spawns wait for a slot), busy agents
  that read their mail 6-9 s late, and patrol cycles of 35-70 s.

The current level lives in `<town>/.runtime/gt-tui-demo.json` so that every agent process
follows a change made while the sandbox runs (`DemoTown.set_load`, `gt-tui sandbox load`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gt_tui.errors import GtTuiError
from gt_tui.files import write_atomically

STATE_FILE = Path(".runtime") / "gt-tui-demo.json"
Range = tuple[float, float]


@dataclass(frozen=True)
class LoadProfile:
    """What the agents do at one load level; every range is (low, high), drawn uniformly."""

    name: str
    plan_every_s: Range  # mayor: pause between two new convoys of work
    beads_per_convoy: tuple[int, int]  # work beads in each new convoy
    max_open_convoys: int  # mayor plans no more while this many convoys are open
    polecat_work_s: Range  # how long a polecat works its bead
    commits: tuple[int, int]  # commits a polecat makes while working
    ack_delay_s: Range  # how long an agent is busy before it reads its mail
    patrol_cycle_s: Range  # the thinking a patrol cycle's steps take, in total
    patrol_pause_s: Range  # await-signal between two patrol cycles
    check_in_every_s: Range  # mayor: pause between two check-in mails to working polecats


PROFILES: dict[str, LoadProfile] = {
    "light": LoadProfile(
        name="light",
        plan_every_s=(6.0, 10.0),
        beads_per_convoy=(1, 2),
        max_open_convoys=3,
        polecat_work_s=(3.0, 6.0),
        commits=(1, 2),
        ack_delay_s=(0.0, 0.0),
        patrol_cycle_s=(1.0, 4.0),
        patrol_pause_s=(3.0, 6.0),
        check_in_every_s=(4.0, 8.0),
    ),
    "normal": LoadProfile(
        name="normal",
        plan_every_s=(3.0, 6.0),
        beads_per_convoy=(1, 3),
        max_open_convoys=5,
        polecat_work_s=(4.0, 10.0),
        commits=(1, 3),
        ack_delay_s=(0.0, 0.0),
        patrol_cycle_s=(3.0, 12.0),
        patrol_pause_s=(2.0, 5.0),
        check_in_every_s=(3.0, 6.0),
    ),
    "heavy": LoadProfile(
        name="heavy",
        plan_every_s=(1.0, 2.0),
        beads_per_convoy=(3, 5),
        max_open_convoys=12,
        polecat_work_s=(10.0, 20.0),
        commits=(2, 4),
        ack_delay_s=(6.0, 9.0),
        patrol_cycle_s=(35.0, 70.0),
        patrol_pause_s=(1.0, 2.0),
        check_in_every_s=(1.0, 3.0),
    ),
}
LEVELS = tuple(PROFILES)

# The demo town's own limits, written to its `settings/gt-tui.toml` (a small town: few
# polecat slots, so that heavy load has more work than slots).
DEMO_SETTINGS: dict[str, dict[str, Any]] = {
    "polecat": {"max_concurrent": 4, "max_per_rig": 8},
    "sling": {"max_concurrent": 2, "parallelism": 2, "queue_size": 20},
    "tmux": {"max_sessions": 10},
}


def profile(level: str) -> LoadProfile:
    """The profile of a level; one clear line for an unknown one."""
    try:
        return PROFILES[level]
    except KeyError:
        raise GtTuiError(f"unknown load {level!r}; use one of {', '.join(LEVELS)}") from None


def state_path(root: Path) -> Path:
    return Path(root) / STATE_FILE


def read_state(root: Path) -> dict[str, Any]:
    """The demo state file's content ({} when absent or unreadable mid-write)."""
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(root: Path, **fields: Any) -> None:
    """Merge `fields` into the state file, atomically (agents never read half a file)."""
    write_atomically(state_path(root), json.dumps({**read_state(root), **fields}, indent=2) + "\n")


def set_level(root: Path, level: str) -> None:
    """Change the load of a running sandbox (validated first)."""
    profile(level)
    state = read_state(root)
    if not state or state.get("stopping"):
        raise GtTuiError(f"{root} is not a running gt-tui sandbox (see its {STATE_FILE})")
    write_state(root, load=level)


class LoadWatch:
    """The current profile, re-read only when the state file changes (one stat per call)."""

    def __init__(self, root: Path, default: str = "normal") -> None:
        self.path = state_path(root)
        self._stamp: tuple[int, int] | None = None
        self._profile = profile(default)

    def current(self) -> LoadProfile:
        try:
            stat = self.path.stat()
        except OSError:
            return self._profile
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp != self._stamp:
            self._stamp = stamp
            level = read_state(self.path.parent.parent).get("load")
            if level in PROFILES:
                self._profile = PROFILES[level]
        return self._profile
