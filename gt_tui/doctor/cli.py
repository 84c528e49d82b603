"""`gt-tui doctor [--format text|json] [--town PATH]`: check a town's setup, change nothing.

Exit codes: 0 when no check failed (warnings allowed), 1 when one did (no town found
included: the report says where it looked), 2 when the doctor cannot run at all, that is
when its command line is wrong (an unknown option, a malformed or refused `--set`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from gt_tui.doctor.checks import CHECKS
from gt_tui.doctor.context import DoctorContext, dsn
from gt_tui.doctor.core import EXIT_CANNOT_RUN, exit_code, run_checks
from gt_tui.doctor.report import redact, render_json, render_text
from gt_tui.errors import GtTuiError
from gt_tui.modes import parse_overrides
from gt_tui.setting_table import spec_for
from gt_tui.subcommands import Subparsers, add_subcommand


def add_doctor_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `doctor`; its `run` is `run_doctor` (returns an exit code)."""
    text = "check a town's setup: files, server, databases, tmux, events, gt (read-only)"
    parser = add_subcommand(subparsers, "doctor", text)
    parser.add_argument(
        "--format",
        dest="doctor_format",
        choices=("text", "json"),
        default="text",
        help="report format (default: text)",
    )
    # SUPPRESS: given after `doctor` it applies; absent, the top-level value stands.
    parser.add_argument(
        "--town", type=Path, metavar="PATH", default=argparse.SUPPRESS, help="town root"
    )
    parser.set_defaults(run=run_doctor)
    return parser


def run_doctor(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run every check and print the report; the exit code as the module docstring says."""
    out = out or sys.stdout
    try:
        overrides = _overrides(getattr(args, "set", []) or [])
    except GtTuiError as err:
        print(f"gt-tui doctor: cannot run: {err}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    ctx = DoctorContext(explicit=getattr(args, "town", None), overrides=overrides)
    try:
        results = redact(run_checks(CHECKS, ctx), ctx.secrets())
        town = town_summary(ctx)
    finally:
        ctx.close()
    render = render_json if getattr(args, "doctor_format", "text") == "json" else render_text
    out.write(render(town, results))
    out.flush()
    return exit_code(results)


def _overrides(pairs: list[str]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs, each checked against its setting's spec before anything runs."""
    found = parse_overrides(pairs)
    for key, value in found.items():
        spec_for(key).parse(value)
    return found


def town_summary(ctx: DoctorContext) -> dict[str, Any]:
    """The JSON `town` object: what was found, with nulls for what was not."""
    summary: dict[str, Any] = {"name": None, "root": None, "how": None, "endpoint": None}
    try:
        found = ctx.location()
        summary.update(root=str(found.root), how=found.how)
        town = ctx.town()
    except GtTuiError:
        return summary
    endpoint = "sqlite" if town.is_sqlite else dsn(town.endpoint)
    summary.update(name=town.name, endpoint=endpoint)
    return summary
