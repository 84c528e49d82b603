"""screenshots/prometheus.png: a real Prometheus graphing `gt-tui serve` over the live demo.

    .venv/bin/python scripts/prometheus_screenshot.py [--minutes 3] [--out FILE.png]

Starts the live demo town (`gt-tui sandbox run`, its own process), `gt-tui serve` over it on a
free loopback port, and Debian's `prometheus` scraping it every 2 s from a temporary directory;
after `--minutes` of scraping, headless Chromium photographs Prometheus's graph page with the
Dolt latency p95, every metric's health and the mail lag quantiles. Every figure in it was
scraped from the demo. Everything it started is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from wall_tmux import GT_TUI, SandboxRun

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from sqlserver import free_port  # noqa: E402

SERVING = re.compile(r"^serving (http://\S+)/metrics$", re.MULTILINE)
UP_TIMEOUT_S = 90.0
BROWSER_TIMEOUT_S = 120.0
PANELS = (
    'gt_tui_dolt_latency_seconds{quantile="0.95"} * 1000',
    "gt_tui_health",
    "gt_tui_mail_lag_seconds",
)


@contextlib.contextmanager
def child(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own session, its output to `log`; SIGTERM then SIGKILL at the end."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, start_new_session=True
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


def wait_for(what: str, probe: object) -> object:
    deadline = time.monotonic() + UP_TIMEOUT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            found = probe()  # type: ignore[operator]
            if found:
                return found
        time.sleep(0.5)
    raise SystemExit(f"{what} never happened")


def ready(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return bool(answer.status == 200)


def graph_url(base: str) -> str:
    params: dict[str, str] = {}
    for index, expr in enumerate(PANELS):
        params |= {f"g{index}.expr": expr, f"g{index}.tab": "0", f"g{index}.range_input": "5m"}
    return f"{base}/graph?{urllib.parse.urlencode(params)}"


def photograph(url: str, out: Path, profile: Path) -> None:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    argv = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
        "--window-size=1400,2400", f"--screenshot={out.resolve()}", url,
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        proc.wait(timeout=BROWSER_TIMEOUT_S)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "prometheus.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gt-tui-prom-") as tmp, SandboxRun() as demo:
        where = Path(tmp)
        serve_log = where / "serve.log"
        serve = [str(GT_TUI), "serve", "--town", str(demo.root), "--listen", "127.0.0.1:0",
                 "--refresh", "2"]  # fmt: skip
        with child(serve, serve_log):
            found = wait_for("serve", lambda: SERVING.search(serve_log.read_text()))
            target = urllib.parse.urlsplit(found.group(1)).netloc  # type: ignore[attr-defined]
            config = where / "prometheus.yml"
            scrape = {"job_name": "gt-tui", "static_configs": [{"targets": [target]}]}
            every = {"scrape_interval": "2s", "scrape_timeout": "2s"}
            config.write_text(json.dumps({"global": every, "scrape_configs": [scrape]}))  # YAML
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            prometheus = [
                shutil.which("prometheus") or "/usr/bin/prometheus",
                f"--config.file={config}", f"--storage.tsdb.path={where / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ]  # fmt: skip
            with child(prometheus, where / "prometheus.log"):
                wait_for("prometheus", lambda: ready(f"{base}/-/ready"))
                print(f"scraping {target} for {args.minutes:g} min", file=sys.stderr)
                time.sleep(args.minutes * 60)
                photograph(graph_url(base), args.out, where / "profile")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
