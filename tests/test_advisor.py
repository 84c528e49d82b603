"""The index advisor on beads' real schema, on MariaDB and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from town_backends import BACKENDS, TownOnBackend, open_town

from gt_tui.engine.ops.advisor import MISSING, NO_COLUMN, NO_TABLE, PRESENT, IndexAdvisor
from gt_tui.errors import GtTuiError, ReadOnlyRefused
from gt_tui.town.db import quote_name


@pytest.fixture(params=BACKENDS)
def beads(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TownOnBackend]:
    yield from open_town(request, tmp_path)


def finding(findings, database: str, name: str):
    return next(f for f in findings if f.database == database and f.spec.name == name)


def test_beads_indexes_are_recognised_by_leading_columns(beads: TownOnBackend) -> None:
    found = IndexAdvisor(beads.db, beads.town.databases).check()
    hq = beads.hq
    status = finding(found, hq, "idx_status")
    assert (status.state, status.existing) == (PRESENT, "idx_issues_status")
    assert finding(found, hq, "idx_labels_label").existing == "idx_labels_label"
    assert finding(found, hq, "idx_events_issue_id").existing == "idx_events_issue"
    assert finding(found, hq, "idx_wisp_labels_label").state == PRESENT
    assert finding(found, hq, "idx_created_by").state == MISSING
    assert len(found) == 17 * len(beads.town.databases)


def test_what_the_console_ranges_over_is_checked_with_the_figures(beads: TownOnBackend) -> None:
    """The change feed's ranges are beads' own indexes; the open-convoy index is only a
    recommendation, with the plan (and its row estimate) that shows what it would save."""
    found = IndexAdvisor(beads.db, [beads.hq]).check()
    for name in ("idx_events_created_at", "idx_wisp_events_created_at"):
        assert finding(found, beads.hq, name).state == PRESENT
    convoys = finding(found, beads.hq, "idx_issues_type_status")
    assert convoys.state == MISSING and convoys.evidence
    if beads.dialect == "mysql":
        assert any("rows=" in line for line in convoys.evidence)


def test_tables_beads_lacks_are_reported_not_present(beads: TownOnBackend) -> None:
    found = IndexAdvisor(beads.db, beads.town.databases).check()
    for database in beads.town.databases:
        for name in ("idx_rig_status", "idx_timestamp"):
            item = finding(found, database, name)
            assert item.state == NO_TABLE
            assert item.evidence == ()


def test_evidence_is_the_servers_plan(beads: TownOnBackend) -> None:
    found = IndexAdvisor(beads.db, [beads.hq]).check()
    status = finding(found, beads.hq, "idx_status")
    assert status.evidence, "a plan was expected"
    assert any("idx_issues_status" in line for line in status.evidence)
    missing = finding(found, beads.hq, "idx_created_by")
    assert missing.evidence and not any("created_by" in line for line in missing.evidence)


def test_an_index_with_another_name_and_more_columns_counts(beads: TownOnBackend) -> None:
    hq = quote_name(beads.hq)
    if beads.dialect == "sqlite":
        beads.db.execute(f"CREATE INDEX {hq}.`by_author_status` ON `issues` (created_by, status)")
        beads.db.execute(f"CREATE INDEX {hq}.`title_first` ON `wisps` (title, status)")
    else:
        beads.db.execute(f"CREATE INDEX `by_author_status` ON {hq}.`issues` (created_by, status)")
        beads.db.execute(f"DROP INDEX `idx_wisps_status` ON {hq}.`wisps`")
        beads.db.execute(f"CREATE INDEX `title_first` ON {hq}.`wisps` (title, status)")
    found = IndexAdvisor(beads.db, [beads.hq]).check(explain=False)
    assert finding(found, beads.hq, "idx_created_by").existing == "by_author_status"
    if beads.dialect == "mysql":  # status second in the only index: not usable for status
        assert finding(found, beads.hq, "idx_wisps_status").state == MISSING


def test_missing_column_and_created_on_request(beads: TownOnBackend) -> None:
    hq = quote_name(beads.hq)
    beads.db.execute(f"CREATE TABLE {hq}.`operational_state` (rig VARCHAR(64), status TEXT)")
    beads.db.execute(f"CREATE TABLE {hq}.`heartbeats` (session VARCHAR(64))")
    advisor = IndexAdvisor(beads.db, [beads.hq])
    found = advisor.check(explain=False)
    assert finding(found, beads.hq, "idx_timestamp").state == NO_COLUMN
    rig_status = finding(found, beads.hq, "idx_rig_status")
    assert rig_status.state == MISSING
    if beads.dialect == "mysql":  # MariaDB cannot index TEXT without a length
        beads.db.execute(f"ALTER TABLE {hq}.`operational_state` MODIFY status VARCHAR(32)")
    keys = [rig_status.key, f"{beads.hq}.idx_created_by"]
    assert advisor.create(keys) == keys
    after = advisor.check(explain=False)
    assert finding(after, beads.hq, "idx_rig_status").existing == "idx_rig_status"
    assert finding(after, beads.hq, "idx_created_by").state == PRESENT


def test_create_refuses_present_unknown_and_absent(beads: TownOnBackend) -> None:
    advisor = IndexAdvisor(beads.db, [beads.hq])
    for key in (f"{beads.hq}.idx_status", "nowhere.idx_status", f"{beads.hq}.idx_timestamp"):
        with pytest.raises(GtTuiError, match="cannot create"):
            advisor.create([key])


def test_create_is_refused_read_only(beads: TownOnBackend) -> None:
    reader = beads.open(read_only=True)
    advisor = IndexAdvisor(reader, [beads.hq])
    with pytest.raises(ReadOnlyRefused):
        advisor.create([f"{beads.hq}.idx_created_by"])
    found = IndexAdvisor(beads.db, [beads.hq]).check(explain=False)
    assert finding(found, beads.hq, "idx_created_by").state == MISSING


@pytest.mark.parametrize("beads", [BACKENDS[0]], indirect=True)
def test_mysql_lists_every_index_in_one_query(beads: TownOnBackend) -> None:
    db = beads.open()
    IndexAdvisor(db, beads.town.databases).check(explain=False)
    assert db.round_trips == 2  # the catalogue's columns, then its statistics
