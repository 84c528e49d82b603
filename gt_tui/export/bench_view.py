"""A benchmark result as a table: the CLI's text lines and the console's Rich table, alike.

One set of rows for both: a row per group (headline marked `*`), p50/p95/p99 in the
result's display unit (sub-second timings recorded in seconds shown in milliseconds, so
they keep their digits), qps where it means something, and the sample count. Imports no
Textual.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gt_tui.engine.bench.results import BenchResult

COLUMNS = ("p50", "p95", "p99", "qps")


def display_unit(result: BenchResult) -> tuple[str, float]:
    """The unit the figures are shown in and the factor from the recorded unit."""
    if result.unit == "s" and all(group.p99 < 1 for group in result.groups):
        return "ms", 1000.0
    return result.unit, 1.0


def bench_title(result: BenchResult) -> str:
    unit, _ = display_unit(result)
    return f"{result.kind} benchmark: {result.runs} runs, {unit}, {result.created_at}"


def bench_rows(result: BenchResult) -> list[tuple[str, str, str, str, str, str, str]]:
    """(mark, label, p50, p95, p99, qps, n) per group, formatted in the display unit."""
    _, scale = display_unit(result)
    return [
        (
            "*" if group.label == result.headline else " ",
            group.label,
            f"{group.p50 * scale:.3f}",
            f"{group.p95 * scale:.3f}",
            f"{group.p99 * scale:.3f}",
            "-" if group.qps is None else f"{group.qps:.1f}",
            str(len(group.samples)),
        )
        for group in result.groups
    ]


def skipped_notes(result: BenchResult) -> list[str]:
    return [f"skipped: {item}" for item in result.params.get("skipped") or []]


def bench_lines(result: BenchResult) -> list[str]:
    """The result as the CLI prints it: a title, a header, one line per group."""
    lines = [bench_title(result)]
    lines.append(f"  {'':<16} {'p50':>10} {'p95':>10} {'p99':>10} {'qps':>10}  n")
    for mark, label, p50, p95, p99, qps, n in bench_rows(result):
        lines.append(f"{mark} {label:<16} {p50:>10} {p95:>10} {p99:>10} {qps:>10}  {n}")
    lines.extend(f"  {note}" for note in skipped_notes(result))
    return lines


def bench_table(result: BenchResult) -> RenderableType:
    """The same figures as a Rich table (the console's result dialog), title and notes."""
    unit, _ = display_unit(result)
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("", width=1)
    table.add_column(f"group ({unit})", no_wrap=True)
    for name in COLUMNS:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    for row in bench_rows(result):
        table.add_row(*row)
    notes = [Text(note) for note in skipped_notes(result)]
    return Group(Text(bench_title(result)), table, *notes)


def bench_renderable(details: object) -> RenderableType | None:
    """A benchmark result's table, or None when `details` is not a benchmark result."""
    return bench_table(details) if isinstance(details, BenchResult) else None
