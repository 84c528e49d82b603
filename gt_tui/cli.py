"""The `gt-tui` command: the console, the wall monitor, the snapshot, and the subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gt_tui import __version__
from gt_tui.errors import GtTuiError
from gt_tui.safe_text import safe_text

FORMATS = ("text", "json", "svg")
LOADS = ("light", "normal", "heavy")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gt-tui", description="A performance console for a Gas Town deployment."
    )
    parser.add_argument("--version", action="version", version=f"gt-tui {__version__}")
    _add_town_options(parser)
    _add_mode_options(parser)
    _add_demo_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_subcommands(subparsers)
    return parser


def _add_town_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("town")
    group.add_argument(
        "--town",
        type=Path,
        metavar="PATH",
        help="town root (default: GT_TOWN_ROOT, GT_ROOT, cwd and parents, ~/gt)",
    )
    group.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this run (repeatable)",
    )


def _add_mode_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("modes")
    group.add_argument("--wall", action="store_true", help="read-only wall monitor")
    group.add_argument("--read-only", action="store_true", help="refuse every change")
    group.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        help="refresh interval (default: setting ui.refresh_interval)",
    )
    group.add_argument("--snapshot", action="store_true", help="print one refresh and exit")
    group.add_argument("--format", choices=FORMATS, default="text", help="snapshot format")
    group.add_argument(
        "--fail-on",
        choices=("warning", "danger"),
        help="snapshot exits 1 when any metric is at least this bad",
    )


def _add_demo_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("demo town")
    group.add_argument("--demo", action="store_true", help="build and run a live sandbox town")
    group.add_argument("--demo-dir", type=Path, metavar="DIR", help="build it here and keep it")
    group.add_argument(
        "--demo-db", metavar="URL", help="beads on a MySQL-protocol server: mysql://user@host:port"
    )
    group.add_argument("--demo-load", choices=LOADS, default="normal", help="sandbox load")


def _add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    from gt_tui.config_cli import add_config_parser

    add_config_parser(subparsers)
    for module, adder in _OPTIONAL_SUBCOMMANDS:
        try:
            getattr(__import__(module, fromlist=[adder]), adder)(subparsers)
        except ImportError:
            continue


# Subcommand groups that live in their own modules: (module, function that registers them).
_OPTIONAL_SUBCOMMANDS = (
    ("gt_tui.sandbox.cli", "add_sandbox_parser"),
    ("gt_tui.ops_cli", "add_ops_parsers"),
    ("gt_tui.doctor", "add_doctor_parser"),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except GtTuiError as exc:
        print(f"gt-tui: {safe_text(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    from gt_tui import modes

    if args.command == "config":
        from gt_tui.config_cli import run_config

        return run_config(args)
    if args.command is not None:
        return modes.run_subcommand(args)
    if args.snapshot:
        return modes.run_snapshot(args)
    return modes.run_console(args)


if __name__ == "__main__":
    raise SystemExit(main())
