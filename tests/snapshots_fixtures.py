"""Hand-built Snapshots and a fake engine for the console and render tests.

The numbers are fixed, made-up test data (deterministic formulas, no random generator); each
metric's p50/p95/max is computed from its samples the way the engine computes them.
"""

from __future__ import annotations

import html
import re
import statistics
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from gt_tui.engine.ops.preview import CleanupPreview, FlushPreview, PoolPreview, RigPlan
from gt_tui.engine.snapshot import (
    DoltInfo,
    EngineInfo,
    MapNode,
    MetricSummary,
    Sample,
    Snapshot,
    SourceError,
    TownInfo,
)
from gt_tui.errors import ReadOnlyRefused
from gt_tui.health import METRIC_BY_KEY, Health, few_samples, judge_window
from gt_tui.units import format_figure

NOW = datetime(2026, 5, 1, 14, 3, 27, tzinfo=UTC)
RIGS = ("gastown", "beads")
POLECATS = ("Toast", "Nux", "Furiosa", "Slit", "Capable", "Ace", "Dag", "Keeper", "Rictus")
ROLES = ("deacon", "witness", "refinery")

SOURCES = {
    "dolt_latency": "probe `SELECT active_branch()` through the console's pool, last 60 probes",
    "polecat_spawn": "`sling` → `session_start` events in .events.jsonl, last 15 min",
    "mail_lag": "message bead created_at → delivery-acked-at label, last 15 min",
    "convoy_refresh": "time to build the full convoy view with O(1) queries",
    "patrol_cycle": "closed_at − created_at of patrol root wisps, last 15 min",
}
NOTES = {
    "polecat_spawn": "event timestamps have 1-second resolution",
    "mail_lag": "database timestamps have 1-second resolution",
    "patrol_cycle": "database timestamps have 1-second resolution",
}


def summarise(key: str, samples: tuple[Sample, ...], **changes: object) -> MetricSummary:
    """A MetricSummary of `samples`, judged as the engine judges (`health.judge_window`)
    against the metric's default threshold."""
    spec = METRIC_BY_KEY[key]
    values = [s.value for s in samples]
    p95 = None
    if len(values) == 1:
        p95 = values[0]
    elif values:
        p95 = statistics.quantiles(values, n=100, method="inclusive")[94]
    median = statistics.median(values) if values else None
    runner_up = sorted(values)[-2] if len(values) > 1 else (values[0] if values else None)
    metric = MetricSummary(
        key=key,
        label=spec.label,
        unit=spec.unit,
        count=len(values),
        p50=median,
        p95=p95,
        max=max(values) if values else None,
        health=judge_window(spec.threshold, len(values), runner_up, p95),
        warning=spec.threshold.warning,
        danger=spec.threshold.danger,
        source=SOURCES[key],
        samples=samples,
        precision_note=NOTES.get(key, ""),
        few_samples=few_samples(len(values)),
    )
    return replace(metric, **changes)


def _series(key: str, count: int, every_s: float, value_of, subject_of, group_of):
    return tuple(
        Sample(
            value=round(value_of(i), 3),
            at=NOW - timedelta(seconds=every_s * (count - i)),
            subject=subject_of(i),
            group=group_of(i),
        )
        for i in range(count)
    )


def calm_metrics() -> tuple[MetricSummary, ...]:
    """Five healthy metrics with full windows."""
    dolt = _series(
        "dolt_latency",
        60,
        2,
        lambda i: 2.4 + (i * 7 % 11) / 4,
        lambda i: "probe",
        lambda i: "hq" if i % 3 else "gastown",
    )
    spawn = _series(
        "polecat_spawn",
        9,
        90,
        lambda i: 2.0 + (i * 5 % 7) / 3,
        lambda i: f"gastown/polecats/{POLECATS[i]}",
        lambda i: RIGS[i % 2],
    )
    mail = _series(
        "mail_lag",
        24,
        35,
        lambda i: 0.2 + (i * 3 % 5) / 10,
        lambda i: f"hq-m{i:03d}",
        lambda i: "mayor" if i % 4 else "witness",
    )
    convoy = _series(
        "convoy_refresh",
        30,
        30,
        lambda i: 0.18 + (i * 11 % 13) / 100,
        lambda i: "convoy view",
        lambda i: "",
    )
    patrol = _series(
        "patrol_cycle",
        18,
        50,
        lambda i: 14 + (i * 13 % 9),
        lambda i: f"hq-wisp-{i:02x}",
        lambda i: ROLES[i % 3],
    )
    return (
        summarise("dolt_latency", dolt),
        summarise("polecat_spawn", spawn),
        summarise("mail_lag", mail),
        summarise("convoy_refresh", convoy),
        summarise("patrol_cycle", patrol),
    )


def p95_fact(metrics: tuple[MetricSummary, ...], key: str, prefix: str = "p95") -> str:
    """A map box's p95 as the engine writes it, from the metric the pane shows."""
    metric = next(m for m in metrics if m.key == key)
    return f"{prefix} {format_figure(metric.p95, metric.unit, key)}"


