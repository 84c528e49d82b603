"""The bottleneck map: each box judged from the facts and metrics that feed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gt_tui.engine.bottlenecks import MapInputs, bottleneck_map
from gt_tui.engine.facts import TownFacts
from gt_tui.engine.snapshot import MetricSummary, Sample
from gt_tui.health import METRICS, Health

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def metric(key: str, samples: list[Sample], health: Health = Health.HEALTHY) -> MetricSummary:
    spec = next(s for s in METRICS if s.key == key)
    values = [s.value for s in samples]
    top = max(values) if values else None
    return MetricSummary(
        key,
        spec.label,
        spec.unit,
        len(values),
        top,
        top,
        top,
        health,
        spec.threshold.warning,
        spec.threshold.danger,
        "test",
        tuple(samples),
    )


def inputs(facts: TownFacts, **samples: list[Sample]) -> MapInputs:
    metrics = {spec.key: metric(spec.key, samples.get(spec.key, [])) for spec in METRICS}
    return MapInputs(NOW, facts, metrics, queue_limit=100, refinery_queue_limit=20)


def nodes(i: MapInputs) -> dict[str, object]:
    return {node.key: node for node in bottleneck_map(i)}


def test_seven_boxes_in_the_spec_diagram_order() -> None:
    keys = [n.key for n in bottleneck_map(inputs(TownFacts()))]
    assert keys == ["mayor", "deacon", "mail", "dolt", "witness", "refinery", "polecats"]


def test_patrols_are_judged_per_role() -> None:
    cycles = [Sample(70.0, NOW, "w", "gastown/witness"), Sample(10.0, NOW, "d", "deacon")]
    found = nodes(inputs(TownFacts(deacon_heartbeat=NOW), patrol_cycle=cycles))
    assert found["witness"].health is Health.DANGER
    assert found["deacon"].health is Health.HEALTHY
    assert found["refinery"].health is Health.HEALTHY  # empty MR queue, no cycles yet


def test_the_deacon_is_one_role_whatever_form_its_address_takes() -> None:
    # Newer gt writes `deacon/`; older rows say `deacon` (or a rig-scoped `gastown/deacon`).
    cycles = [
        Sample(10.0, NOW, "a", "deacon/"),
        Sample(20.0, NOW, "b", "deacon"),
        Sample(30.0, NOW, "c", "gastown/deacon"),
        Sample(99.0, NOW, "d", "gastown/witness"),
    ]
    found = nodes(inputs(TownFacts(deacon_heartbeat=NOW), patrol_cycle=cycles))
    assert found["deacon"].facts[0] == "cycle p95 29 s (3)"  # p95 of 10, 20, 30: all three


def test_stale_deacon_heartbeat_is_a_warning_then_danger() -> None:
    late = nodes(inputs(TownFacts(deacon_heartbeat=NOW - timedelta(minutes=6))))
    dead = nodes(inputs(TownFacts(deacon_heartbeat=NOW - timedelta(minutes=21))))
    assert late["deacon"].health is Health.WARNING
    assert dead["deacon"].health is Health.DANGER
    assert "heartbeat 6m 0s ago" in late["deacon"].facts


def test_queue_depth_against_its_limit() -> None:
    full = nodes(inputs(TownFacts(queue_depth=85, queue_oldest_wait_s=42)))
    over = nodes(inputs(TownFacts(queue_depth=101)))
    assert full["mayor"].health is Health.WARNING
    assert full["mayor"].facts == ("queue 85/100", "oldest wait 42s", "dispatch failures 0")
    assert over["mayor"].health is Health.DANGER


def test_dispatch_failures_warn_on_the_mayor_box_and_come_first() -> None:
    # Sling contexts gt closed circuit-broken: the work was never dispatched.
    calm = nodes(inputs(TownFacts(queue_depth=3, queue_oldest_wait_s=5, dispatch_failures=2)))
    assert calm["mayor"].health is Health.WARNING  # the queue alone is healthy
    assert calm["mayor"].facts == ("dispatch failures 2", "queue 3/100", "oldest wait 5s")
    over = nodes(inputs(TownFacts(queue_depth=101, dispatch_failures=1)))
    assert over["mayor"].health is Health.DANGER  # the worse of the two


def test_dolt_connections_near_gts_admission_limit_warn() -> None:
    busy = nodes(inputs(TownFacts(connections=850, long_queries=2)))
    assert busy["dolt"].health is Health.WARNING
    assert "conns 850/1000" in busy["dolt"].facts
    assert "long queries 2" in busy["dolt"].facts


def test_refinery_queue_and_polecat_offenders() -> None:
    mrs = [("gastown", f"gt-mr{i}", NOW - timedelta(minutes=i)) for i in range(21)]
    facts = TownFacts(
        merge_requests=mrs,
        offenders=["gt-Toast"],
        polecats=[("gastown", "Toast")],
        running_sessions={"gt-Toast"},
    )
    found = nodes(inputs(facts))
    assert found["refinery"].health is Health.DANGER
    assert "oldest 20m 0s" in found["refinery"].facts
    assert found["polecats"].health is Health.WARNING
    assert "running 1 of 1" in found["polecats"].facts


def test_tmux_sessions_near_the_limit_warn_for_a_real_town() -> None:
    near = nodes(inputs(TownFacts(tmux_sessions=45)))
    over = nodes(inputs(TownFacts(tmux_sessions=51)))
    assert near["polecats"].health is Health.WARNING
    assert "tmux sessions 45/50" in near["polecats"].facts
    assert over["polecats"].health is Health.DANGER
