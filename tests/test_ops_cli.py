"""The pool / tmux / benchmark subcommands through the real guarded facade and audit log."""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import run_git, tmux

from gt_tui.engine.actions import Actions
from gt_tui.engine.audit import AuditLog
from gt_tui.engine.cache.tiers import CacheConfig, EngineCache
from gt_tui.engine.limits.bundle import Limits
from gt_tui.errors import GtTuiError, ReadOnlyRefused
from gt_tui.ops_cli import OpsContext, run_ops
from gt_tui.ops_parsers import add_ops_parsers
from gt_tui.settings import Settings
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.sqlite_db import SQLiteDatabase

RIG = Rig("gastown", "gt", "gastown")
MakeCtx = Callable[..., OpsContext]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gt-tui")
    add_ops_parsers(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def town(tmp_path: Path, git_repo: Path, tmux_socket: str) -> Town:
    root = tmp_path / "town"
    (root / RIG.name).mkdir(parents=True)
    run_git(tmp_path, "clone", "-q", "--bare", str(git_repo), str(root / RIG.name / ".repo.git"))
    return Town(root, "testtown", (RIG,), "hq", Endpoint(), tmux_socket)


@pytest.fixture
def make_ctx(town: Town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeCtx]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sqlite3.connect(tmp_path / "hq.db").close()
    db = SQLiteDatabase({"hq": tmp_path / "hq.db"})
    settings = Settings.defaults()

    def build(read_only: bool = False) -> OpsContext:
        actions = Actions(
            town,
            db,
            settings,
            read_only=read_only,
            audit_log=AuditLog(tmp_path / "audit.jsonl", user="tester"),
            cache=EngineCache(CacheConfig.from_settings(settings)),
            limits=Limits(settings),
        )
        return OpsContext(town, db, settings, read_only, actions)

    yield build
    db.close()


def run(ctx: OpsContext, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_ops(parse(*argv), ctx, out)
    return code, out.getvalue()


def audit(tmp_path: Path) -> list[tuple[str, str]]:
    entries = AuditLog(tmp_path / "audit.jsonl").entries()
    return [(e["action"], e["result"]["status"]) for e in entries]


def test_pool_create_and_list(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx()

    code, shown = run(ctx, "pool", "create", "--rig", "gastown", "--size", "2", "--yes")
    _, listed = run(ctx, "pool", "list")
    _, as_json = run(ctx, "pool", "list", "--format", "json")

    assert code == 0
    assert shown.startswith("gastown: created 2 (Alder, Aspen); 0 existed; target 2 via git")
    assert listed.splitlines()[0] == "gastown: 2 idle, 0 in use (cap 20)"
    assert [p["name"] for p in json.loads(as_json)[0]["polecats"]] == ["Alder", "Aspen"]
    assert audit(tmp_path) == [("pool.create", "ok")]


def test_a_change_needs_yes_without_a_terminal(make_ctx: MakeCtx, tmp_path: Path) -> None:
    with pytest.raises(GtTuiError, match="refused without --yes"):
        run(make_ctx(), "pool", "create", "--size", "2")
    assert not (tmp_path / "town" / "gastown" / "polecats").exists()
    assert audit(tmp_path) == []


def test_read_only_refuses_and_audits_the_refusal(make_ctx: MakeCtx, tmp_path: Path) -> None:
    with pytest.raises(ReadOnlyRefused):
        run(make_ctx(read_only=True), "tmux", "tune")
    assert audit(tmp_path) == [("tmux.tune", "refused")]


def test_tmux_list_and_cleanup(make_ctx: MakeCtx, town: Town) -> None:
    tmux(town.tmux_socket, "new-session", "-d", "-s", "gt-Toast", "sleep 600")
    tmux(town.tmux_socket, "new-session", "-d", "-s", "gt-Nux", "-e", "GT_PROCESS_NAMES=x", "sh")
    ctx = make_ctx()

    _, listed = run(ctx, "tmux", "list")
    code, cleaned = run(ctx, "tmux", "cleanup", "--dead", "--yes")

    rows = {line.split()[0]: line for line in listed.splitlines()[1:-1]}
    assert "alive" in rows["gt-Toast"] and "DEAD (agent gone)" in rows["gt-Nux"]
    assert listed.splitlines()[-1] == "2 of 50 tmux sessions in use"
    assert code == 0 and "gt-Nux: agent gone" in cleaned
    assert "killed 1 dead sessions: gt-Nux" in cleaned


def test_benchmark_saves_and_compares(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx()
    ctx.actions.convoy_view = lambda: sum(range(1000))

    code, shown = run(ctx, "benchmark", "--type", "convoy", "--runs", "4", "--save", "one")
    _, as_json = run(ctx, "benchmark", "--type", "convoy", "--runs", "4", "--format", "json")
    _, compared = run(ctx, "benchmark", "compare", "--before", "one", "--after", "one")

    assert code == 0 and shown.startswith("convoy benchmark: 4 runs, ms,")
    assert len(json.loads(as_json)["samples"]) == 4
    assert (tmp_path / "state" / "gt-tui" / "bench" / "one.json").is_file()
    assert "within noise (p = 1" in compared
    assert audit(tmp_path) == [("benchmark.run", "ok"), ("benchmark.run", "ok")]
    with pytest.raises(GtTuiError, match="say --type"):
        run(ctx, "benchmark")
