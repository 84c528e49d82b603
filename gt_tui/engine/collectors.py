"""Turning rows and files into samples and facts: pure functions, one per source."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from gt_tui import health as h
from gt_tui.engine.snapshot import Sample
from gt_tui.files import read_regular_text
from gt_tui.safe_text import safe_text
from gt_tui.town.addresses import canonical_address
from gt_tui.town.beads import ACK_PREFIX
from gt_tui.town.db import Row, utc
from gt_tui.town.model import Town


@dataclass(frozen=True)
class SampleReading:
    """The samples read from a source, and how many of its records were skipped as bad."""

    samples: list[Sample]
    skipped: int = 0


def plausible(at: datetime, seconds: float, now: datetime) -> bool:
    """Whether a duration measured at `at` can be true: not negative beyond the timestamps'
    resolution, not dated in the future beyond the allowed clock skew."""
    return seconds >= -h.TIMESTAMP_RESOLUTION_S and at <= now + timedelta(seconds=h.CLOCK_SKEW_S)


def lenient_utc(value: object) -> datetime | None:
    """`utc(value)`, or None where it is no moment: one bad row must not fail its read."""
    try:
        return utc(value)
    except ValueError:
        return None


def in_window(samples: list[Sample], since: datetime, now: datetime) -> SampleReading:
    """Plausible samples at or after `since`; implausible ones counted, older ones dropped."""
    kept = [s for s in samples if plausible(s.at, s.value, now)]
    return SampleReading([s for s in kept if s.at >= since], len(samples) - len(kept))


def mail_samples(rows: Iterable[Row], since: datetime, now: datetime) -> SampleReading:
    """Mail lag: ack time minus `created_at`, for acks at or after `since`.

    A row whose times do not parse or are implausible is skipped and counted; the rest
    are read. `created_at` has 1-second resolution, so a lag just under 0 reads as 0.
    """
    samples, skipped = [], 0
    for message_id, created_at, label, assignee in rows:
        lag = _mail_lag(created_at, label, now)
        if lag is None:
            skipped += 1
        elif lag[0] >= since:
            recipient = canonical_address(str(assignee or ""))
            samples.append(Sample(lag[1], lag[0], str(message_id), recipient))
    return SampleReading(samples, skipped)


def _mail_lag(created_at: object, label: object, now: datetime) -> tuple[datetime, float] | None:
    """(ack time, lag in seconds) of one message, or None when its times are bad."""
    try:
        acked, created = utc(str(label)[len(ACK_PREFIX) :]), utc(created_at)
    except ValueError:
        return None
    if acked is None or created is None:
        return None
    lag = (acked - created).total_seconds()
    return (acked, max(0.0, lag)) if plausible(acked, lag, now) else None


@dataclass(frozen=True)
class PatrolReading:
    """Completed patrol cycles as samples, the start of each cycle still running, and how
    many rows were skipped as bad."""

    samples: list[Sample]
    running: dict[str, datetime]
    skipped: int = 0


def patrol_samples(rows: Iterable[Row], now: datetime) -> PatrolReading:
    """Cycle time `closed_at - created_at` per assignee (canonical: `deacon` is `deacon/`);
    hooked ones are cycles in progress.

    A row whose times do not parse or are implausible is skipped and counted.
    """
    samples: list[Sample] = []
    running: dict[str, datetime] = {}
    skipped = 0
    for _db, assignee, title, status, created_at, closed_at in rows:
        who = canonical_address(str(assignee or title))
        try:
            created, closed = utc(created_at), utc(closed_at)
        except ValueError:
            created = closed = None
        cycle = (closed - created).total_seconds() if created and closed else 0.0
        if created is None or not plausible(closed or created, cycle, now):
            skipped += 1
        elif closed is not None:
            samples.append(Sample(max(0.0, cycle), closed, subject=str(title), group=who))
        elif status == "hooked":
            running[who] = max(created, running.get(who, created))
    return PatrolReading(samples, running, skipped)


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
                (rig.name, safe_text(p.name))  # a directory name is town text too
                for p in sorted(base.iterdir())
                if p.is_dir() and not p.name.startswith(".")
            ]
    return found


def heartbeat_time(path: Path) -> datetime | None:
    """The `timestamp` of a heartbeat file, or its mtime when the content has none.

    NotRegularFile (a one-line error) where the heartbeat is a FIFO, a directory or a device.
    """
    try:
        data = json.loads(read_regular_text(path))
        stamp = utc(data.get("timestamp")) if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):
        stamp = None
    if stamp is None and path.exists():
        stamp = utc(datetime.fromtimestamp(path.stat().st_mtime).astimezone())
    return stamp
