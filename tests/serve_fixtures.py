"""Helpers for the exporter tests: a town with known data on the session's MariaDB, `gt-tui
serve` as a real subprocess (stderr to a file, read for its "serving" line), HTTP GETs, and
the series of a Prometheus text parsed with prometheus_client's own parser."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil
from prometheus_client.parser import text_string_to_metric_families
from sqlserver import SQLServer
from towns import (
    BuiltTown,
    add_known_convoys,
    add_known_events,
    add_known_mail,
    add_known_patrols,
    build_town,
    emulate_dolt,
)

START_TIMEOUT = 90.0  # generous bounds on a hang, not timing assertions
STOP_TIMEOUT = 60.0
HTTP_TIMEOUT = 15.0
SERVING = re.compile(r"^serving (http://\S+)/metrics$", re.MULTILINE)
Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def known_town(root: Path, server: SQLServer) -> BuiltTown:
    """A MariaDB town (Dolt's functions emulated) with the known mail, convoys, patrols and
    events of tests/towns.py, written relative to now."""
    built = build_town(root, "mysql", server=server)
    now = datetime.now(UTC).replace(microsecond=0)
    for add in (add_known_mail, add_known_convoys, add_known_patrols, add_known_events):
        add(built, now)
    emulate_dolt(built.db, list(built.databases.values()))
    return built


def start_serve(
    env: dict[str, str], cwd: Path, stderr: Path, *args: str
) -> subprocess.Popen[bytes]:
    with stderr.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "gt_tui", "serve", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


def served_url(proc: subprocess.Popen[bytes], stderr: Path) -> str:
    """The base URL of the "serving http://HOST:PORT/metrics" line, once it is printed."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = SERVING.search(stderr.read_text())
        if found:
            return found.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {stderr.read_text()}")
        time.sleep(0.05)
    stop(proc)
    raise AssertionError(f"serve never said where it serves: {stderr.read_text()}")


def get(url: str, accept: str | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of a GET, error statuses included."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def wait_healthy(base: str) -> None:
    """Until /healthz says 200: the first refresh is done."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if get(f"{base}/healthz")[0] == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"{base} never became healthy: {get(f'{base}/healthz')}")


def stop(proc: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
    """SIGTERM (or `signum`), then its exit code; killed (and the test failed) if it does
    not exit."""
    proc.send_signal(signum)
    try:
        return proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
        raise AssertionError(f"serve did not stop on signal {signum}") from None


def children(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def parse_series(text: str) -> Series:
    """Every sample of a Prometheus text, keyed by name and labels (a repeat fails)."""
    found: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in found, f"series twice: {key}"
            found[key] = sample.value
    return found


def expected_series(doc: dict, sources: set[str]) -> Series:  # type: ignore[type-arg]
    """The series the exposition must hold for a JSON snapshot document, worked out here
    from the README's table (not by the code under test): seconds, unknown figures absent."""
    town = doc["town"]["name"]
    out: Series = {}

    def put(name: str, value: float | None, **labels: str) -> None:
        if value is not None:
            out[(f"gt_tui_{name}", frozenset({"town": town, **labels}.items()))] = value

    health = {"healthy": 0, "warning": 1, "danger": 2, "unknown": -1}
    for key, m in doc["metrics"].items():
        per_second = 1000 if m["unit"] == "ms" else 1
        for quantile, field in (("0.5", "p50"), ("0.95", "p95"), ("1", "max")):
            value = None if m[field] is None else round(m[field] / per_second, 9)
            put(f"{key}_seconds", value, quantile=quantile)
        put(f"{key}_samples", m["count"])
        put("health", health[m["health"]], metric=key)
    for name, section, field in (
        ("polecats", "town", "polecats"),
        ("polecats_running", "town", "polecats_running"),
        ("convoys_open", "town", "convoys_open"),
        ("mail_backlog", "town", "mail_backlog"),
        ("dolt_connections", "dolt", "connections"),
    ):
        put(name, doc[section][field])
    put("refresh_seconds", round(doc["engine"]["refresh_ms"] / 1000, 9))
    failing = {e["source"] for e in doc.get("errors", [])}
    for source in sources | failing:
        put("source_up", 0 if source in failing else 1, source=source)
    return out
