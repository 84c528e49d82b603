"""The history store: full Snapshots round-trip exactly, samples are stored once, retention
prunes, and a failing disk is one line, never an exception."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snapshots_fixtures import calm_snapshot, empty_snapshot, trouble_snapshot

from gt_tui.engine.snapshot import (
    DoltInfo,
    EngineInfo,
    HostInfo,
    MapNode,
    MetricSummary,
    Sample,
    Snapshot,
    SourceError,
    TownInfo,
)
from gt_tui.health import Health
from gt_tui.history import HistoryWriter, default_history_path, read_history
from gt_tui.history.store import KEYFRAME_EVERY
from gt_tui.history.writer import PRUNE_EVERY

DAY_S = 86_400.0

text = st.text(max_size=12)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
numbers = st.floats(allow_nan=False, allow_infinity=False)
maybe_int = st.none() | st.integers(min_value=0, max_value=10**12)
samples = st.builds(Sample, numbers, moments, text, text, text)
metrics = st.builds(
    MetricSummary,
    key=text,
    label=text,
    unit=text,
    count=st.integers(0, 10**6),
    p50=st.none() | numbers,
    p95=st.none() | numbers,
    max=st.none() | numbers,
    health=st.sampled_from(Health),
    warning=numbers,
    danger=numbers,
    source=text,
    samples=st.lists(samples, max_size=6).map(tuple),
    stale=st.booleans(),
    error=st.none() | text,
    error_since=st.none() | moments,
    precision_note=text,
    skipped=st.integers(0, 99),
    few_samples=st.booleans(),
)
towns = st.builds(
    TownInfo,
    name=text,
    root=text,
    mode=text,
    rigs=st.lists(text, max_size=3).map(tuple),
    scale=text,
    scale_target_s=numbers,
    polecats=st.integers(0, 999),
    polecats_running=maybe_int,
    convoys_open=maybe_int,
    mail_backlog=maybe_int,
    tmux=text,
    convoys_staged=maybe_int,
    stale=st.lists(text, max_size=3).map(tuple),
    polecats_idle=st.integers(0, 99),
)
dolts = st.builds(
    DoltInfo,
    endpoint=text,
    server=text,
    version=text,
    connections=maybe_int,
    error=st.none() | text,
    error_since=st.none() | moments,
    probe=st.none() | text,
    probe_note=text,
    transport=st.none() | text,
    max_connections=maybe_int,
    new_connections_per_s=st.none() | numbers,
    time_zone=st.none() | text,
    system_time_zone=st.none() | text,
    cpu_percent=st.none() | numbers,
    rss_bytes=maybe_int,
)
engines = st.builds(
    EngineInfo,
    refresh_ms=numbers,
    queries=st.integers(0, 10**6),
    pool_open=maybe_int,
    pool_idle=maybe_int,
    cache_hits=st.integers(0, 10**6),
    cache_misses=st.integers(0, 10**6),
    cache_size=st.integers(0, 10**6),
    rate_tokens=st.none() | numbers,
    rate_waiters=st.integers(0, 99),
    queue_depth=st.integers(0, 99),
    queue_limit=st.integers(0, 99),
)
snapshots = st.builds(
    Snapshot,
    generated_at=moments,
    town=towns,
    dolt=dolts,
    metrics=st.lists(metrics, max_size=5).map(tuple),
    engine=engines,
    bottlenecks=st.lists(
        st.builds(MapNode, text, text, st.sampled_from(Health), st.lists(text).map(tuple)),
        max_size=4,
    ).map(tuple),
    errors=st.lists(st.builds(SourceError, text, text, moments), max_size=3).map(tuple),
    host=st.builds(HostInfo, maybe_int, st.none() | numbers),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(snapshots, min_size=1, max_size=3))
def test_any_snapshot_round_trips_exactly(tmp_path_factory, recorded):
    path = tmp_path_factory.mktemp("h") / "h.sqlite"
    writer = HistoryWriter(path, retention_s=1e12)
    for snapshot in recorded:
        assert writer.append(snapshot) is None
    writer.close()
    read = read_history(path)
    assert read.warning is None
    assert read.snapshots == tuple(recorded)
    for got in read.snapshots:
        assert got.generated_at.tzinfo is not None
        assert got.generated_at.utcoffset() == timedelta(0)


def test_hand_built_snapshots_round_trip_field_for_field(tmp_path):
    recorded = [calm_snapshot(), trouble_snapshot(), empty_snapshot()]
    assert any(s.errors for s in recorded) and any(s.bottlenecks for s in recorded)
    every = [s for snap in recorded for m in snap.metrics for s in m.samples]
    assert any(s.subject for s in every) and any(s.group for s in every)
    writer = HistoryWriter(tmp_path / "h.sqlite", retention_s=DAY_S)
    for snapshot in recorded:
        assert writer.append(snapshot) is None
    assert read_history(tmp_path / "h.sqlite").snapshots == tuple(recorded)


def _count(path, table):
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_window_that_repeats_is_stored_once(tmp_path):
    path = tmp_path / "h.sqlite"
    first = calm_snapshot()
    window = sum(len(m.samples) for m in first.metrics)
    assert window > 20
    writer = HistoryWriter(path, retention_s=DAY_S)
    appended = [
        replace(first, generated_at=first.generated_at + timedelta(seconds=2 * i))
        for i in range(50)
    ]
    for snapshot in appended:
        assert writer.append(snapshot) is None
    # one new sample in one window: one more row, not another window's worth
    grown = first.metrics[0]
    extra = Sample(1.5, first.generated_at, "gt-new", "gastown", "a new one")
    metrics = (replace(grown, samples=(*grown.samples, extra)), *first.metrics[1:])
    assert writer.append(replace(first, metrics=metrics)) is None
    writer.close()
    assert _count(path, "record") == 51
    assert _count(path, "sample") == window + 1
    read = read_history(path)
    assert read.snapshots[:50] == tuple(appended)  # keyframes and the records against them
    assert read.snapshots[-1].metrics[0].samples[-1] == extra


def test_retention_prunes_old_records_and_their_samples(tmp_path):
    path = tmp_path / "h.sqlite"
    base = calm_snapshot()
    writer = HistoryWriter(path, retention_s=3600)
    for i in range(KEYFRAME_EVERY):  # a keyframe and its records, 5 h old
        old = base.generated_at - timedelta(hours=5) + timedelta(seconds=i)
        assert writer.append(replace(base, generated_at=old)) is None
    fresh_samples = tuple(
        replace(m, samples=tuple(replace(s, subject=s.subject + "-new") for s in m.samples))
        for m in base.metrics
    )
    for i in range(PRUNE_EVERY):  # the prune comes at the PRUNE_EVERY-th append
        at = base.generated_at + timedelta(seconds=i)
        assert writer.append(replace(base, generated_at=at, metrics=fresh_samples)) is None
    writer.close()
    read = read_history(path)
    assert read.warning is None
    assert len(read.snapshots) == PRUNE_EVERY
    assert min(s.generated_at for s in read.snapshots) >= base.generated_at
    window = sum(len(m.samples) for m in base.metrics)
    assert _count(path, "sample") == window  # the old window's samples went with it


def test_a_keyframe_a_kept_record_needs_is_kept(tmp_path):
    path = tmp_path / "h.sqlite"
    base = calm_snapshot()
    writer = HistoryWriter(path, retention_s=3600)
    old = replace(base, generated_at=base.generated_at - timedelta(hours=5))
    assert writer.append(old) is None  # a keyframe, 5 h old
    fresh = [
        replace(base, generated_at=base.generated_at + timedelta(seconds=i))
        for i in range(PRUNE_EVERY)
    ]
    for snapshot in fresh:
        assert writer.append(snapshot) is None
    read = read_history(path)
    assert read.warning is None
    # the old keyframe stays while the records compressed against it do
    assert read.snapshots == (old, *fresh)
    assert read_history(path, since=base.generated_at).snapshots == tuple(fresh)


def test_since_reads_only_the_later_records_with_their_samples(tmp_path):
    path = tmp_path / "h.sqlite"
    base = calm_snapshot()
    writer = HistoryWriter(path, retention_s=DAY_S)
    for i in range(10):
        at = base.generated_at + timedelta(minutes=i)
        assert writer.append(replace(base, generated_at=at)) is None
    read = read_history(path, since=base.generated_at + timedelta(minutes=6))
    assert [s.generated_at.minute for s in read.snapshots] == [
        (base.generated_at + timedelta(minutes=i)).minute for i in range(6, 10)
    ]
    assert read.snapshots[0].metrics == base.metrics


def test_a_read_only_directory_is_one_line_and_recording_resumes(tmp_path):
    if os.geteuid() == 0:
        target = tmp_path / "not-a-dir"
        target.write_text("a file where the directory should be")
        path = target / "h.sqlite"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        path = locked / "h.sqlite"
    writer = HistoryWriter(path, retention_s=DAY_S)
    reason = writer.append(calm_snapshot())
    assert reason is not None and "\n" not in reason and str(path) in reason
    if os.geteuid() == 0:
        target.unlink()
    else:
        locked.chmod(0o700)
    assert writer.append(calm_snapshot()) is None
    assert len(read_history(path).snapshots) == 1


def test_default_path_is_in_the_state_dir_per_town(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    one, other = default_history_path("gastown"), default_history_path("beads")
    assert one.parent == tmp_path / "gt-tui" / "history" and one != other
    odd = default_history_path("../a town")
    assert odd.parent == one.parent and "/" not in odd.name
    assert odd != default_history_path("__a town")
