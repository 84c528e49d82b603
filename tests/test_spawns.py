"""Pairing polecat `session_start` events with the `spawn` (or `sling`) before them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gt_tui.engine.spawns import SpawnPairer
from gt_tui.town.events import Event

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
TOAST = "gastown/polecats/Toast"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def spawn(s: float, rig: str = "gastown", polecat: str = "Toast") -> Event:
    return Event(at(s), "spawn", "gt", {"rig": rig, "polecat": polecat})


def sling(s: float, target: str = TOAST) -> Event:
    return Event(at(s), "sling", "mayor", {"bead": "gt-1", "target": target})


def start(s: float, actor: str = TOAST) -> Event:
    return Event(at(s), "session_start", actor, {"role": actor})


def values(events: list[Event]) -> list[float]:
    return [sample.value for sample in SpawnPairer().feed(events)]


def test_spawn_to_session_start() -> None:
    [sample] = SpawnPairer().feed([spawn(0), start(4)])
    assert (sample.value, sample.at, sample.subject, sample.group) == (4.0, at(4), TOAST, "gastown")


def test_sling_is_the_fallback() -> None:
    assert values([sling(10), start(16)]) == [6.0]


def test_spawn_is_preferred_over_sling_and_both_are_consumed() -> None:
    # spawn at 0, sling at 2, start at 5: measured from the spawn; a restart later is not paired
    assert values([spawn(0), sling(2), start(5), start(60)]) == [5.0]


def test_latest_earlier_unpaired_spawn() -> None:
    assert values([spawn(0), spawn(10), start(13)]) == [3.0]


def test_pairs_are_consumed_once() -> None:
    assert values([spawn(0), start(2), start(9), spawn(20), start(27)]) == [2.0, 7.0]


def test_each_polecat_pairs_with_its_own_spawn() -> None:
    events = [
        spawn(0, "gastown", "Toast"),
        spawn(1, "gastown", "Nux"),
        spawn(2, "beads", "Toast"),  # same name in another rig
        start(12, "beads/polecats/Toast"),
        start(5, "gastown/polecats/Nux"),
        start(8, TOAST),
    ]
    assert values(events) == [10.0, 4.0, 8.0]


def test_non_polecat_actors_are_ignored() -> None:
    events = [
        spawn(0),
        sling(0, "gastown/witness"),
        start(3, "gastown/witness"),
        start(3, "mayor"),
        start(3, "gastown/crew/joe"),
        start(3, "gastown/polecats/Toast/extra"),
    ]
    assert values(events) == []


def test_session_start_before_any_spawn_is_ignored() -> None:
    assert values([start(0), spawn(5), start(9)]) == [4.0]


def test_actor_falls_back_to_role_payload() -> None:
    event = Event(at(3), "session_start", "", {"role": TOAST})
    assert values([spawn(0), event]) == [3.0]


def test_spawn_without_names_is_ignored() -> None:
    broken = Event(at(0), "spawn", "gt", {"rig": "gastown"})
    assert values([broken, start(3)]) == []


def test_feed_is_incremental() -> None:
    pairer = SpawnPairer()
    assert pairer.feed([spawn(0)]) == []
    assert [s.value for s in pairer.feed([start(11)])] == [11.0]
