"""The sandbox's static half: schema, writer, layout and scale towns, on SQLite and MariaDB.

Real parts throughout: real git repositories and worktrees, real SQLite files, and the
session's private MariaDB (tests that take the `mariadb` fixture are marked for it).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymysql
import pytest

from gt_tui.errors import GtTuiError
from gt_tui.health import scale_tier
from gt_tui.sandbox.dburl import BadDatabaseURL, parse_db_url
from gt_tui.sandbox.event_log import append_event_line
from gt_tui.sandbox.git import run_git
from gt_tui.sandbox.layout import polecat_dir
from gt_tui.sandbox.rows import target_columns
from gt_tui.sandbox.scale import TIER_PLANS, BuiltTown, build_scale_town, plan_rigs
from gt_tui.sandbox.schema import create_beads_schema, drop_database
from gt_tui.sandbox.writer import BeadsWriter
from gt_tui.town.db import Database, MySQLDatabase, utc
from gt_tui.town.git import CommandFailed
from gt_tui.town.layout import load_town
from gt_tui.town.sqlite_db import SQLiteDatabase

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
VARIANTS = ["v1.0.0", "v1.0.5"]
BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def count(db: Database, database: str, table: str) -> int:
    return int(db.query(f"SELECT COUNT(*) FROM `{database}`.`{table}`")[0][0])


def server_url(server) -> str:
    ep = server.endpoint
    return f"mysql://{ep.user}@{ep.host}:{ep.port}"


def build(tmp_path: Path, backend: str, variant: str, request, scale: str = "small") -> BuiltTown:
    url = server_url(request.getfixturevalue("mariadb")) if backend == "mysql" else None
    town = build_scale_town(tmp_path / "town", scale, url, variant, seed=3, now=NOW)
    request.addfinalizer(town.drop)
    return town


# ---- db URLs ------------------------------------------------------------------------------


def test_parse_db_url_reads_user_password_host_port() -> None:
    ep = parse_db_url("mysql://bob:s%40cret@db.example:3310")
    assert (ep.user, ep.password, ep.host, ep.port) == ("bob", "s@cret", "db.example", 3310)
    plain = parse_db_url("mysql://root@127.0.0.1")
    assert (plain.user, plain.password, plain.port) == ("root", "", 3307)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:hunter2@h:1",
        "mysql://u:hunter2@:3306",
        "mysql://u:hunter2@h:99999",
        "mysql://u:hunter2@h:1/db",
    ],
)
def test_parse_db_url_refuses_bad_urls_without_showing_the_password(url: str) -> None:
    with pytest.raises(BadDatabaseURL) as caught:
        parse_db_url(url)
    assert "hunter2" not in str(caught.value)
    assert "\n" not in str(caught.value)


# ---- schema -------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_db(request, tmp_path: Path) -> Iterator[tuple[Database, str]]:
    """A fresh, empty database on either backend: (handle, database name)."""
    if request.param == "mysql":
        server = request.getfixturevalue("mariadb")
        name = server.fresh_database_names(1)[0]
        db: Database = MySQLDatabase(server.endpoint)
        yield db, name
        drop_database(db, name)
    else:
        name = "hq"
        db = SQLiteDatabase({name: tmp_path / "hq.sqlite"})
        yield db, name
    db.close()


@pytest.mark.parametrize("variant", VARIANTS)
def test_schema_has_beads_tables_columns_and_indexes(empty_db, variant: str) -> None:
    db, name = empty_db
    create_beads_schema(db, name, variant, prefix="hq")
    create_beads_schema(db, name, variant, prefix="hq")  # idempotent, like bd's init
    columns = {table: cols for (_, table), cols in db.table_columns([name]).items()}
    twins = ("labels", "dependencies", "events", "comments")
    expected = {"issues", "wisps", "config", "metadata", *twins, *(f"wisp_{t}" for t in twins)}
    assert expected <= set(columns)
    for table in ("issues", "wisps"):
        assert {
            "id",
            "status",
            "assignee",
            "created_at",
            "closed_at",
            "started_at",
            "close_reason",
            "ephemeral",
            "wisp_type",
            "mol_type",
            "sender",
            "metadata",
        } <= columns[table]
    split = {"depends_on_issue_id", "depends_on_wisp_id", "depends_on_external"}
    for table in ("dependencies", "wisp_dependencies"):
        if variant == "v1.0.0":
            assert "depends_on_id" in columns[table] and not split & columns[table]
        else:
            assert split | {"id"} <= columns[table] and "depends_on_id" not in columns[table]
    assert {
        "idx_issues_status",
        "idx_issues_assignee",
        "idx_labels_label",
        "idx_events_issue",
        "idx_events_created_at",
    } <= _index_names(db, name)
    assert db.query(
        f"SELECT `value` FROM `{name}`.`config` WHERE `key` = %s", ["issue_prefix"]
    ) == [("hq",)]


def _index_names(db: Database, name: str) -> set[str]:
    if db.dialect == "mysql":
        rows = db.query(
            "SELECT index_name FROM information_schema.statistics WHERE table_schema = %s", [name]
        )
    else:
        rows = db.query(f"SELECT name FROM `{name}`.sqlite_master WHERE type = %s", ["index"])
    return {row[0] for row in rows}


def test_v105_schema_refuses_a_dependency_with_two_targets(empty_db) -> None:
    db, name = empty_db
    create_beads_schema(db, name, "v1.0.5")
    writer = BeadsWriter(db, hq=name, variant="v1.0.5")
    writer.add_issue(name, "hq-aaa", "one", created_at=NOW)
    with pytest.raises((sqlite3.IntegrityError, pymysql.MySQLError), match=r"(?i)check|constraint"):
        db.execute(
            f"INSERT INTO `{name}`.`dependencies` (`id`, `issue_id`, `depends_on_issue_id`,"
            " `depends_on_external`) VALUES (%s, %s, %s, %s)",
            ["x", "hq-aaa", "hq-aaa", "external:gt:gt-1"],
        )


# ---- writer -------------------------------------------------------------------------------


@pytest.fixture(params=VARIANTS)
def writer(empty_db, request) -> BeadsWriter:
    """A writer over a fresh hq database of each schema variant, on each backend."""
    db, hq = empty_db
    create_beads_schema(db, hq, request.param, prefix="hq")
    return BeadsWriter(db, hq=hq, variant=request.param)


def test_mail_is_labelled_and_acked_as_gt_does(writer: BeadsWriter) -> None:
    db, hq = writer.db, writer.hq
    mail = writer.send_mail(
        sender="mayor/", recipient="gastown/Toast", subject="Handoff", created_at=NOW
    )
    acked = NOW + timedelta(seconds=2)
    writer.ack_mail(mail, "gastown/Toast", acked)
    labels = {
        r[0] for r in db.query(f"SELECT label FROM `{hq}`.labels WHERE issue_id = %s", [mail])
    }
    assert labels == {
        "gt:message",
        "from:mayor/",
        "msg-type:notification",
        "delivery:pending",  # gt's ack is append-only: pending stays
        "delivery:acked",
        "delivery-acked-by:gastown/Toast",
        "delivery-acked-at:2026-05-01T12:00:02Z",
    }
    ack_events = db.query(
        f"SELECT comment, created_at FROM `{hq}`.events WHERE issue_id = %s AND event_type = %s",
        [mail, "label_added"],
    )
    assert ("Added label: delivery:acked", acked) in [(c, utc(t)) for c, t in ack_events]
    row = db.query(f"SELECT assignee, created_by FROM `{hq}`.issues WHERE id = %s", [mail])
    assert row == [("gastown/Toast", "mayor/")]


def test_protocol_mail_goes_to_the_wisps_table(writer: BeadsWriter) -> None:
    proto = writer.send_mail(
        sender="gastown/Toast",
        recipient="gastown/witness",
        subject="POLECAT_DONE gt-abc",
        created_at=NOW,
    )
    assert proto.startswith("hq-wisp-")
    assert count(writer.db, writer.hq, "wisps") == 1
    assert count(writer.db, writer.hq, "wisp_labels") == 4
    assert count(writer.db, writer.hq, "issues") == 0


def test_convoy_tracks_rig_issues_as_external_targets(writer: BeadsWriter) -> None:
    db, hq = writer.db, writer.hq
    writer.add_issue(hq, "hq-local", "hq work", created_at=NOW)
    writer.create_convoy("hq-cv-abc", "Work: x", ["gt-abc12", "hq-local"], created_at=NOW)
    assert db.query(f"SELECT issue_type FROM `{hq}`.issues WHERE id = %s", ["hq-cv-abc"]) == [
        ("convoy",)
    ]
    assert sorted(_dependency_targets(db, hq, writer.variant)) == [
        ("hq-cv-abc", "external:gt:gt-abc12", "tracks"),
        ("hq-cv-abc", "hq-local", "tracks"),
    ]


def test_dependency_columns_follow_the_variant(writer: BeadsWriter) -> None:
    db, hq = writer.db, writer.hq
    writer.add_issue(hq, "hq-a", "a", created_at=NOW)
    writer.add_issue(hq, "hq-b", "b", created_at=NOW)
    writer.add_issue(hq, "hq-wisp-c", "c", created_at=NOW, table="wisps")
    for target in ("hq-b", "hq-wisp-c", "external:gt:gt-d"):
        writer.add_dependency(hq, "hq-a", target, "blocks", created_at=NOW)
    if writer.variant == "v1.0.0":
        rows = db.query(f"SELECT depends_on_id FROM `{hq}`.dependencies ORDER BY 1")
        assert rows == [("external:gt:gt-d",), ("hq-b",), ("hq-wisp-c",)]
        return
    rows = db.query(
        f"SELECT depends_on_issue_id, depends_on_wisp_id, depends_on_external"
        f" FROM `{hq}`.dependencies"
    )
    assert sorted(rows, key=str) == sorted(
        [("hq-b", None, None), (None, "hq-wisp-c", None), (None, None, "external:gt:gt-d")],
        key=str,
    )


def test_patrol_cycle_is_a_hooked_root_wisp_closed_by_report(writer: BeadsWriter) -> None:
    db, hq = writer.db, writer.hq
    patrol = writer.open_patrol("deacon", "deacon", NOW)
    hooked = db.query(f"SELECT status, assignee FROM `{hq}`.wisps WHERE id = %s", [patrol])
    assert hooked == [("hooked", "deacon")]
    writer.close_patrol(patrol, NOW + timedelta(seconds=17), "3 agents healthy")
    row = db.query(
        f"SELECT title, status, close_reason, description, created_at, closed_at"
        f" FROM `{hq}`.wisps WHERE id = %s",
        [patrol],
    )[0]
    assert row[:4] == (
        "mol-deacon-patrol",
        "closed",
        "patrol cycle complete: 3 agents healthy",
        "Patrol report: 3 agents healthy",
    )
    assert (utc(row[5]) - utc(row[4])).total_seconds() == 17
    assert count(db, hq, "wisp_events") == 2  # created, closed


def _dependency_targets(db: Database, database: str, variant: str, table: str = "dependencies"):
    target = (
        "depends_on_id"
        if variant == "v1.0.0"
        else "COALESCE(depends_on_issue_id, depends_on_wisp_id, depends_on_external)"
    )
    return db.query(f"SELECT issue_id, {target}, type FROM `{database}`.`{table}`")


def test_target_columns_puts_each_target_in_exactly_one_column() -> None:
    assert target_columns("external:gt:gt-abc") == (None, None, "external:gt:gt-abc")
    assert target_columns("hq-wisp-abc") == (None, "hq-wisp-abc", None)
    assert target_columns("hq-abc") == ("hq-abc", None, None)


def test_writer_refuses_naive_datetimes(tmp_path: Path) -> None:
    db = SQLiteDatabase({"hq": tmp_path / "hq.sqlite"})
    create_beads_schema(db, "hq")
    with pytest.raises(ValueError, match="naive"):
        BeadsWriter(db).add_issue("hq", "hq-1", "x", created_at=datetime(2026, 1, 1))
    db.close()


def test_append_event_line_writes_gt_format(tmp_path: Path) -> None:
    append_event_line(tmp_path, "sling", "mayor", {"bead": "gt-abc", "target": "gastown"}, NOW)
    append_event_line(tmp_path, "session_start", "gastown/polecats/Toast", {"role": "polecat"}, NOW)
    lines = (tmp_path / ".events.jsonl").read_text().splitlines()
    assert lines[0] == (
        '{"ts":"2026-05-01T12:00:00Z","source":"gt","type":"sling","actor":"mayor",'
        '"payload":{"bead":"gt-abc","target":"gastown"},"visibility":"feed"}'
    )
    assert json.loads(lines[1])["type"] == "session_start"
    assert (tmp_path / ".events.jsonl.lock").exists()


def test_run_git_reports_failure_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandFailed) as caught:
        run_git(["rev-parse", "--verify", "nope"], cwd=tmp_path)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("git rev-parse")


# ---- built towns --------------------------------------------------------------------------


def test_tier_plans_fall_in_their_tiers() -> None:
    for name, plan in TIER_PLANS.items():
        assert scale_tier(plan.polecats, plan.convoys).name == name
        assert all(len(rig.polecats) <= 30 for rig in plan_rigs(plan))  # gt's per-rig cap


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_small_town_is_laid_out_as_gt_lays_one_out(
    tmp_path: Path, request, backend, variant
) -> None:
    town = build(tmp_path, backend, variant, request)
    root = town.root
    assert read_json(root / "mayor" / "town.json")["type"] == "town"
    assert read_json(root / "mayor" / "town.json")["version"] == 2
    rigs = read_json(root / "mayor" / "rigs.json")["rigs"]
    assert {name: entry["beads"]["prefix"] for name, entry in rigs.items()} == {
        "gastown": "gt",
        "beads": "bd",
    }
    routes = [
        json.loads(line) for line in (root / ".beads" / "routes.jsonl").read_text().splitlines()
    ]
    assert {"prefix": "gt-", "path": "gastown/mayor/rig"} in routes
    assert (root / ".events.jsonl").read_text() == ""
    assert (root / "deacon" / "heartbeat.json").is_file() and (
        root / ".runtime" / "heartbeats"
    ).is_dir()
    hq_meta = read_json(root / ".beads" / "metadata.json")
    rig_meta = read_json(root / "gastown" / "mayor" / "rig" / ".beads" / "metadata.json")
    assert hq_meta["dolt_database"] == town.databases["hq"]
    assert rig_meta["dolt_database"] == town.databases["gastown"]
    if backend == "mysql":
        _assert_server_files(root, town, hq_meta)
    else:
        assert hq_meta["backend"] == "sqlite" and (root / hq_meta["sqlite_path"]).is_file()
        assert not (root / ".dolt-data").exists()
    loaded = load_town(root, env={})  # the console's own reader agrees
    assert {rig.name: rig.database for rig in loaded.rigs} == {
        name: town.databases[name] for name in ("gastown", "beads")
    }


def _assert_server_files(root: Path, town: BuiltTown, hq_meta: dict) -> None:
    ep = town.endpoint
    assert (hq_meta["backend"], hq_meta["dolt_mode"]) == ("dolt", "server")
    assert (hq_meta["dolt_server_host"], hq_meta["dolt_server_port"]) == (ep.host, ep.port)
    assert all(name.startswith("gttui_") for name in town.databases.values())
    assert read_json(root / "mayor" / "daemon.json")["env"]["GT_DOLT_PORT"] == str(ep.port)
    config = (root / ".dolt-data" / "config.yaml").read_text()
    assert f"listener:\n  port: {ep.port}\n  host: {ep.host}\n" in config
    assert load_town(root, env={}).endpoint.port == ep.port


@pytest.mark.parametrize("backend", BACKENDS)
def test_small_town_has_real_git_worktrees(tmp_path: Path, request, backend) -> None:
    town = build(tmp_path, backend, "v1.0.0", request)
    for rig in town.rigs:
        bare = town.root / rig.name / ".repo.git"
        listing = run_git(
            ["--git-dir", str(bare), "worktree", "list", "--porcelain"], cwd=town.root
        )
        for name in rig.polecats:
            path = polecat_dir(town.root, rig.name, name)
            assert f"worktree {path}" in listing
            branch = run_git(["rev-parse", "--abbrev-ref", "HEAD"], cwd=path).strip()
            assert re.fullmatch(rf"polecat/{name}-[0-9a-z]+", branch)
            assert (path / "README.md").is_file()
        clone = town.root / rig.name / "mayor" / "rig"
        assert run_git(["log", "--format=%s"], cwd=clone).strip() == "Initial commit"
    assert town.polecats == TIER_PLANS["small"].polecats


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_small_town_rows_match_what_the_builder_counted(
    tmp_path: Path, request, backend, variant
) -> None:
    town = build(tmp_path, backend, variant, request)
    db = town.open_db(read_only=True)
    try:
        for (database, table), written in town.row_counts.items():
            assert count(db, database, table) == written, (database, table)
        hq = town.databases["hq"]
        convoys = db.query(
            f"SELECT COUNT(*) FROM `{hq}`.issues WHERE issue_type = %s AND status <> %s",
            ["convoy", "closed"],
        )[0][0]
        assert convoys == TIER_PLANS["small"].convoys
        assert scale_tier(town.polecats, convoys).name == "small"
        patrols = db.query(
            f"SELECT COUNT(*) FROM `{hq}`.wisps WHERE title LIKE %s AND status = %s",
            ["mol-%-patrol", "hooked"],
        )[0][0]
        assert patrols == 1 + 2 * len(town.rigs)  # deacon, and each rig's witness and refinery
        if variant == "v1.0.5":
            _assert_one_target_per_dependency(db, town)
    finally:
        db.close()
    assert 900 <= town.total_rows <= 1300


def _assert_one_target_per_dependency(db: Database, town: BuiltTown) -> None:
    seen = 0
    for database in town.databases.values():
        for table in ("dependencies", "wisp_dependencies"):
            rows = db.query(
                f"SELECT depends_on_issue_id, depends_on_wisp_id, depends_on_external"
                f" FROM `{database}`.`{table}`"
            )
            assert all(sum(value is not None for value in row) == 1 for row in rows)
            seen += len(rows)
    assert seen > 0


@pytest.mark.mariadb
def test_drop_removes_only_its_own_databases(tmp_path: Path, request, mariadb) -> None:
    neighbour = mariadb.fresh_database_names(1)[0]
    admin = mariadb.admin()

    def present() -> set[str]:
        return {row[0] for row in admin.query("SHOW DATABASES")}

    try:
        admin.execute(f"CREATE DATABASE `{neighbour}`")
        town = build_scale_town(tmp_path / "town", "small", server_url(mariadb), seed=1, now=NOW)
        other = build_scale_town(tmp_path / "other", "small", server_url(mariadb), seed=1, now=NOW)
        request.addfinalizer(other.drop)
        assert set(town.databases.values()) <= present()
        assert not set(town.databases.values()) & set(other.databases.values())
        town.drop()
        left = present()
        assert not set(town.databases.values()) & left
        assert neighbour in left and set(other.databases.values()) <= left
    finally:
        drop_database(admin, neighbour)
        admin.close()


def test_same_seed_and_now_give_the_same_rows(tmp_path: Path) -> None:
    dumps = []
    for name in ("a", "b"):
        town = build_scale_town(tmp_path / name, "small", seed=11, now=NOW)
        db = town.open_db(read_only=True)
        dumps.append(
            [
                db.query(f"SELECT * FROM `{d}`.`{t}` ORDER BY 1, 2")
                for d in town.databases.values()
                for t in ("issues", "wisps", "labels", "events")
            ]
        )
        db.close()
    assert dumps[0] == dumps[1]


def test_medium_town_on_sqlite(tmp_path: Path) -> None:
    town = build_scale_town(tmp_path / "town", "medium", seed=5, now=NOW)
    db = town.open_db(read_only=True)
    try:
        assert sum(count(db, d, t) for d, t in town.row_counts) == town.total_rows
    finally:
        db.close()
    assert 9_000 <= town.total_rows <= 12_000
    assert town.polecats == 20
    for rig in town.rigs:
        assert all(polecat_dir(town.root, rig.name, name).is_dir() for name in rig.polecats)


def test_builder_refuses_a_directory_holding_a_town(tmp_path: Path) -> None:
    build_scale_town(tmp_path / "town", "small", now=NOW)
    with pytest.raises(GtTuiError, match="already holds a town"):
        build_scale_town(tmp_path / "town", "small", now=NOW)
    with pytest.raises(GtTuiError, match="unknown scale"):
        build_scale_town(tmp_path / "x", "huge", now=NOW)
