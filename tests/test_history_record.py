"""`--record`: every refresh is one record, through the facade the console, the wall and
`serve` share; over a real sandbox town (SQLite, in process) and a MariaDB town (`gt-tui
serve --record`, a real subprocess); a failing disk is a source error and recording resumes."""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import clean_env, run_main
from serve_fixtures import get, known_town, served_url, start_serve, stop, wait_healthy
from snapshots_fixtures import FakeEngine, calm_snapshot
from towns import add_known_mail, build_town

from gt_tui.engine.facade import RECORD_SOURCE
from gt_tui.history import HistoryWriter, default_history_path, read_history
from gt_tui.modes import console_facade, open_engine, recording

WAIT_S = 90.0  # a bound on a hang, not a timing assertion


def test_each_refresh_of_a_real_town_is_one_record(tmp_path):
    built = build_town(tmp_path / "town", "sqlite")
    try:
        add_known_mail(built, calm_snapshot().generated_at)
        engine = open_engine(built.root, argparse.Namespace(set=[]), mode="live", read_only=True)
        path = tmp_path / "rec.sqlite"
        args = argparse.Namespace(record=str(path))
        try:
            with recording(args, engine) as recorder:
                facade = console_facade(engine, recorder=recorder)
                shown = [facade.refresh() for _ in range(4)]
        finally:
            engine.close()
    finally:
        built.close()
    read = read_history(path)
    assert read.warning is None
    assert read.snapshots == tuple(shown)  # exactly what the console showed, samples too
    assert read.snapshots[0].town.name == "testtown"
    assert any(m.samples for m in read.snapshots[-1].metrics)


def test_record_without_a_file_uses_the_towns_file_in_the_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    built = build_town(tmp_path / "town", "sqlite", name="gastown")
    try:
        engine = open_engine(built.root, argparse.Namespace(set=[]), mode="live", read_only=True)
        try:
            with recording(argparse.Namespace(record=""), engine) as recorder:
                console_facade(engine, recorder=recorder).refresh()
        finally:
            engine.close()
    finally:
        built.close()
    path = default_history_path("gastown")
    assert path.is_relative_to(tmp_path / "state" / "gt-tui")
    assert len(read_history(path).snapshots) == 1


def test_without_record_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    engine = FakeEngine(calm_snapshot())
    with recording(argparse.Namespace(record=None), engine) as recorder:
        assert recorder is None
        console_facade(engine, recorder=recorder).refresh()
    assert not (tmp_path / "state").exists()


def test_a_failing_disk_is_a_source_error_and_recording_resumes(tmp_path):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the history's directory should be")
    path = blocker / "rec.sqlite"
    base = calm_snapshot()
    snaps = [replace(base, generated_at=base.generated_at + timedelta(seconds=i)) for i in range(4)]
    facade = console_facade(FakeEngine(*snaps), recorder=HistoryWriter(path, 86_400))
    first, second = facade.refresh(), facade.refresh()
    for shown in (first, second):
        errors = [e for e in shown.errors if e.source == RECORD_SOURCE]
        assert len(errors) == 1 and str(path) in errors[0].message
        assert "\n" not in errors[0].message
        assert errors[0].since == snaps[0].generated_at  # failing since the first
    blocker.unlink()
    third = facade.refresh()
    assert third == snaps[2]  # no error any more
    facade.refresh()
    assert read_history(path).snapshots == tuple(snaps[2:])


def test_a_disk_that_fills_up_is_one_line_too(tmp_path):
    full = Path("/dev/full")
    if not full.exists() or os.geteuid() != 0:
        pytest.skip("needs /dev/full and root to point a history at it")
    # A history whose WAL cannot grow: its -wal file is /dev/full.
    path = tmp_path / "rec.sqlite"
    writer = HistoryWriter(path, 86_400)
    assert writer.append(calm_snapshot()) is None
    writer.close()
    wal = Path(f"{path}-wal")
    wal.unlink(missing_ok=True)
    wal.symlink_to(full)
    writer = HistoryWriter(path, 86_400)
    problem = writer.append(calm_snapshot())
    assert problem is not None and "\n" not in problem and str(path) in problem
    writer.close()


@pytest.mark.mariadb
def test_serve_records_a_mariadb_town(tmp_path, mariadb):
    built = known_town(tmp_path / "town", mariadb)
    rec, stderr = tmp_path / "serve.history.sqlite", tmp_path / "serve.err"
    args = ("--listen", "127.0.0.1:0", "--town", str(built.root), "--refresh", "0.5")
    proc = start_serve(clean_env(tmp_path / "home"), tmp_path, stderr, *args, "--record", str(rec))
    try:
        base = served_url(proc, stderr)
        wait_healthy(base)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and len(read_history(rec).snapshots) < 3:
            time.sleep(0.2)
        served = json.loads(get(f"{base}/snapshot.json")[2])
    finally:
        assert stop(proc) == 0
        built.close()
    read = read_history(rec)
    assert read.warning is None and len(read.snapshots) >= 3
    times = [s.generated_at for s in read.snapshots]
    assert times == sorted(times) and len(set(times)) == len(times)  # one record per refresh
    last = read.snapshots[-1]
    assert last.town.name == served["town"]["name"]
    assert last.town.mail_backlog == served["town"]["mail_backlog"] == 2
    assert sum(len(m.samples) for m in last.metrics) > 0


@pytest.mark.parametrize(
    "argv",
    [("--snapshot", "--record"), ("--record", "x.sqlite", "config", "list")],
)
def test_record_where_nothing_refreshes_is_refused(tmp_path, argv):
    done = run_main(*argv, env=clean_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--record records the console" in done.stderr
