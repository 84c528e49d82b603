"""One bad record costs one record: events, mail acks and patrol rows are parsed one by one.

Out-of-range times, `0000-00-00` DATETIMEs, lines nested 100,000 deep and future-dated
samples are skipped and counted (`MetricSummary.skipped`, JSON `metrics.<m>.skipped`); the
good records around them are all read, and the metric is not stale. Fuzzed with hypothesis.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from clock import FakeClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from test_engine import BACKENDS, Towns
from towns import NOW, add_known_events, add_known_mail, add_known_patrols, ago

from gt_tui.engine.collectors import mail_samples, patrol_samples
from gt_tui.export.json import snapshot_dict
from gt_tui.export.style import Palette
from gt_tui.export.window import zoom_summary
from gt_tui.health import CLOCK_SKEW_S
from gt_tui.town.beads import ACK_PREFIX
from gt_tui.town.events import EventsTail

pytestmark = pytest.mark.faults  # the fault suite: `make faults`

DEEP = b"[" * 100_000 + b"]" * 100_000
OUT_OF_RANGE = ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00")


@pytest.fixture
def towns(request: pytest.FixtureRequest, tmp_path: Path):
    made = Towns(request, tmp_path)
    yield made
    made.close()


def event_line(actor: str, ts: str, type: str = "session_start") -> bytes:
    return json.dumps({"ts": ts, "type": type, "actor": actor, "payload": {}}).encode()


def rfc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---- the events file ----------------------------------------------------------------------


def test_bad_event_lines_cost_one_line_each(tmp_path: Path) -> None:
    bad = [event_line("x", ts) for ts in OUT_OF_RANGE] + [DEEP, b'{"ts": ' + DEEP + b"}"]
    good = [event_line(f"good-{i}", rfc(ago(NOW, 10 - i))) for i in range(3)]
    path = tmp_path / ".events.jsonl"
    path.write_bytes(b"\n".join([good[0], *bad[:2], good[1], *bad[2:], good[2]]) + b"\n")
    tail = EventsTail(path)
    assert [e.actor for e in tail.read_new()] == ["good-0", "good-1", "good-2"]
    assert tail.bad_lines == len(bad)
    with path.open("ab") as handle:  # and the tail goes on from there
        handle.write(event_line("good-3", rfc(NOW)) + b"\n")
    assert [e.actor for e in tail.read_new()] == ["good-3"]


BAD_TS = st.one_of(
    st.sampled_from([*OUT_OF_RANGE, "0000-00-00T00:00:00Z", "", "nope", "9999-99-99"]),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
BAD_LINE = st.one_of(
    st.builds(lambda ts: json.dumps({"ts": ts, "type": 7, "actor": "x"}).encode(), BAD_TS),
    st.builds(lambda ts: json.dumps({"ts": ts}).encode(), BAD_TS),
    st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b and b.strip()),
    st.integers(1, 5000).map(lambda n: b'{"ts": ' + b"[" * n + b"]" * n + b"}"),
    st.just(DEEP),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), BAD_LINE), min_size=1, max_size=25))
def test_fuzzed_event_lines(tmp_path_factory: pytest.TempPathFactory, plan: list) -> None:
    """None in the plan is a good event; everything else a bad line. Never raises; every
    good event is read, in order; every bad line is counted."""
    lines, good = [], []
    for i, item in enumerate(plan):
        if item is None:
            good.append(f"good-{i}")
            lines.append(event_line(good[-1], rfc(ago(NOW, 100 - i))))
        else:
            lines.append(item)
    path = tmp_path_factory.mktemp("fuzz") / ".events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    tail = EventsTail(path)
    read = [e.actor for e in tail.read_new()]
    assert [a for a in read if a.startswith("good-")] == good
    assert len(read) + tail.bad_lines == len(lines)


# ---- rows: mail acks and patrols ------------------------------------------------------------

SINCE = ago(NOW, 900)
FIXED_ZONES = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
ROW_VALUE = st.one_of(
    st.none(),
    st.sampled_from(["0000-00-00 00:00:00", "0000-00-00", *OUT_OF_RANGE, "9999-12-31 23:59:59"]),
    st.text(max_size=25),
    st.datetimes(),
    st.datetimes(timezones=FIXED_ZONES),
    st.integers(),
    st.binary(max_size=10),
)


def good_mail(i: int) -> tuple:
    acked = ago(NOW, 100 + i)
    return (f"hq-good{i}", ago(acked, 3).replace(tzinfo=None), ACK_PREFIX + rfc(acked), "mayor/")


def good_patrol(i: int) -> tuple:
    closed = ago(NOW, 100 + i)
    return ("hq", "deacon", f"mol-good{i}", "closed", ago(closed, 20), closed)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 50), st.tuples(ROW_VALUE, ROW_VALUE)), max_size=30))
def test_fuzzed_mail_rows(plan: list) -> None:
    rows, good = [], set()
    for item in plan:
        if isinstance(item, int):
            rows.append(good_mail(item))
            good.add(f"hq-good{item}")
        else:
            created, ack = item
            label = ack if isinstance(ack, str) else ACK_PREFIX + str(ack)
            rows.append(("hq-bad", created, label, None))
    reading = mail_samples(rows, SINCE, NOW)
    assert good <= {s.subject for s in reading.samples}
    assert len(reading.samples) + reading.skipped <= len(rows)
    assert all(
        s.value >= 0 and SINCE <= s.at <= NOW + timedelta(seconds=CLOCK_SKEW_S)
        for s in reading.samples
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 50), st.tuples(ROW_VALUE, ROW_VALUE)), max_size=30))
def test_fuzzed_patrol_rows(plan: list) -> None:
    rows, good = [], set()
    for item in plan:
        if isinstance(item, int):
            rows.append(good_patrol(item))
            good.add(f"mol-good{item}")
        else:
            rows.append(("hq", "deacon", "mol-bad", "closed", *item))
    reading = patrol_samples(rows, NOW)
    assert good <= {s.subject for s in reading.samples}
    assert all(
        s.value >= 0 and s.at <= NOW + timedelta(seconds=CLOCK_SKEW_S) for s in reading.samples
    )


def test_bad_mail_and_patrol_rows_are_counted() -> None:
    future = NOW + timedelta(days=365 * 7000)
    mail = [
        good_mail(1),
        ("hq-9999", ago(NOW, 60), ACK_PREFIX + OUT_OF_RANGE[0], "mayor/"),
        ("hq-zero", "0000-00-00 00:00:00", ACK_PREFIX + rfc(ago(NOW, 30)), "mayor/"),
        ("hq-future", ago(NOW, 60), ACK_PREFIX + rfc(future), "mayor/"),
        ("hq-negative", ago(NOW, 10), ACK_PREFIX + rfc(ago(NOW, 70)), "mayor/"),
        ("hq-old", ago(NOW, 2000), ACK_PREFIX + rfc(ago(NOW, 1900)), "mayor/"),  # not bad: old
    ]
    reading = mail_samples(mail, SINCE, NOW)
    assert [s.subject for s in reading.samples] == ["hq-good1"] and reading.skipped == 4
    patrols = [
        good_patrol(1),
        ("hq", "deacon", "mol-zero", "closed", "0000-00-00 00:00:00", ago(NOW, 5)),
        ("hq", "deacon", "mol-future", "closed", ago(NOW, 5), future),
        ("hq", "deacon", "mol-running", "hooked", ago(NOW, 50), None),
        ("hq", "deacon", "mol-running-future", "hooked", future, None),
    ]
    patrol = patrol_samples(patrols, NOW)
    assert [s.subject for s in patrol.samples] == ["mol-good1"] and patrol.skipped == 3
    assert patrol.running == {"deacon/": ago(NOW, 50)}  # canonical: one role


# ---- through the engine ----------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_records_do_not_stale_a_metric(towns: Towns, backend: str) -> None:
    """The known town (test_engine's figures) plus bad records in every source."""
    built = towns.known(backend, "v1.0.5")
    w, hq = built.writer(), built.hq
    for label in (ACK_PREFIX + OUT_OF_RANGE[0], ACK_PREFIX + "9999-12-31T23:59:59Z"):
        mail = w.send_mail(
            sender="deacon", recipient="mayor/", subject="bad", created_at=ago(NOW, 99)
        )
        w.add_label(hq, mail, label)
    zero = w.send_mail(sender="deacon", recipient="mayor/", subject="zero", created_at=ago(NOW, 80))
    w.ack_mail(zero, "mayor/", ago(NOW, 70))
    patrol = w.open_patrol("deacon", "deacon", ago(NOW, 200))
    w.close_patrol(patrol, ago(NOW, 190), "green")
    for table, bead in (("issues", zero), ("wisps", patrol)):
        built.db.execute(
            f"UPDATE `{hq}`.`{table}` SET created_at = %s WHERE id = %s",
            ["0000-00-00 00:00:00", bead],
        )
    with (built.root / ".events.jsonl").open("ab") as handle:
        for ts in OUT_OF_RANGE:
            handle.write(event_line("gastown/polecats/Toast", ts) + b"\n")
        handle.write(DEEP + b"\n")
        future = rfc(NOW + timedelta(days=3000))  # paired with a spawn, then refused
        handle.write(
            json.dumps(
                {
                    "ts": rfc(ago(NOW, 5)),
                    "type": "spawn",
                    "actor": "gt",
                    "payload": {"rig": "beads", "polecat": "Rex"},
                }
            ).encode()
            + b"\n"
        )
        handle.write(event_line("beads/polecats/Rex", future) + b"\n")
    snap = towns.engine(built.town(), FakeClock()).refresh()
    assert snap.errors == ()
    expected = {  # (count, p95, skipped): test_engine's figures, the bad records only counted
        "mail_lag": (3, pytest.approx(6.7), 1 + 3),  # the known town's "not-a-time" ack too
        "patrol_cycle": (3, pytest.approx(67.5), 1),
        "polecat_spawn": (3, pytest.approx(18.8), 1 + 3 + 1),  # its "not json" line too
    }
    for key, (count, p95, skipped) in expected.items():
        metric = snap.metric(key)
        assert (metric.count, metric.p95, metric.skipped, metric.stale) == (
            count,
            p95,
            skipped,
            False,
        ), key
        assert snapshot_dict(snap)["metrics"][key]["skipped"] == skipped
    console = Console(width=160, record=True)
    console.print(zoom_summary(snap.metric("mail_lag"), snap.generated_at, Palette()))
    assert "4 bad records skipped" in console.export_text()
    assert snap.metric("dolt_latency").skipped == 0


def test_future_samples_leave_no_trace_in_the_window(towns: Towns) -> None:
    """A spawn dated in year 2100 would otherwise sit in the window forever."""
    built = towns.make("sqlite")
    add_known_events(built, NOW)
    built.event("spawn", "gt", {"rig": "beads", "polecat": "Rex"}, NOW + timedelta(days=1))
    built.event("session_start", "beads/polecats/Rex", {}, datetime(2100, 1, 1, tzinfo=UTC))
    clock = FakeClock()
    engine = towns.engine(built.town(), clock)
    first = engine.refresh().metric("polecat_spawn")
    assert (first.count, first.max, first.skipped) == (3, 20.0, 2)  # the pair and "not json"
    clock.advance(3600)
    later = engine.refresh().metric("polecat_spawn")
    assert (later.count, later.p95) == (0, None)


def test_known_town_patrols_unaffected(towns: Towns) -> None:
    built = towns.make("sqlite")
    add_known_mail(built, NOW)
    add_known_patrols(built, NOW)
    snap = towns.engine(built.town(), FakeClock()).refresh()
    assert snap.metric("patrol_cycle").skipped == 0 and snap.metric("mail_lag").skipped == 1
