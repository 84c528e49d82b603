"""The spec's thresholds and scale tiers, judged at their boundaries."""

from __future__ import annotations

import pytest

from gt_tui.health import (
    METRICS,
    SCALE_TIERS,
    Health,
    Threshold,
    fraction_health,
    scale_tier,
    worst,
)
from gt_tui.settings import Settings, thresholds


def test_the_spec_table() -> None:
    # performance guide, section 1: healthy / warning / danger
    table = {m.key: (m.unit, m.threshold.warning, m.threshold.danger) for m in METRICS}
    assert table == {
        "dolt_latency": ("ms", 10, 50),
        "polecat_spawn": ("s", 5, 15),
        "mail_lag": ("s", 1, 5),
        "convoy_refresh": ("s", 2, 10),
        "patrol_cycle": ("s", 30, 60),
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, Health.UNKNOWN),
        (0.0, Health.HEALTHY),
        (9.999, Health.HEALTHY),
        (10.0, Health.WARNING),  # value == warning is warning
        (30.0, Health.WARNING),
        (50.0, Health.WARNING),  # value == danger is still warning
        (50.001, Health.DANGER),  # only above danger is danger
        (1e9, Health.DANGER),
    ],
)
def test_threshold_boundaries(value: float | None, expected: Health) -> None:
    assert Threshold(10, 50).judge(value) is expected


def test_configured_thresholds_replace_the_defaults() -> None:
    settings = Settings.defaults().with_value("threshold.mail_lag.warning", "2")
    limit = thresholds(settings)["mail_lag"]
    assert (limit.warning, limit.danger) == (2.0, 5.0)
    assert limit.judge(1.5) is Health.HEALTHY
    assert thresholds(Settings.defaults())["mail_lag"].judge(1.5) is Health.WARNING


@pytest.mark.parametrize(
    ("polecats", "tier"),
    [
        (0, "small"),
        (9, "small"),
        (10, "medium"),
        (29, "medium"),
        (30, "large"),
        (100, "large"),
        (101, "xlarge"),
        (5000, "xlarge"),
    ],
)
def test_scale_by_polecats(polecats: int, tier: str) -> None:
    assert scale_tier(polecats, 0).name == tier


@pytest.mark.parametrize(
    ("convoys", "tier"),
    [
        (0, "small"),
        (4, "small"),
        (5, "medium"),
        (19, "medium"),
        (20, "large"),
        (50, "large"),
        (51, "xlarge"),
    ],
)
def test_scale_by_convoys(convoys: int, tier: str) -> None:
    assert scale_tier(0, convoys).name == tier


@pytest.mark.parametrize(
    ("polecats", "convoys", "tier"),
    [(9, 5, "medium"), (10, 4, "medium"), (3, 51, "xlarge"), (101, 0, "xlarge"), (30, 19, "large")],
)
def test_scale_is_the_larger_of_the_two(polecats: int, convoys: int, tier: str) -> None:
    assert scale_tier(polecats, convoys).name == tier


def test_scale_targets() -> None:
    # performance guide, section 10: target refresh times per tier
    assert [(t.name, t.target_seconds) for t in SCALE_TIERS] == [
        ("small", 1.0),
        ("medium", 5.0),
        ("large", 10.0),
        ("xlarge", 30.0),
    ]


def test_worst() -> None:
    assert worst([]) is Health.UNKNOWN
    assert worst([Health.UNKNOWN, Health.UNKNOWN]) is Health.UNKNOWN
    assert worst([Health.UNKNOWN, Health.HEALTHY]) is Health.HEALTHY
    assert worst([Health.HEALTHY, Health.DANGER, Health.WARNING]) is Health.DANGER


@pytest.mark.parametrize(
    ("used", "expected"),
    [(79, Health.HEALTHY), (80, Health.WARNING), (100, Health.WARNING), (101, Health.DANGER)],
)
def test_fraction_of_a_limit(used: int, expected: Health) -> None:
    assert fraction_health(used, 100) is expected
    assert fraction_health(used, 0) is Health.UNKNOWN
