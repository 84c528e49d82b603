"""The `gt-tui` command: the console, the wall monitor, the snapshot, and the subcommands.

Every command accepts `--read-only`, `--wall` (which implies read-only) and
`--password-file`, before or after its name. Under read-only, a command that would change
something is refused by the guarded action it calls (one audit line) and exits 2, the code
of every one-line refusal; reading commands (list, get, check, compare) still run.

Exit codes, for every command (README, Usage): 0 done; 1 a condition met (`--fail-on`, a
failed doctor check); 2 a usage or runtime error, said in one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from gt_tui import __version__, modes
from gt_tui.config_cli import add_config_parser
from gt_tui.doctor.cli import add_doctor_parser
from gt_tui.errors import GtTuiError
from gt_tui.metrics_cli import add_metrics_parser
from gt_tui.ops_parsers import add_ops_parsers
from gt_tui.report_cli import add_report_parser
from gt_tui.safe_text import safe_text
from gt_tui.sandbox.dburl import url_has_password
from gt_tui.sandbox.load import LEVELS
from gt_tui.sandbox_cli import add_sandbox_parser
from gt_tui.serve import add_serve_parser
from gt_tui.setting_table import spec_for
from gt_tui.town.secret_env import PASSWORD_VAR, read_password_file

FORMATS = ("text", "json", "svg")
REFRESH_SETTING = "ui.refresh_interval"  # `--refresh` is this setting for one run, its range too
# What every subcommand parser sets as `run` (`parser.set_defaults(run=...)`): its exit code.
Run = Callable[[argparse.Namespace], int]
# The subcommand groups, each registered by its own module's `add_*` function.
SUBCOMMANDS = (
    add_config_parser,
    add_sandbox_parser,
    add_ops_parsers,
    add_doctor_parser,
    add_serve_parser,
    add_metrics_parser,
    add_report_parser,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gt-tui", description="A performance console for a Gas Town deployment."
    )
    parser.add_argument("--version", action="version", version=f"gt-tui {__version__}")
    _add_town_options(parser)
    _add_mode_options(parser)
    _add_demo_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    for _, command in commands(parser):
        _add_common_options(command)
    return parser


def commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every runnable subcommand ("config set", "benchmark", "benchmark compare", ...)."""
    for group in parser._actions:
        if isinstance(group, argparse._SubParsersAction):
            for name, sub in group.choices.items():
                nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
                if not nested or not nested[0].required:
                    yield name, sub
                for words, deeper in commands(sub):
                    yield f"{name} {words}", deeper


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    """The modes and the password file, also after a subcommand's name (SUPPRESS: absent
    there, the top-level value stands)."""
    known = parser._option_string_actions
    for flag, text in (("--read-only", "refuse every change (exit 2)"), ("--wall", "read-only")):
        if flag not in known:
            parser.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=text)
    if "--password-file" not in known:
        parser.add_argument(
            "--password-file",
            type=Path,
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="the database password, from a file of mode 0600 you own",
        )


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
    group.add_argument(
        "--password-file",
        type=Path,
        metavar="PATH",
        help="the database password, from a file of mode 0600 you own (else GT_DOLT_PASSWORD)",
    )


def _add_mode_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("modes")
    group.add_argument(
        "--wall", action="store_true", help="read-only wall monitor (read-only for subcommands)"
    )
    group.add_argument("--read-only", action="store_true", help="refuse every change (exit 2)")
    refresh = spec_for(REFRESH_SETTING)
    group.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        help=f"refresh interval, {refresh.allowed()} (default: setting {REFRESH_SETTING})",
    )
    group.add_argument("--snapshot", action="store_true", help="print one refresh and exit")
    modes.add_record_option(group)
    group.add_argument("--replay", metavar="FILE", help="open the console over a recording")
    group.add_argument(
        "--format", choices=FORMATS, help="with --snapshot: its format (default: text)"
    )
    group.add_argument(
        "--fail-on",
        choices=("warning", "danger"),
        help="with --snapshot: exit 1 when any metric is at least this bad",
    )


def _add_demo_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("demo town")
    group.add_argument("--demo", action="store_true", help="build and run a live sandbox town")
    group.add_argument("--demo-dir", type=Path, metavar="DIR", help="build it here and keep it")
    group.add_argument(
        "--demo-db",
        metavar="URL",
        help="beads on a MySQL-protocol server: mysql://user@host:port"
        " (password: --password-file or GT_DOLT_PASSWORD)",
    )
    group.add_argument("--demo-load", choices=LEVELS, default="normal", help="sandbox load")


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
    _check_modes(args)
    _use_password_file(args)
    if args.command is not None:
        run: Run = args.run
        return run(args)
    if args.snapshot:
        return modes.run_snapshot(args)
    if args.replay is not None:
        return modes.run_replay(args)
    return modes.run_console(args)


def _check_modes(args: argparse.Namespace) -> None:
    """Refuse, in one line, what the run could only ignore or get wrong: a refresh interval
    outside its setting's range, and the snapshot's options without `--snapshot` (the
    console would start full screen, into a pipe)."""
    if args.refresh is not None:
        spec = spec_for(REFRESH_SETTING)
        try:
            spec.parse(args.refresh)
        except GtTuiError:
            allowed = f"{spec.allowed()} seconds, as setting {REFRESH_SETTING}"
            raise GtTuiError(f"--refresh {args.refresh:g}: not allowed ({allowed})") from None
    if args.command is None and not args.snapshot:
        for flag, value in (("--format", args.format), ("--fail-on", args.fail_on)):
            if value is not None:
                raise GtTuiError(f"{flag} needs --snapshot (try: gt-tui --snapshot {flag} {value})")
    _check_replay(args)


def _check_replay(args: argparse.Namespace) -> None:
    """`--record` is for what refreshes on (console, wall, serve); `--replay` opens a
    recording: nothing to record, snapshot or build a demo for."""
    if getattr(args, "record", None) is not None and (
        args.snapshot or args.command not in (None, "serve")
    ):
        raise GtTuiError("--record records the console, --wall or serve, not this command")
    if args.replay is None:
        return
    clashes = [("--record", args.record is not None), ("--snapshot", args.snapshot)]
    clashes += [("--demo", args.demo), (args.command or "", args.command is not None)]
    for flag, given in clashes:
        if given:
            raise GtTuiError(f"--replay opens a recording: it takes no {flag}")


def _use_password_file(args: argparse.Namespace) -> None:
    """`--password-file` becomes this process's GT_DOLT_PASSWORD, which the town's endpoint
    and the database URLs read; every child runs without it (town.secret_env)."""
    if getattr(args, "password_file", None) is None:
        return
    urls = [getattr(args, name, None) for name in ("demo_db", "sandbox_db")]
    if any(url and url_has_password(url) for url in urls):
        raise GtTuiError("give the password once: --password-file, or in the URL, not both")
    os.environ[PASSWORD_VAR] = read_password_file(args.password_file)


if __name__ == "__main__":
    raise SystemExit(main())
