"""The performance report as one self-contained HTML page: inline CSS, inline SVG, one small
inline script, nothing loaded at view time.

Every text that comes from the town (bead ids, subjects, details, names, setting values)
goes through `html.escape`; the SVG parts escape their own (pygal and ElementTree). The
script only checks the page: it records any script error into `#script-errors` and, once
loaded, counts the charts into `#render-check` (what a headless browser's DOM dump shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from gt_tui.engine.snapshot import Snapshot
from gt_tui.export.json import rfc3339
from gt_tui.report.charts import CHART_CLASS, HEALTH_COLOURS, metric_chart
from gt_tui.report.data import (
    MetricHistory,
    bottleneck_timeline,
    metric_histories,
    scale_rows,
    setting_rows,
    slowest,
)
from gt_tui.report.strips import STRIP_CLASS, bottleneck_strips, health_strips
from gt_tui.settings import Settings
from gt_tui.units import format_figure

CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 960px; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
td, th { border: 1px solid #ddd; padding: .2em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.health { font-weight: bold; } .meta { color: #555; } svg { max-width: 100%; height: auto; }
#script-errors:empty { display: none; } #script-errors, .warning { color: #b00; }
"""
# Runs in the page: errors into the DOM; then how many charts and strips rendered.
SCRIPT = f"""
window.onerror = function (message, source, line) {{
  document.getElementById("script-errors").textContent += message + " (line " + line + ")\\n";
}};
window.addEventListener("load", function () {{
  var check = document.getElementById("render-check");
  check.setAttribute("data-charts", document.querySelectorAll("svg.{CHART_CLASS}").length);
  check.setAttribute("data-strips", document.querySelectorAll("svg.{STRIP_CLASS}").length);
  check.setAttribute("data-rendered", "yes");
}});
"""


@dataclass(frozen=True)
class Origin:
    """What the report was made from, in words: a history file or one fresh refresh."""

    source: str
    since: datetime | None = None
    warning: str | None = None  # the history's, when it was damaged


def render_page(
    snapshots: Sequence[Snapshot], origin: Origin, settings: Settings, made: datetime
) -> str:
    """The whole page over `snapshots` (oldest first, at least one)."""
    newest = snapshots[-1]
    histories = metric_histories(snapshots)
    times = [s.generated_at for s in snapshots]
    parts = [
        f"<h1>Performance report: {escape(newest.town.name)}</h1>",
        _made(snapshots, origin, made),
        "<h2>Now</h2>",
        _table(("metric", "p50", "p95", "samples", "health"), _now_rows(newest)),
        "<h2>Metrics over time</h2>",
        *(_chart_section(h) for h in histories),
        "<h2>Health over time</h2>",
        health_strips(histories, times),
        "<h2>Bottleneck timeline</h2>",
        bottleneck_strips(bottleneck_timeline(snapshots), times),
        _table(("from", "to", "worst part of the town", "health"), _spans(snapshots)),
        "<h2>Slowest beads and polecats</h2>",
        *(_slowest_section(snapshots, h) for h in histories),
        "<h2>Town scale</h2>",
        _table(("what", "value"), scale_rows(newest)),
        "<h2>Settings in force</h2>",
        _table(("setting", "value", "from"), setting_rows(settings)),
    ]
    return _document(newest.town.name, "\n".join(parts))


def _document(town: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>gt-tui performance report: {escape(town)}</title>"
        f"<style>{CSS}</style><script>{SCRIPT}</script></head><body>\n"
        '<pre id="script-errors"></pre><p id="render-check" hidden></p>\n'
        f"{body}\n</body></html>\n"
    )


def _made(snapshots: Sequence[Snapshot], origin: Origin, made: datetime) -> str:
    first, last = snapshots[0].generated_at, snapshots[-1].generated_at
    since = f", since {rfc3339(origin.since)}" if origin.since else ""
    count = "one refresh" if len(snapshots) == 1 else f"{len(snapshots)} refreshes"
    return (
        f'<p class="meta">Made {escape(rfc3339(made))} from {escape(origin.source)}{since}: '
        f"{count}, {escape(rfc3339(first))} to {escape(rfc3339(last))}.</p>"
        + (f'<p class="warning">{escape(origin.warning)}</p>' if origin.warning else "")
    )


def _figure(value: float | None, unit: str, key: str) -> str:
    return "—" if value is None else format_figure(value, unit, key)


def _health(word: str) -> str:
    colour = HEALTH_COLOURS.get(word, HEALTH_COLOURS["unknown"])
    return f'<span class="health" style="color:{colour}">{escape(word)}</span>'


def _now_rows(snapshot: Snapshot) -> list[tuple[str, ...]]:
    return [
        (
            m.label,
            _figure(m.p50, m.unit, m.key),
            _figure(m.p95, m.unit, m.key),
            str(m.count),
            _Raw(_health(m.health.value)),
        )
        for m in snapshot.metrics
    ]


def _chart_section(history: MetricHistory) -> str:
    return (
        f'<section class="metric" data-metric="{escape(history.key)}">'
        f"<h3>{escape(history.label)}</h3>{metric_chart(history)}</section>"
    )


def _spans(snapshots: Sequence[Snapshot]) -> list[tuple[str, ...]]:
    """Runs of refreshes with the same worst part, as (from, to, part, health)."""
    spans: list[list[object]] = []
    for worst in bottleneck_timeline(snapshots):
        if spans and spans[-1][2] == worst.title and spans[-1][3] == worst.health:
            spans[-1][1] = worst.at
        else:
            spans.append([worst.at, worst.at, worst.title, worst.health])
    return [
        (f"{a:%H:%M:%S}", f"{b:%H:%M:%S}", str(title), _Raw(_health(str(health))))
        for a, b, title, health in spans
    ]


def _slowest_section(snapshots: Sequence[Snapshot], history: MetricHistory) -> str:
    rows = [
        (
            format_figure(slow.sample.value, slow.unit, slow.metric),
            slow.sample.subject,
            slow.sample.group,
            slow.sample.detail,
            f"{slow.sample.at:%Y-%m-%d %H:%M:%S}",
        )
        for slow in slowest(snapshots, history.key)
    ]
    head = ("value", "subject", "group", "detail", "at")
    table = _table(head, rows) if rows else "<p>No samples.</p>"
    return f'<h3>{escape(history.label)}</h3><div class="slowest">{table}</div>'


class _Raw(str):
    """A cell already made of safe HTML (built here from escaped parts)."""

    __slots__ = ()


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    def cell(value: str) -> str:
        text = value if isinstance(value, _Raw) else escape(value)
        return f"<td>{text}</td>"

    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(f"<tr>{''.join(cell(v) for v in row)}</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"
