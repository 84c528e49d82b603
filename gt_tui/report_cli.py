"""`gt-tui report --type performance --output FILE [--history FILE] [--since 2h]`.

One self-contained HTML page (gt_tui.report): over a recorded history (`--history`, the
snapshots since `--since` ago), or over one fresh refresh of the town (read-only, as
`gt-tui metrics export` makes it). Exit 2 with one line for a bad argument, a history with
nothing in the range, or a database that did not answer (the page is still written: it
shows the outage).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gt_tui import modes
from gt_tui.engine.snapshot import Snapshot
from gt_tui.errors import GtTuiError
from gt_tui.export.json import rfc3339
from gt_tui.files import write_atomically
from gt_tui.safe_text import safe_text
from gt_tui.serve import add_town_options
from gt_tui.setting_values import Refused, parse_duration
from gt_tui.settings import Settings
from gt_tui.subcommands import Subparsers, add_subcommand

TYPES = ("performance",)
FRESH = "one fresh refresh"


def add_report_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `report`."""
    text = "write a self-contained HTML performance report (read-only)"
    report = add_subcommand(subparsers, "report", text)
    report.add_argument(
        "--type", dest="report_type", choices=TYPES, required=True, help="the report's kind"
    )
    report.add_argument(
        "--output", dest="report_output", type=Path, required=True, metavar="FILE",
        help="the HTML file to write (-: standard output)",
    )  # fmt: skip
    report.add_argument(
        "--history", dest="report_history", type=Path, metavar="FILE",
        help="a recorded history (gt-tui --record) instead of one fresh refresh",
    )  # fmt: skip
    report.add_argument(
        "--since", dest="report_since", metavar="DURATION",
        help="with --history: only its last DURATION (2h, 30m, 1h30m)",
    )  # fmt: skip
    add_town_options(report)
    report.set_defaults(run=run_report)
    return report


def run_report(args: argparse.Namespace) -> int:
    """Write the page; 2 (after writing) when the fresh refresh found the database down."""
    from gt_tui.report import Origin, build_report

    output = _output_path(args.report_output)  # None: standard output
    since = _since(args.report_since)
    if args.report_history is None:
        if since is not None:
            raise GtTuiError("--since needs --history (one fresh refresh has no range)")
        snapshots, settings = _fresh(args)
        origin = Origin(FRESH)
    else:
        snapshots, warning = _history(args.report_history, since)
        settings = _settings_here(args)
        origin = Origin(f"history {args.report_history}", since, warning)
    page = build_report(snapshots, origin, settings)
    _write(output, page, len(snapshots))
    newest = snapshots[-1]
    if args.report_history is None and newest.dolt.error:
        print(f"gt-tui: {newest.dolt.endpoint}: {newest.dolt.error}", file=sys.stderr)
        return 2
    return 0


def _write(output: Path | None, page: str, count: int) -> None:
    if output is None:
        sys.stdout.write(page)
        sys.stdout.flush()
        return
    try:
        write_atomically(output, page)
    except OSError as exc:
        raise GtTuiError(f"--output {output}: {exc.strerror or exc}") from None
    snapshots = "1 snapshot" if count == 1 else f"{count} snapshots"
    print(f"wrote {output} ({snapshots}, {len(page) // 1024} KiB)")


def _output_path(path: Path) -> Path | None:
    if str(path) == "-":
        return None
    if path.is_dir():
        raise GtTuiError(f"--output {path}: is a directory")
    if not path.parent.is_dir():
        raise GtTuiError(f"--output {path}: no directory {path.parent}")
    return path


def _since(text: str | None) -> datetime | None:
    """The moment `--since DURATION` ago, or None without it."""
    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except Refused:
        seconds = -1.0
    if not seconds > 0:
        raise GtTuiError(f"--since {text!r}: expected a duration such as 2h, 30m or 1h30m")
    return datetime.now(UTC) - timedelta(seconds=seconds)


def _fresh(args: argparse.Namespace) -> tuple[list[Snapshot], Settings]:
    with modes.engine_session(args, read_only=True) as engine:
        snapshot = modes._first_refresh(engine, args.demo)  # as --snapshot: the demo waits
        return [snapshot], engine.settings


def _history(path: Path, since: datetime | None) -> tuple[list[Snapshot], str | None]:
    """The recorded snapshots in the range, and the history's one-line warning when it was
    damaged (its good records are reported, the warning is printed and shown in the page)."""
    from gt_tui.history import read_history

    got = read_history(path, since)
    if not got.snapshots:
        if got.warning:
            raise GtTuiError(got.warning)
        in_range = f" since {rfc3339(since)}" if since else ""
        raise GtTuiError(f"history {path}: no snapshot recorded{in_range}")
    if got.warning:
        print(f"gt-tui: warning: {safe_text(got.warning)}", file=sys.stderr)
    return list(got.snapshots), got.warning


def _settings_here(args: argparse.Namespace) -> Settings:
    """The settings in force here: the town's too when there is a town to find."""
    from gt_tui.town.layout import find_town_root

    try:
        root: Path | None = find_town_root(args.town)
    except GtTuiError:
        root = None
    return modes._settings(args, root)