def calm_nodes(metrics: tuple[MetricSummary, ...] | None = None) -> tuple[MapNode, ...]:
    healthy, m = Health.HEALTHY, metrics or calm_metrics()
    return (
        MapNode("mayor", "Mayor", healthy, ("oldest wait 48s", "2 slings queued")),
        MapNode("deacon", "Deacon", healthy, ("patrol p95 21 s", "heartbeat 12s ago")),
        MapNode("mail", "Mail", healthy, (p95_fact(m, "mail_lag", "lag p95"), "backlog 3")),
        MapNode(
            "dolt",
            "Dolt server",
            healthy,
            (p95_fact(m, "dolt_latency"), "12 connections", "0 long queries"),
        ),
        MapNode("witness", "Witness", healthy, ("patrol p95 22 s", "heartbeat 9s ago")),
        MapNode("refinery", "Refinery", healthy, ("2 merge requests", "oldest 4m 0s")),
        MapNode(
            "polecats",
            "Polecats",
            healthy,
            (p95_fact(m, "polecat_spawn", "spawn p95"), "7 running / 9"),
        ),
    )


def calm_snapshot(**changes: object) -> Snapshot:
    """A medium demo town where everything is healthy."""
    snapshot = Snapshot(
        generated_at=NOW,
        town=TownInfo(
            name="gastown-demo",
            root="/home/ops/gt",
            mode="demo",
            rigs=RIGS,
            scale="medium",
            scale_target_s=5.0,
            polecats=9,
            polecats_running=7,
            convoys_open=4,
            mail_backlog=3,
        ),
        dolt=DoltInfo(
            endpoint="root@127.0.0.1:3307", server="dolt", version="1.43.0", connections=12
        ),
        metrics=calm_metrics(),
        engine=EngineInfo(
            refresh_ms=182.0,
            queries=14,
            pool_open=3,
            pool_idle=2,
            cache_hits=340,
            cache_misses=12,
            cache_size=352,
            rate_tokens=98.0,
            queue_depth=0,
            queue_limit=100,
        ),
        bottlenecks=calm_nodes(),
    )
    return replace(snapshot, **changes)


def trouble_snapshot() -> Snapshot:
    """A town in trouble: Dolt in danger, spawn and mail in warning, patrol stale for 42 s."""
    dolt = _series(
        "dolt_latency",
        60,
        2,
        lambda i: 18 + (i * 7 % 11) * 3 + (45 if i > 50 else 0),
        lambda i: "probe",
        lambda i: "hq" if i % 3 else "gastown",
    )
    spawn = _series(
        "polecat_spawn",
        9,
        90,
        lambda i: 4.0 + (i * 5 % 7) * 1.4,
        lambda i: f"gastown/polecats/{POLECATS[i]}",
        lambda i: RIGS[i % 2],
    )
    mail = _series(
        "mail_lag",
        24,
        35,
        lambda i: 0.6 + (i * 3 % 5) * 0.9,
        lambda i: f"hq-m{i:03d}",
        lambda i: "mayor" if i % 4 else "witness",
    )
    since = NOW - timedelta(seconds=42)
    metrics = list(calm_metrics())
    metrics[0] = summarise("dolt_latency", dolt)
    metrics[1] = summarise("polecat_spawn", spawn)
    metrics[2] = summarise("mail_lag", mail)
    metrics[4] = replace(
        metrics[4], stale=True, error="wisps query timed out after 5 s", error_since=since
    )
    nodes = list(calm_nodes())
    m = tuple(metrics)
    nodes[3] = MapNode(
        "dolt",
        "Dolt server",
        Health.DANGER,
        (p95_fact(m, "dolt_latency"), "61 connections", "3 long queries > 5 s"),
    )
    lag = p95_fact(m, "mail_lag", "lag p95")
    nodes[2] = MapNode("mail", "Mail", Health.WARNING, (lag, "backlog 41"))
    nodes[6] = MapNode(
        "polecats",
        "Polecats",
        Health.WARNING,
        (p95_fact(m, "polecat_spawn", "spawn p95"), "9 running / 9"),
    )
    return calm_snapshot(
        metrics=tuple(metrics),
        bottlenecks=tuple(nodes),
        dolt=DoltInfo(
            "root@127.0.0.1:3307",
            "dolt",
            "1.43.0",
            61,
            probe="SELECT active_branch()",
            transport="tcp",
            max_connections=1000,
            new_connections_per_s=41.5,
            time_zone="SYSTEM",
            system_time_zone="UTC",
        ),
        engine=EngineInfo(
            refresh_ms=6420.0,
            queries=14,
            pool_open=10,
            pool_idle=0,
            cache_hits=120,
            cache_misses=96,
            rate_tokens=3.0,
            queue_depth=88,
            queue_limit=100,
        ),
        errors=(SourceError("patrol_cycle", "wisps query timed out after 5 s", since),),
    )


