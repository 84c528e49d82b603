"""The caches never show stale truths (issue 11.5), on the MariaDB fixture town: the agent
list follows a new polecat without waiting out its L2 TTL, and a warm-up after a clear (or
before any refresh, as `gt-tui cache warm` runs) really loads agents, status and schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clock import FakeClock
from sqlserver import SQLServer
from towns import NOW, BuiltTown, build_town

from gt_tui.engine.engine import Engine
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database

pytestmark = pytest.mark.mariadb


@pytest.fixture
def built(mariadb: SQLServer, tmp_path: Path) -> Iterator[BuiltTown]:
    town = build_town(tmp_path / "town", "mysql", server=mariadb)
    yield town
    town.close()


def engine_on(built: BuiltTown, *, read_only: bool = True) -> Engine:
    settings = Settings.defaults()
    town = built.town()
    return Engine(
        town, open_database(town, settings, read_only=read_only), settings, clock=FakeClock()
    )


def add_agent(built: BuiltTown, bead_id: str) -> None:
    built.writer("gastown").add_issue(
        built.databases["gastown"], bead_id, "agent", created_at=NOW, labels=["gt:agent"]
    )


def test_agent_count_follows_a_new_polecat_without_waiting_out_the_ttl(
    built: BuiltTown,
) -> None:
    engine = engine_on(built)
    try:
        before = engine.refresh()
        agents = engine.facts.agents
        assert agents is not None
        add_agent(built, "gt-gastown-polecat-Zed")
        engine.refresh()
        assert engine.facts.agents == agents  # the L2 entry stands: nothing seen changed
        (built.root / "gastown" / "polecats" / "Zed").mkdir()  # gt makes the polecat's dir
        after = engine.refresh()
        assert after.town.polecats == before.town.polecats + 1
        assert engine.facts.agents == agents + 1  # read afresh, no clear, no TTL
    finally:
        engine.close()


def test_warm_up_after_a_clear_and_from_cold_loads_for_real(built: BuiltTown) -> None:
    add_agent(built, "gt-gastown-polecat-Zed")
    engine = engine_on(built, read_only=False)
    try:
        cold = engine.actions.warm_cache()  # no refresh has read anything yet
        assert cold.ok and cold.details.loaded["agent"] == 1
        assert cold.details.loaded["status"] >= 1
        engine.refresh()
        engine.actions.clear_cache()
        warmed = engine.actions.warm_cache()
        assert warmed.details.loaded["agent"] == 1 and warmed.details.loaded["status"] == 2
        stats = engine.cache.stats()
        assert (stats.kind("agent").size, stats.kind("status").size) == (1, 2)
        assert engine.cache.get("agent", "list")[0][1] == "gt-gastown-polecat-Zed"
    finally:
        engine.close()
