"""A real Prometheus (Debian's `prometheus`) scraping `gt-tui serve` over a town with known
data on the real MariaDB: what PromQL returns through Prometheus's HTTP API is what /metrics
says, and the town's known figures come back as numbers an operator would query.

The binary is looked up on PATH (and /usr/bin); without it the tests skip with the reason,
and under CI=true they fail (.ci/run installs it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import clean_env, missing
from serve_fixtures import (
    Series,
    get,
    known_town,
    parse_series,
    served_url,
    start_serve,
    stop,
    wait_healthy,
)
from sqlserver import SQLServer, free_port

pytestmark = pytest.mark.xdist_group("prometheus_real")  # one Prometheus for the module

READY_TIMEOUT = 90.0  # bounds on a hang, not timing assertions
STOP_TIMEOUT = 30.0
TOWN = ("town", "testtown")


@dataclass
class Scraped:
    """A served town and the Prometheus that scrapes it."""

    serve_base: str
    prometheus_base: str


def prometheus_binary() -> str:
    found = shutil.which("prometheus") or shutil.which("prometheus", path="/usr/bin")
    if not found:
        missing("prometheus is not installed (Debian: apt-get install prometheus)")
    return found


def scrape_config(target: str) -> str:
    """One job, scraped every second, so the test waits a second or two, not fifteen."""
    return "\n".join(
        [
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: gt-tui",
            "    static_configs:",
            f"      - targets: ['{target}']",
            "",
        ]
    )


def start_prometheus(binary: str, target: str, where: Path) -> tuple[subprocess.Popen[bytes], str]:
    config = where / "prometheus.yml"
    config.write_text(scrape_config(target))
    port = free_port()
    log = (where / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={where / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1h",
        ],
        cwd=where,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return proc, f"http://127.0.0.1:{port}"


def stop_prometheus(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)


def until(what: str, probe: object, log: Path) -> None:
    """Poll `probe()` until it is true; fail with Prometheus's log if it never is."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if probe():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} never happened; prometheus said:\n{log.read_text()[-3000:]}")


def query(base: str, promql: str) -> list[dict]:  # type: ignore[type-arg]
    """An instant query through the HTTP API: the result vector."""
    status, _, body = get(f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}")
    answer = json.loads(body)
    assert status == 200 and answer["status"] == "success", body
    assert answer["data"]["resultType"] == "vector"
    result: list[dict] = answer["data"]["result"]  # type: ignore[type-arg]
    return result


def as_series(result: list[dict]) -> Series:  # type: ignore[type-arg]
    """Prometheus's vector keyed as serve_fixtures.parse_series keys /metrics, without the
    labels Prometheus adds to every scraped series (job, instance)."""
    out: Series = {}
    for item in result:
        labels = {k: v for k, v in item["metric"].items() if k not in ("job", "instance")}
        name = labels.pop("__name__")
        out[(name, frozenset(labels.items()))] = float(item["value"][1])
    return out


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory, mariadb: SQLServer) -> Iterator[Scraped]:
    binary = prometheus_binary()
    where = tmp_path_factory.mktemp("prometheus")
    built = known_town(where / "town", mariadb)
    stderr = where / "serve.err"
    args = ("--listen", "127.0.0.1:0", "--town", str(built.root), "--refresh", "3600")
    serve = start_serve(clean_env(where / "home"), where, stderr, *args)
    prometheus = None
    try:
        serve_base = served_url(serve, stderr)
        wait_healthy(serve_base)
        target = urllib.parse.urlsplit(serve_base).netloc
        prometheus, base = start_prometheus(binary, target, where)
        log = where / "prometheus.log"
        until("prometheus ready", lambda: get(f"{base}/-/ready")[0] == 200, log)
        until("a first scrape", lambda: query(base, 'up{job="gt-tui"} == 1'), log)
        until("the town's series", lambda: query(base, "gt_tui_polecats"), log)
        yield Scraped(serve_base, base)
    finally:
        if prometheus is not None:
            stop_prometheus(prometheus)
        if serve.poll() is None:
            stop(serve)
        built.close()


def test_prometheus_holds_every_series_that_serve_exposes(scraped: Scraped) -> None:
    exposed = parse_series(get(f"{scraped.serve_base}/metrics")[2])
    stored = as_series(query(scraped.prometheus_base, '{__name__=~"gt_tui_.+"}'))
    assert stored == exposed
    assert len(stored) > 40  # five metrics × (three quantiles, samples, health), and the rest


def test_promql_returns_the_towns_known_figures(scraped: Scraped) -> None:
    base = scraped.prometheus_base

    def one(promql: str) -> float:
        result = query(base, promql)
        assert len(result) == 1, (promql, result)
        assert dict(result[0]["metric"]).get("town", "testtown") == "testtown"
        return float(result[0]["value"][1])

    # tests/towns.py's known data: lags 2, 4, 7 s; patrols 20, 45, 70 s; spawns 3, 8, 20 s;
    # two open convoys, two messages pending
    assert one('gt_tui_mail_lag_seconds{quantile="0.5"}') == 4.0
    assert one('gt_tui_mail_lag_seconds{quantile="1"}') == 7.0
    assert one('gt_tui_patrol_cycle_seconds{quantile="1"}') == 70.0
    assert one("gt_tui_polecat_spawn_samples") == 3
    assert one("gt_tui_convoys_open") == 2
    assert one("gt_tui_mail_backlog") == 2
    assert one('gt_tui_health{metric="mail_lag"}') == 1  # warning
    # PromQL over the family: every source up, the worst health a warning at most
    assert one('min(gt_tui_source_up{town="testtown"})') == 1
    exposed = parse_series(get(f"{scraped.serve_base}/metrics")[2])
    worst = max(v for (name, _), v in exposed.items() if name == "gt_tui_health")
    assert one('max(gt_tui_health{town="testtown"})') == worst >= 1
    assert 0 < one('gt_tui_dolt_latency_seconds{quantile="1"}') < 10  # seconds, not ms
