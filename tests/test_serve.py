"""`gt-tui serve` as an operator runs it: a real subprocess over a town with known data on the
real MariaDB, scraped over HTTP; its /metrics parsed by prometheus_client's own parser must
hold exactly the figures of its /snapshot.json. One long refresh interval, so both answers
come from the one refresh it makes."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http import HTTPStatus
from pathlib import Path

import pytest
from helpers import clean_env, run_gt_tui
from serve_fixtures import (
    children,
    expected_series,
    get,
    known_town,
    parse_series,
    served_url,
    start_serve,
    stop,
    wait_healthy,
)
from sqlserver import SQLServer, free_port

from gt_tui.engine.readers import READERS
from gt_tui.engine.snapshot import Snapshot
from gt_tui.serve_http import STALE_MIN_S, Latest, Refresher, health_status

ONE_REFRESH = ("--refresh", "3600")
SOURCES = {reader.name for reader in READERS}
pytestmark = pytest.mark.xdist_group("serve")  # one served town for the module


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    base: str
    stderr: Path
    root: Path


@pytest.fixture(scope="module")
def town_root(tmp_path_factory: pytest.TempPathFactory, mariadb: SQLServer) -> Iterator[Path]:
    built = known_town(tmp_path_factory.mktemp("serve") / "town", mariadb)
    yield built.root
    built.close()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    return clean_env(home)


@pytest.fixture(scope="module")
def served(town_root: Path, env: dict[str, str]) -> Iterator[Served]:
    stderr = town_root.parent / "serve.err"
    args = ("--listen", "127.0.0.1:0", "--town", str(town_root), *ONE_REFRESH)
    proc = start_serve(env, town_root.parent, stderr, *args)
    try:
        base = served_url(proc, stderr)
        wait_healthy(base)
        yield Served(proc, base, stderr, town_root)
    finally:
        if proc.poll() is None:
            stop(proc)


def test_metrics_are_the_snapshots_figures(served: Served) -> None:
    status, content_type, text = get(f"{served.base}/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    doc = json.loads(get(f"{served.base}/snapshot.json")[2])
    assert doc["schema"] == 1 and doc.get("errors", []) == []
    series = parse_series(text)
    assert series == expected_series(doc, SOURCES)
    # the known data, as the snapshot reads it (tests/towns.py: lags 2, 4, 7 s; patrols 20,
    # 45, 70 s; spawns 3, 8, 20 s; two open convoys, two messages pending)
    town = ("town", "testtown")
    assert series[("gt_tui_mail_lag_seconds", frozenset({town, ("quantile", "0.5")}))] == 4.0
    assert series[("gt_tui_mail_lag_seconds", frozenset({town, ("quantile", "1")}))] == 7.0
    assert series[("gt_tui_patrol_cycle_seconds", frozenset({town, ("quantile", "1")}))] == 70.0
    assert series[("gt_tui_polecat_spawn_samples", frozenset({town}))] == 3
    assert series[("gt_tui_convoys_open", frozenset({town}))] == 2
    assert series[("gt_tui_mail_backlog", frozenset({town}))] == 2
    # few samples: judged on the second-largest, 4 s: warning (1 <= 4 <= 5)
    assert series[("gt_tui_health", frozenset({town, ("metric", "mail_lag")}))] == 1
    latency = doc["metrics"]["dolt_latency"]
    assert latency["unit"] == "ms" and latency["count"] >= 1
    dolt_max = series[("gt_tui_dolt_latency_seconds", frozenset({town, ("quantile", "1")}))]
    assert dolt_max == round(latency["max"] / 1000, 9) and 0 < dolt_max < 10  # seconds, not ms
    assert all(dict(labels)["town"] == "testtown" for _, labels in series)


def test_snapshot_json_is_the_snapshot_document(served: Served, env: dict[str, str]) -> None:
    status, content_type, body = get(f"{served.base}/snapshot.json")
    assert (status, content_type) == (200, "application/json")
    served_doc = json.loads(body)
    once = run_gt_tui(
        "--snapshot", "--format", "json", "--town", str(served.root), env=env, cwd=served.root
    )
    assert once.returncode == 0, once.stderr
    fresh = json.loads(once.stdout)
    assert set(served_doc) == set(fresh)
    assert served_doc["town"] == fresh["town"]
    assert {k: m["count"] for k, m in served_doc["metrics"].items()} == {
        k: m["count"] for k, m in fresh["metrics"].items()
    }


def test_healthz_and_unknown_paths(served: Served) -> None:
    assert get(f"{served.base}/healthz") == (200, "text/plain; charset=utf-8", "ok\n")
    status, _, body = get(f"{served.base}/nothing-here")
    assert status == 404 and body == "not found: /nothing-here\n"
    assert get(f"{served.base}/metrics/extra")[0] == 404


def test_openmetrics_on_request(served: Served) -> None:
    status, content_type, text = get(f"{served.base}/metrics", "application/openmetrics-text")
    assert status == 200 and content_type.startswith("application/openmetrics-text")
    assert text.rstrip().endswith("# EOF") and "gt_tui_polecats{" in text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_it_cleanly(
    signum: int, town_root: Path, env: dict[str, str], tmp_path: Path
) -> None:
    stderr = tmp_path / "err"
    args = ("--listen", "127.0.0.1:0", "--town", str(town_root), *ONE_REFRESH)
    proc = start_serve(env, tmp_path, stderr, *args)
    base = served_url(proc, stderr)
    wait_healthy(base)
    before = children(proc)
    assert stop(proc, signum) == 0
    text = stderr.read_text()
    assert "Traceback" not in text and text.splitlines() == [f"serving {base}/metrics"]
    assert not [child for child in before if child.is_running() and child.status() != "zombie"]
    with pytest.raises(OSError):
        get(f"{base}/healthz")  # nobody listens any more


def test_a_non_loopback_address_is_said(
    town_root: Path, env: dict[str, str], tmp_path: Path
) -> None:
    stderr = tmp_path / "err"
    args = ("--listen", "0.0.0.0:0", "--town", str(town_root), *ONE_REFRESH)
    proc = start_serve(env, tmp_path, stderr, *args)
    try:
        base = served_url(proc, stderr)
        assert base.startswith("http://0.0.0.0:")
        assert "0.0.0.0 is not a loopback address" in stderr.read_text()
    finally:
        assert stop(proc) == 0


@pytest.mark.parametrize(
    "listen, said",
    [
        ("nonsense", "expected HOST:PORT"),
        ("127.0.0.1:99999", "expected HOST:PORT"),
        ("127.0.0.1:", "expected HOST:PORT"),
        ("no-such-host.invalid:9464", "cannot listen there"),
    ],
)
def test_a_bad_listen_is_one_line(listen: str, said: str, tmp_path: Path) -> None:
    done = run_gt_tui("serve", "--listen", listen, env=clean_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and said in done.stderr, done.stderr


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_gt_tui(
            "serve", "--listen", f"127.0.0.1:{port}", env=clean_env(tmp_path), cwd=tmp_path
        )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"gt-tui: --listen 127.0.0.1:{port}: cannot listen there: Address already in use"
    ]


def test_serving_never_loads_textual(town_root: Path, tmp_path: Path) -> None:
    port = free_port()
    code = f"""
        import os, signal, sys, threading, time, urllib.request
        from gt_tui.cli import main

        def scrape_then_stop():
            for _ in range(600):
                try:
                    with urllib.request.urlopen("http://127.0.0.1:{port}/metrics", timeout=5) as r:
                        if b"gt_tui_polecats{{" in r.read():
                            break
                except OSError:
                    pass
                time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=scrape_then_stop, daemon=True).start()
        argv = ["serve", "--listen", "127.0.0.1:{port}", "--town", {str(town_root)!r}]
        rc = main([*argv, "--refresh", "3600"])
        print(rc, sorted(m for m in sys.modules if m.split(".")[0] == "textual"))
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "0 []", done.stderr


def test_healthz_turns_503_when_the_last_refresh_is_old() -> None:
    never, done = Latest(), Latest(done_at=1000.0)
    assert health_status(never, 1000.0, 2.0) == (HTTPStatus.SERVICE_UNAVAILABLE, "no refresh yet")
    assert health_status(done, 1000.0 + STALE_MIN_S, 2.0) == (HTTPStatus.OK, "ok")
    status, reason = health_status(replace(done, error="boom"), 1000.0 + 3 * 60 + 1, 60.0)
    assert status == HTTPStatus.SERVICE_UNAVAILABLE
    assert reason == "last refresh 181 s ago (more than 180 s); last refresh failed: boom"


def test_a_refresh_that_raises_is_kept_not_fatal() -> None:
    calls: list[int] = []
    called = threading.Event()

    def refresh() -> Snapshot:
        calls.append(1)
        called.set()
        raise RuntimeError("the town moved\nsecond line")

    refresher = Refresher(refresh, interval=3600)
    refresher.start()
    assert called.wait(timeout=60)
    assert refresher.stop(timeout=60)
    assert calls == [1] and refresher.latest == Latest(error="the town moved")
    assert refresher.health()[1] == "no refresh yet; last refresh failed: the town moved"
