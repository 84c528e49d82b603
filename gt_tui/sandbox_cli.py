"""The `gt-tui sandbox` subcommands: build a static town, run a live one, turn its load.

gt-tui sandbox build --scale small|medium|large|xlarge --dir D [--db URL] [--variant V]
gt-tui sandbox run [--dir D] [--db URL] [--load light|normal|heavy] [--no-tmux]
gt-tui sandbox load light|normal|heavy --dir D      (a sandbox running in D)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from gt_tui.local_actions import LocalActions, cli_read_only
from gt_tui.sandbox.beads_tables import VARIANTS
from gt_tui.sandbox.load import LEVELS
from gt_tui.sandbox.scale import TIER_PLANS
from gt_tui.subcommands import Subparsers

AGENT_CHECK_S = 1.0
# Each runs through the guarded `LocalActions` (refused under --read-only/--wall, audited).


def add_sandbox_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `sandbox build|run|load`; each sets `run` (returns an exit code)."""
    parser = subparsers.add_parser(
        "sandbox",
        help="build a static sandbox town, or run a live one",
        description="Sandbox towns laid out as gt lays them out, for the demo and benchmarks.",
    )
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    _add_build(actions)
    _add_run(actions)
    _add_load(actions)
    return parser


def _dir_option(parser: argparse.ArgumentParser, required: bool, text: str) -> None:
    # Dests of our own, so the top-level options are never reset by the subparser.
    parser.add_argument(
        "--dir", dest="sandbox_dir", type=Path, metavar="DIR", required=required, help=text
    )


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        dest="sandbox_db",
        metavar="URL",
        help="beads on a MySQL-protocol server: mysql://user[:password]@host:port"
        " (default: SQLite files in the town)",
    )


def _add_build(actions: Subparsers) -> None:
    build = actions.add_parser("build", help="build a static town of a scale tier")
    build.add_argument(
        "--scale",
        choices=tuple(TIER_PLANS),
        default="small",
        help="scale tier, by rigs and polecats (default: small)",
    )
    _dir_option(build, True, "an empty directory to build the town in")
    _db_option(build)
    build.add_argument(
        "--variant",
        choices=VARIANTS,
        default="v1.0.0",
        help="beads schema: v1.0.0 or v1.0.5 (split dependency targets)",
    )
    build.add_argument("--seed", type=int, default=0, help="seed for the town's shapes")
    build.set_defaults(run=run_build)


def _add_run(actions: Subparsers) -> None:
    run = actions.add_parser("run", help="run a live sandbox town until Ctrl-C")
    _dir_option(run, False, "build it here and keep the files (default: a temporary directory)")
    _db_option(run)
    run.add_argument(
        "--load",
        dest="sandbox_load",
        choices=LEVELS,
        default="normal",
        help="what the agents do (default: normal)",
    )
    run.add_argument("--seed", dest="sandbox_seed", type=int, help="seed for the agents' choices")
    run.add_argument(
        "--no-tmux",
        dest="sandbox_no_tmux",
        action="store_true",
        help="run polecats as plain processes even where tmux is installed",
    )
    run.set_defaults(run=run_live)


def _add_load(actions: Subparsers) -> None:
    load = actions.add_parser("load", help="change the load of a running sandbox")
    load.add_argument("level", choices=LEVELS, help="what the agents do from now on")
    _dir_option(load, True, "the running sandbox's directory (printed by `sandbox run`)")
    load.set_defaults(run=run_load)


def _actions(args: argparse.Namespace, directory: Path | None) -> LocalActions:
    label = directory.name if directory is not None else "sandbox"
    return LocalActions(label, read_only=cli_read_only(args))


def run_build(args: argparse.Namespace) -> int:
    """Build the static town and say what was built and how long it took."""
    started = time.perf_counter()
    result = _actions(args, args.sandbox_dir).build_sandbox(
        args.sandbox_dir, args.scale, args.sandbox_db, args.variant, args.seed
    )
    if not result.ok:
        print(f"gt-tui: {result.summary}", file=sys.stderr)
        return 2
    town, seconds = result.details, time.perf_counter() - started
    where = "SQLite files" if town.endpoint is None else f"{town.endpoint} databases"
    print(
        f"built {town.scale} town '{town.name}' in {town.root}: {len(town.rigs)} rigs, "
        f"{town.polecats} polecats, {town.total_rows} beads rows ({town.variant}) "
        f"in {seconds:.2f} s"
    )
    print(f"beads: {where} {', '.join(town.databases.values())}")
    return 0


def run_live(args: argparse.Namespace) -> int:
    """Run the live sandbox in the foreground; Ctrl-C (or SIGTERM) stops and cleans up."""
    result = _actions(args, args.sandbox_dir).run_sandbox(
        args.sandbox_dir,
        args.sandbox_db,
        args.sandbox_load,
        seed=args.sandbox_seed,
        use_tmux=False if args.sandbox_no_tmux else None,
        body=_run_body,
    )
    if result.details is None:  # a GtTuiError while building
        print(f"gt-tui: {result.summary}", file=sys.stderr)
        return 2
    if result.details == 0:
        print(result.summary, flush=True)
    return int(result.details)


def _run_body(demo: Any) -> int:
    _announce(demo)
    return _watch(demo)


def _announce(demo: Any) -> None:
    tmux = f"tmux socket {demo.socket}" if demo.tmux else "no tmux: polecats run as processes"
    beads = "SQLite" if demo.endpoint is None else f"{demo.endpoint}"
    print(f"sandbox town running at {demo.root}", flush=True)
    print(f"load {demo.load}; {tmux}; beads on {beads}: {', '.join(demo.databases.values())}")
    print(f"watch it:     gt-tui --town {demo.root}")
    print(f"change load:  gt-tui sandbox load heavy --dir {demo.root}")
    print("stop:         Ctrl-C", flush=True)


def _watch(demo: Any) -> int:
    """Wait for Ctrl-C; stop with an error when an agent died on its own."""
    while True:
        time.sleep(AGENT_CHECK_S)
        dead = [a.name for a in demo.agents if a.process.poll() is not None]
        if dead:
            logs = demo.root / "logs"
            print(f"gt-tui: sandbox agent(s) {', '.join(dead)} exited; see {logs}", file=sys.stderr)
            return 2  # a runtime error (README, exit codes)


def run_load(args: argparse.Namespace) -> int:
    directory = args.sandbox_dir.expanduser().resolve()
    result = _actions(args, directory).set_sandbox_load(directory, args.level)
    if not result.ok:
        print(f"gt-tui: {result.summary}", file=sys.stderr)
        return 2
    print(result.summary)
    return 0
