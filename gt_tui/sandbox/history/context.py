"""What every history generator shares: the id mint, the context, titles and drawn times."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gt_tui.sandbox.layout import HQ, RigPlan
from gt_tui.sandbox.rows import base36
from gt_tui.sandbox.sink import BulkSink

VERBS = ("Fix", "Add", "Refactor", "Document", "Speed up", "Test", "Remove", "Rename")
NOUNS = ("sling path", "mail router", "convoy view", "patrol loop", "worktree pool", "dolt pool")


class IdMint:
    """bd-style ids, unique without remembering them: a fixed permutation of 36**6 values."""

    SPACE = 36**6
    STEP = 1_000_003  # prime, so coprime with 36**6: i*STEP mod SPACE visits every value once

    def __init__(self, rng: random.Random) -> None:
        self.offset = rng.randrange(self.SPACE)
        self.count = 0

    def next(self, prefix: str, *, wisp: bool = False) -> str:
        value = (self.offset + self.count * self.STEP) % self.SPACE
        self.count += 1
        tail = base36(value).rjust(6, "0")
        return f"{prefix}-wisp-{tail}" if wisp else f"{prefix}-{tail}"


@dataclass
class Context:
    """What every generator needs: where to write and the town's shape."""

    sink: BulkSink
    rng: random.Random
    mint: IdMint
    rigs: Sequence[RigPlan]
    databases: Mapping[str, str]
    now: datetime
    convoys: int

    @property
    def hq(self) -> str:
        return self.databases[HQ]

    def seconds(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(low, high)))

    def polecat_address(self, rig: RigPlan) -> str | None:
        if not rig.polecats:
            return None
        return f"{rig.name}/polecats/{self.rng.choice(rig.polecats)}"


def draw(rng: random.Random, table: tuple[tuple[float, int, int], ...]) -> int:
    """A whole number of seconds from a (weight, low, high) table."""
    weights = [weight for weight, _, _ in table]
    _, low, high = rng.choices(table, weights)[0]
    return rng.randint(low, high)
