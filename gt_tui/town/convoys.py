"""gt's convoys as the two convoy queries return them (town/beads.py), shaped into progress.

A convoy is an open (or `staged_*`, not yet launched) `convoy` bead in hq; the issues it
tracks are linked by dependency rows and may live in any rig's database. This module turns
those rows into one `ConvoyProgress` each; it reads nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gt_tui.town.db import Row


@dataclass(frozen=True)
class ConvoyProgress:
    """One open (or staged, not yet launched) convoy and how far its tracked work has come."""

    id: str
    title: str
    tracked: int
    closed: int
    workers: tuple[str, ...]
    status: str = "open"

    @property
    def staged(self) -> bool:
        """A `staged_*` convoy (gt stages before launch): shown apart, never counted open."""
        return self.status != "open"


def convoy_view(convoys: Iterable[Row], tracked: Iterable[Row]) -> list[ConvoyProgress]:
    """The full convoy view from the two convoy queries."""
    titles: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for convoy_id, title, status, _created, _target in convoys:
        titles.setdefault(str(convoy_id), str(title))
        statuses.setdefault(str(convoy_id), str(status))
    done: dict[str, list[int]] = {key: [0, 0] for key in titles}
    workers: dict[str, set[str]] = {key: set() for key in titles}
    for convoy_id, _issue, status, assignee, _db in tracked:
        counts = done.setdefault(str(convoy_id), [0, 0])
        counts[0] += 1
        counts[1] += status == "closed"
        if assignee and status != "closed":
            workers.setdefault(str(convoy_id), set()).add(str(assignee))
    return [
        ConvoyProgress(
            key,
            titles.get(key, key),
            n,
            closed,
            tuple(sorted(workers.get(key, ()))),
            statuses.get(key, "open"),
        )
        for key, (n, closed) in done.items()
    ]
