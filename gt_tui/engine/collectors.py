"""Turning rows and files into samples and facts: pure functions, one per source."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gt_tui.engine.snapshot import Sample
from gt_tui.town.addresses import canonical_address
from gt_tui.town.beads import ACK_PREFIX
from gt_tui.town.db import Row, utc
from gt_tui.town.model import Town


def mail_samples(rows: Iterable[Row], since: datetime) -> list[Sample]:
    """Mail lag: ack time minus `created_at`, for acks at or after `since`.

    Unparseable ack times are skipped. `created_at` has 1-second resolution.
    """
    samples = []
    for message_id, created_at, label, assignee in rows:
        try:
            acked = utc(str(label)[len(ACK_PREFIX) :])
            created = utc(created_at)
        except ValueError:
            continue
        if acked is None or created is None or acked < since:
            continue
        lag = max(0.0, (acked - created).total_seconds())
        recipient = canonical_address(str(assignee or ""))
        samples.append(Sample(lag, acked, subject=str(message_id), group=recipient))
    return samples


@dataclass(frozen=True)
class PatrolReading:
    """Completed patrol cycles as samples, and the start of each cycle still running."""

    samples: list[Sample]
    running: dict[str, datetime]


def patrol_samples(rows: Iterable[Row]) -> PatrolReading:
    """Cycle time `closed_at - created_at` per assignee (canonical: `deacon` is `deacon/`);
    hooked ones are cycles in progress."""
    samples: list[Sample] = []
    running: dict[str, datetime] = {}
    for _db, assignee, title, status, created_at, closed_at in rows:
        who = canonical_address(str(assignee or title))
        created, closed = utc(created_at), utc(closed_at)
        if created is None:
            continue
        if closed is None:
            if status == "hooked":
                running[who] = max(created, running.get(who, created))
            continue
        cycle = max(0.0, (closed - created).total_seconds())
        samples.append(Sample(cycle, closed, subject=str(title), group=who))
    return PatrolReading(samples, running)


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


def polecat_names(town: Town) -> list[tuple[str, str]]:
    """(rig, Name) for each polecat directory `<rig>/polecats/<Name>/`."""
    found = []
    for rig in town.rigs:
        base = town.polecats_dir(rig)
        if base.is_dir():
            found += [
                (rig.name, p.name)
                for p in sorted(base.iterdir())
                if p.is_dir() and not p.name.startswith(".")
            ]
    return found


def heartbeat_time(path: Path) -> datetime | None:
    """The `timestamp` of a heartbeat file, or its mtime when the content has none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stamp = utc(data.get("timestamp")) if isinstance(data, dict) else None
    except (OSError, ValueError):
        stamp = None
    if stamp is None and path.exists():
        stamp = utc(datetime.fromtimestamp(path.stat().st_mtime).astimezone())
    return stamp
