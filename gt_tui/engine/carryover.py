"""Facts of a failing source: its last good values, marked stale, never zeros.

A refresh starts from empty `TownFacts`, so a reader that failed (or was held back by its
backoff, or skipped because the probe failed) would leave its counts at 0: "0 convoys open",
"backlog 0", "MR queue 0/20" while the server is down. Instead the last values read are put
back and the source is reported stale; a source never read at all stays unknown.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from gt_tui.engine.facts import TownFacts

# The facts each database source writes. Connection figures are left out on purpose: while
# the server is down there are no connections to count, and they read as unknown (None).
SOURCE_FACTS: dict[str, tuple[str, ...]] = {
    "mail": ("mail_backlog",),
    "convoys": ("convoys",),
    "queue": ("queue_depth", "queue_oldest_wait_s", "dispatch_failures"),
    "merge_requests": ("merge_requests",),
    "agents": ("agents",),
}


class LastGoodFacts:
    """Remembers each source's facts from its last good read, to stand in while it fails."""

    def __init__(self) -> None:
        self._good: dict[str, dict[str, Any]] = {}

    def apply(self, facts: TownFacts, failing: Collection[str]) -> tuple[frozenset[str], ...]:
        """Put back the failing sources' last good facts into `facts`.

        Returns (stale, unknown): the failing sources that were read before (their facts are
        the old ones) and those never read (their facts mean nothing).
        """
        stale, unknown = set(), set()
        for source, names in SOURCE_FACTS.items():
            if source not in failing:
                self._good[source] = {name: getattr(facts, name) for name in names}
            elif source in self._good:
                for name, value in self._good[source].items():
                    setattr(facts, name, value)
                stale.add(source)
            else:
                unknown.add(source)
        return frozenset(stale), frozenset(unknown)


# The Snapshot's town counts that each source feeds.
TOWN_COUNTS = {"convoys": ("convoys_open", "convoys_staged"), "mail": ("mail_backlog",)}


def town_counts_unread(sources: Collection[str]) -> tuple[str, ...]:
    """The `TownInfo` counts not read this refresh, given the sources that were not."""
    return tuple(name for source in sorted(sources) for name in TOWN_COUNTS.get(source, ()))
