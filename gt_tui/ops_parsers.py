"""The argparse side of the ops subcommands (`pool`, `tmux`, `queue`, `cache`, `indexes`,
`benchmark`): each parsed command carries `args.ops_command` ("pool create", ...) and
`args.run` = `ops_cli.run_command`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gt_tui.ops_cli import run_command
from gt_tui.subcommands import Subparsers, add_subcommand

FORMATS = ("text", "json")
BENCH_TYPES = ("dolt", "polecat", "convoy", "refresh")


def add_ops_parsers(subparsers: Subparsers) -> None:
    """Register `pool`, `tmux`, `queue`, `cache`, `indexes` and `benchmark`."""
    _add_pool(subparsers)
    _add_tmux(subparsers)
    _add_queue(subparsers)
    _add_cache(subparsers)
    _add_indexes(subparsers)
    _add_benchmark(subparsers)


def _command(
    parent: Subparsers, name: str, text: str, tag: str, *, asks: bool = True
) -> argparse.ArgumentParser:
    """One subcommand; one that `asks` before it changes something takes `--yes`."""
    parser = add_subcommand(parent, name, text)
    parser.set_defaults(ops_command=tag, run=run_command, yes=False)
    if asks:
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    # SUPPRESS: given after the subcommand they apply; absent, the top-level value stands.
    parser.add_argument(
        "--town", type=Path, metavar="PATH", default=argparse.SUPPRESS, help="town root"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="refuse every change (exit 2)",
    )
    return parser


def _reading(parent: Subparsers, name: str, text: str, tag: str) -> argparse.ArgumentParser:
    """A subcommand that changes nothing: no `--yes`, a `--format`."""
    parser = _command(parent, name, text, tag, asks=False)
    _format_option(parser)
    return parser


def _format_option(parser: argparse.ArgumentParser) -> None:
    # A dest of its own: the top-level snapshot `--format` would otherwise be reset.
    parser.add_argument(
        "--format",
        dest="ops_format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )


def _add_pool(subparsers: Subparsers) -> None:
    pool = subparsers.add_parser("pool", help="the pool of ready polecat worktrees")
    actions = pool.add_subparsers(dest="pool_action", metavar="ACTION", required=True)
    create = _command(actions, "create", "fill a rig's pool of idle polecats", "pool create")
    create.add_argument("--rig", metavar="R", help="rig name (default: every rig)")
    create.add_argument("--size", type=int, metavar="N", help="target size (setting pool.size)")
    _reading(actions, "list", "idle and in-use polecats per rig", "pool list")


def _add_tmux(subparsers: Subparsers) -> None:
    tmux = subparsers.add_parser("tmux", help="tmux sessions of the town")
    actions = tmux.add_subparsers(dest="tmux_action", metavar="ACTION", required=True)
    _reading(actions, "list", "sessions with role, age, state, memory", "tmux list")
    cleanup = _command(actions, "cleanup", "kill dead sessions", "tmux cleanup")
    cleanup.add_argument("--dead", action="store_true", required=True, help="only dead ones")
    _command(actions, "tune", "apply the recommended tmux server options", "tmux tune")


def _add_queue(subparsers: Subparsers) -> None:
    queue = subparsers.add_parser("queue", help="the sling queue")
    actions = queue.add_subparsers(dest="queue_action", metavar="ACTION", required=True)
    _reading(actions, "list", "queued sling contexts, oldest first", "queue list")
    flush = _command(actions, "flush", "close queued sling contexts", "queue flush")
    flush.add_argument("--rig", metavar="R", help="only this rig's (default: all)")


def _add_cache(subparsers: Subparsers) -> None:
    cache = subparsers.add_parser("cache", help="the engine's caches (L1 hot beads, L2 queries)")
    actions = cache.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    for verb, text in (("clear", "drop cached entries"), ("warm", "load entries ahead")):
        parser = _command(actions, verb, text, f"cache {verb}")
        parser.add_argument(
            "--type",
            dest="cache_kind",
            default="all",
            choices=("bead", "agent", "status", "all"),
            help="which entries (default: all)",
        )


def _add_indexes(subparsers: Subparsers) -> None:
    indexes = subparsers.add_parser("indexes", help="the index advisor for the beads databases")
    actions = indexes.add_subparsers(dest="index_action", metavar="ACTION", required=True)
    _reading(actions, "check", "recommended indexes and evidence", "indexes check")
    create = _command(actions, "create", "create the missing indexes", "indexes create")
    create.add_argument("names", nargs="*", metavar="DB.INDEX", help="default: all missing")


def _add_benchmark(subparsers: Subparsers) -> None:
    # It asks nothing (it changes no state of the town; refused under read-only all the same).
    bench = _command(subparsers, "benchmark", "run a benchmark", "benchmark", asks=False)
    bench.add_argument(
        "--type", dest="bench_type", choices=BENCH_TYPES, help="what to measure (required)"
    )
    bench.add_argument("--runs", type=int, metavar="N", help="runs (default per type)")
    bench.add_argument("--save", metavar="NAME", help="save as NAME for `benchmark compare`")
    _format_option(bench)
    sub = bench.add_subparsers(dest="bench_action", metavar="ACTION")
    compare = _reading(sub, "compare", "compare two saved runs", "benchmark compare")
    compare.add_argument("--before", required=True, metavar="A", help="the saved run before")
    compare.add_argument("--after", required=True, metavar="B", help="the saved run after")