def empty_snapshot() -> Snapshot:
    """A town with nothing measured yet: every metric unknown, no map nodes."""
    metrics = tuple(summarise(m.key, ()) for m in calm_metrics())
    return calm_snapshot(metrics=metrics, bottlenecks=())


@dataclass
class ActionResult:
    """What an action returns (the contract of gt_tui.engine.actions)."""

    ok: bool
    summary: str
    details: str = ""


@dataclass
class FakeActions:
    """Records every call; refuses everything when read-only, like the real engine must."""

    read_only: bool = False
    calls: list[tuple[str, dict]] = field(default_factory=list)
    fail: bool = False
    gate: threading.Event | None = None

    def _do(self, name: str, **kwargs: object) -> ActionResult:
        if self.read_only:
            raise ReadOnlyRefused(name)
        self.calls.append((name, kwargs))
        if self.gate is not None:
            self.gate.wait(timeout=30)
        if self.fail:
            return ActionResult(False, f"{name} failed: no space left", "trace of what went wrong")
        return ActionResult(True, f"{name} done", f"details of {name}")

    def clear_cache(self, kind: str = "all") -> ActionResult:
        return self._do("clear_cache", kind=kind)

    def warm_cache(self, kind: str = "all") -> ActionResult:
        return self._do("warm_cache", kind=kind)

    def create_pool(self, rig: str | None = None, size: int | None = None) -> ActionResult:
        return self._do("create_pool", rig=rig, size=size)

    def flush_queue(self, rig: str | None = None) -> ActionResult:
        return self._do("flush_queue", rig=rig)

    def cleanup_tmux(self) -> ActionResult:
        return self._do("cleanup_tmux")

    # What the actions would do: read-only, so they answer in read-only mode too.
    preview_gate: threading.Event | None = None

    def _preview(self) -> None:
        if self.preview_gate is not None:
            self.preview_gate.wait(timeout=30)

    def preview_pool(self) -> PoolPreview:
        self._preview()
        return PoolPreview(4, (RigPlan("gastown", 3, 4), RigPlan("beads", 0, 4)))

    def preview_flush(self) -> FlushPreview:
        self._preview()
        return FlushPreview(3, (("beads", 1), ("gastown", 2)))

    def preview_cleanup(self) -> CleanupPreview:
        self._preview()
        return CleanupPreview(("gt-Nux", "hq-deacon"))

    def run_benchmark(self, kind: str, runs: int | None = None, progress=None) -> ActionResult:
        if progress is not None and not self.read_only:
            for step in range(1, 5):
                progress(step / 4)
        return self._do("run_benchmark", kind=kind, runs=runs)


class FakeEngine:
    """Returns queued snapshots (the last one repeats), can block or raise, counts its calls."""

    def __init__(self, *snapshots: Snapshot | Exception, read_only: bool = False) -> None:
        self.queue = list(snapshots) or [calm_snapshot()]
        self.read_only = read_only
        self.actions = FakeActions(read_only=read_only)
        self.calls = 0
        self.running = 0
        self.most_running = 0
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.closed = False
        self._lock = threading.Lock()

    def refresh(self) -> Snapshot:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        self.entered.set()
        try:
            if self.gate is not None:
                self.gate.wait(timeout=30)
            item = self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]
            if isinstance(item, Exception):
                raise item
            return item
        finally:
            with self._lock:
                self.running -= 1

    def close(self) -> None:
        self.closed = True


_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="[\d.]+"[^>]*>([^<]*)</text>'
)
_CELL_W, _LINE_H, _BASELINE = 12.2, 24.4, 20.0


def svg_text(svg: str) -> str:
    """The characters of a Rich/Textual SVG screenshot laid back out as lines of text."""
    rows: dict[int, dict[int, str]] = {}
    for x, y, content in _TEXT.findall(svg):
        row = round((float(y) - _BASELINE) / _LINE_H)
        col = round(float(x) / _CELL_W)
        for offset, char in enumerate(html.unescape(content).replace("\xa0", " ")):
            rows.setdefault(row, {})[col + offset] = char
    lines = []
    for row in range(max(rows, default=-1) + 1):
        cells = rows.get(row, {})
        lines.append("".join(cells.get(c, " ") for c in range(max(cells, default=-1) + 1)).rstrip())
    return "\n".join(lines) + "\n"


async def wait_for(pilot, condition, steps: int = 2000) -> None:
    """Let the app run until `condition()` holds (a safety bound, not a timing assertion)."""
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the condition never held")


def record_notifications(app) -> list[tuple[str, str]]:
    """Capture the app's notifications as (message, severity) pairs."""
    seen: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *, title="", severity="information", **kwargs):
        seen.append((str(message), severity))
        return original(message, title=title, severity=severity, **kwargs)

    app.notify = notify
    return seen


def screen_text(app) -> str:
    """What the user sees right now, as text."""
    return svg_text(app.export_screenshot())
