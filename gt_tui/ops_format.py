"""How the ops subcommands print: benchmark results and comparisons as text, values as JSON.

Pure formatting, no I/O but the `out` stream handed in; `ops_cli` runs the commands.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from gt_tui.engine.bench import compare as bench_compare
from gt_tui.engine.bench import results as bench_results
from gt_tui.export.bench_view import bench_lines
from gt_tui.units import format_duration


def describe(result: bench_results.BenchResult) -> list[str]:
    """A benchmark result as text lines: one per group, headline marked (the console's
    result dialog shows the same table: `export.bench_view`)."""
    return bench_lines(result)


def describe_refresh(result: bench_results.BenchResult) -> list[str]:
    """The refresh benchmark: the first refresh apart from the steady ones, then how rows
    read was counted (server-wide) or why it is not available."""
    p = result.params
    first, steady, rows = p["first"], p["steady"], p["rows_read"]
    lines = [
        f"refresh benchmark: 1 first + {result.runs} steady refreshes,"
        f" {format_duration(p['pace_s'])} apart, server {p['server']}",
        f"  first   {_ms(first['ms']):>9}  queries {first['queries']:>3}"
        f"  rows read {_rows(first['rows_read'])}",
        f"  steady  p50 {_ms(steady['ms_p50'])}  p95 {_ms(steady['ms_p95'])}"
        f"  queries {steady['queries']} (max {steady['queries_max']})"
        f"  rows read p50 {_rows(steady['rows_read_p50'])} max {_rows(steady['rows_read_max'])}",
    ]
    if not rows["available"]:
        return [*lines, f"  rows read: not available ({rows['note']})"]
    clamped = rows["clamped"]
    return [
        *lines,
        f"  rows read: the sum of Handler_read_*, {rows['scope']}",
        f"    less the reading's own {rows['reading_cost']} rows (median of"
        f" {len(rows['reading_cost_samples'])}); {clamped} interval(s) below 0 shown as 0",
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else format_duration(value / 1000.0)


def _rows(value: int | None) -> str:
    return "not available" if value is None else f"{value:,}"


def describe_comparison(comparison: bench_compare.Comparison, args: Any) -> list[str]:
    """Two runs side by side: each statistic, after/before, and the verdict: a change only
    when it is beyond the noise and over the practical threshold."""
    lines = [f"{comparison.kind} ({comparison.unit}): {args.before} -> {args.after}"]
    for group in comparison.groups:
        lines.append(f"  {group.label}: {_verdict(group)}")
        for stat in group.ratios:
            ratio = f"x{stat.ratio:.2f}" if stat.ratio is not None else "-"
            lines.append(
                f"    {stat.stat:<4} {_num(stat.before):>10} {_num(stat.after):>10}  {ratio}"
            )
    return lines


def _verdict(group: bench_compare.GroupComparison) -> str:
    """The verdict: changed, or no change and why (within the noise, under the threshold)."""
    noise = f"p = {group.p_value:.3g}, {group.method}"
    limit = f"{group.threshold:.0%}"
    moved = "" if group.change is None else f"median {group.change:+.1%}, "
    if group.significant:
        return f"changed: {moved}beyond noise ({noise}) and over {limit}"
    if group.beyond_noise:
        return f"no change: {moved}under the {limit} threshold (beyond noise, {noise})"
    return f"no change: {moved}within noise ({noise})"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def write_json(out: TextIO, value: Any) -> int:
    out.write(json.dumps(plain(value), indent=2) + "\n")
    return 0


def plain(value: Any) -> Any:
    """Dataclasses, paths and datetimes as JSON-ready values."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value
