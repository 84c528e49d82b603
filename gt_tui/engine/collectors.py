"""Turning gt's rows into samples: what counts as plausible, and what is skipped as bad."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from gt_tui import health as h
from gt_tui.engine.snapshot import Sample
from gt_tui.town.addresses import canonical_address
from gt_tui.town.beads import ack_time
from gt_tui.town.db import Row, utc

# Rows whose parsed ack times are kept: a 15-minute window of a chatty town (the demo's
# some 1,800 acks) with room to spare.
ACK_TIMES_KEPT = 8192


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
    times = _ack_times(created_at, label)
    if times is None:
        return None
    acked, lag = times
    return (acked, max(0.0, lag)) if plausible(acked, lag, now) else None


@lru_cache(maxsize=ACK_TIMES_KEPT)
def _ack_times(created_at: object, label: object) -> tuple[datetime, float] | None:
    """(ack time, raw lag) parsed from a message's row, None where either does not parse.

    Memoised: a refresh reads the window's acks again (a few thousand on a chatty town),
    and each row parses to the same moments every time; plausibility, which depends on
    the moment of the refresh, is judged afresh each time by the caller."""
    try:
        acked, created = ack_time(label), utc(created_at)
    except ValueError:
        return None
    if acked is None or created is None:
        return None
    return acked, (acked - created).total_seconds()


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
