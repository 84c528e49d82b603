"""The guarded facade: refusals in read-only mode, one audit line per call, real effects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from town_backends import BACKENDS, TownOnBackend, open_town

from gt_tui.engine.actions import ActionResult, Actions
from gt_tui.engine.audit import AuditLog
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.limits.bundle import Limits
from gt_tui.errors import ReadOnlyRefused
from gt_tui.settings import Settings
from gt_tui.town.db import Database, quote_name
from gt_tui.town.sling import SLING_LABEL

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# One call of every action, with arguments, for the read-only sweep.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "clear_cache": ((), {"kind": "bead"}),
    "warm_cache": ((), {}),
    "flush_queue": ((), {"rig": "gastown"}),
    "create_indexes": ((["hq.idx_created_by"],), {}),
    "create_pool": ((), {"rig": "gastown", "size": 2}),
    "cleanup_tmux": ((), {}),
    "tune_tmux": ((), {}),
    "run_benchmark": (("dolt",), {"runs": 3, "progress": print}),
}


@pytest.fixture(params=BACKENDS)
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TownOnBackend]:
    for made in open_town(request, tmp_path):
        for database, bead_id in ((made.hq, "hq-wisp-q1"), (made.rig_db("gastown"), "gt-wisp-q2")):
            made.writer.add_issue(
                database,
                bead_id,
                "sling",
                created_at=T0,
                table="wisps",
                labels=[SLING_LABEL],
                description='{"work_bead_id": "gt-1", "target_rig": "gastown"}',
            )
        yield made


def make_actions(
    made: TownOnBackend, tmp_path: Path, *, read_only: bool, db: Database | None = None
) -> Actions:
    settings = Settings.defaults()
    cache = EngineCache.from_settings(settings)
    return Actions(
        made.town,
        db or made.open(read_only=read_only),
        settings,
        read_only=read_only,
        audit_log=AuditLog(tmp_path / "state" / "audit.jsonl", user="tester"),
        cache=cache,
        limits=Limits(settings),
    )


def open_contexts(made: TownOnBackend) -> int:
    return sum(
        made.db.query(f"SELECT COUNT(*) FROM {quote_name(db)}.wisps WHERE status = %s", ["open"])[
            0
        ][0]
        for db in made.town.databases
    )


def test_every_action_is_covered_by_the_sweep() -> None:
    assert set(Actions.action_names()) == set(CALLS)


def test_read_only_refuses_every_action_and_audits_each(
    town: TownOnBackend, tmp_path: Path
) -> None:
    actions = make_actions(town, tmp_path, read_only=True)
    actions.cache.read_through("bead", "gt-1", lambda: "kept")
    for method, (args, kwargs) in CALLS.items():
        with pytest.raises(ReadOnlyRefused):
            getattr(actions, method)(*args, **kwargs)
    entries = actions.audit_log.entries()
    names = Actions.action_names()
    assert [e["action"] for e in entries] == [names[m] for m in CALLS]
    assert {e["result"]["status"] for e in entries} == {"refused"}
    assert all(e["user"] == "tester" and e["town"] == "testtown" for e in entries)
    assert {e["root"] for e in entries} == {str(actions.town.root)}
    assert entries[list(CALLS).index("flush_queue")]["arguments"] == {"rig": "gastown"}
    assert entries[-1]["arguments"] == {"kind": "dolt", "runs": 3}  # the callable is left out
    assert actions.cache.get("bead", "gt-1") == "kept"
    assert open_contexts(town) == 2


def test_cache_actions_clear_and_warm(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)
    loads: list[int] = []
    actions.cache.read_through("agent", "list", lambda: loads.append(1) or ["a"])
    cleared = actions.clear_cache("agent")
    assert cleared == ActionResult(True, "cleared 1 cached entries (agent)", 1)
    warmed = actions.warm_cache()
    # the server's status and the schema are warmed too, though no refresh has read them
    assert warmed.ok and warmed.summary == "warmed all: bead 0, agent 1, status 2"
    assert len(loads) == 2
    (first, second) = actions.audit_log.entries()
    assert (first["action"], first["result"]["status"]) == ("cache.clear", "ok")
    assert first["arguments"] == {"kind": "agent"} and first["duration_ms"] >= 0
    assert second["arguments"] == {"kind": "all"}


def test_flush_queue_closes_rows_and_names_the_user(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)
    assert actions.queue().depth == 2
    result = actions.flush_queue(rig="gastown")
    assert result.ok and result.summary == "closed 2 sling contexts of rig gastown via sql"
    assert open_contexts(town) == 0
    reasons = town.db.query(
        f"SELECT close_reason FROM {quote_name(town.hq)}.wisps WHERE id = %s", ["hq-wisp-q1"]
    )
    assert reasons == [("flushed by gt-tui: tester",)]
    (entry,) = actions.audit_log.entries()
    assert entry["result"] == {"status": "ok", "summary": result.summary}


def test_a_bad_rig_is_an_audited_error_not_a_traceback(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)
    result = actions.flush_queue(rig="nowhere")
    assert not result.ok and "no rig 'nowhere'" in result.summary
    assert actions.audit_log.entries()[0]["result"]["status"] == "error"
    assert open_contexts(town) == 2


def test_create_indexes_on_request(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)
    wanted = f"{town.hq}.idx_created_by"
    assert wanted in actions.missing_indexes()
    result = actions.create_indexes([wanted])
    assert result.ok and result.details == [wanted]
    assert wanted not in actions.missing_indexes()
    assert not actions.create_indexes([]).ok
    assert [e["result"]["status"] for e in actions.audit_log.entries()] == ["ok", "error"]


def test_a_read_only_database_under_a_writable_facade_is_refused_and_audited(
    town: TownOnBackend, tmp_path: Path
) -> None:
    actions = make_actions(town, tmp_path, read_only=False, db=town.open(read_only=True))
    with pytest.raises(ReadOnlyRefused):
        actions.create_indexes([f"{town.hq}.idx_created_by"])
    assert actions.audit_log.entries()[0]["result"]["status"] == "refused"


def test_a_bug_is_audited_then_raised(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)

    def broken(kind: str) -> None:
        raise ZeroDivisionError("boom")

    actions.cache.read_through("status", "x", lambda: 1)
    actions.cache.clear = broken  # type: ignore[method-assign]
    with pytest.raises(ZeroDivisionError):
        actions.clear_cache()
    (entry,) = actions.audit_log.entries()
    assert entry["result"] == {"status": "error", "summary": "ZeroDivisionError: boom"}


def test_unknown_benchmark_kind_is_an_error_result(town: TownOnBackend, tmp_path: Path) -> None:
    result = make_actions(town, tmp_path, read_only=False).run_benchmark("convoy", runs=1)
    assert not result.ok and "no 'convoy' benchmark" in result.summary


def test_reconfigure_reaches_cache_and_limits(town: TownOnBackend, tmp_path: Path) -> None:
    actions = make_actions(town, tmp_path, read_only=False)
    actions.reconfigure(
        Settings.defaults().with_value("cache.ttl", "60").with_value("bd.max_concurrent", 3)
    )
    assert actions.cache.config.l1_ttl == 60.0
    assert actions.limits.gate("bd").stats().limit == 3


def polecat_dirs(made: TownOnBackend) -> dict[str, list[str]]:
    found = {}
    for rig in made.town.rigs:
        base = made.town.polecats_dir(rig)
        found[rig.name] = sorted(p.name for p in base.iterdir()) if base.is_dir() else []
    return found


def test_previews_say_what_flush_and_pool_would_do_and_change_nothing(
    town: TownOnBackend, tmp_path: Path
) -> None:
    actions = make_actions(town, tmp_path, read_only=True)
    before = polecat_dirs(town)

    flush = actions.preview_flush()
    pool = actions.preview_pool()

    assert (flush.slings, flush.by_rig) == (2, (("gastown", 2),))
    assert flush.values() == {"slings": "2", "rigs": "gastown 2"}
    size = actions.settings.integer("pool.size")
    assert [p.rig for p in pool.rigs] == [r.name for r in town.town.rigs]
    for plan in pool.rigs:
        assert plan.existing == len(before[plan.rig])
        assert plan.target == min(size, actions.settings.integer("polecat.max_per_rig"))
        assert plan.new == max(0, plan.target - plan.existing)
    assert pool.new == sum(p.new for p in pool.rigs) > 0
    assert open_contexts(town) == 2 and polecat_dirs(town) == before
    assert actions.audit_log.entries() == []  # reads, not actions
