"""The argparse side of the ops subcommands (`pool`, `tmux`, `queue`, `cache`, `indexes`,
`benchmark`): each parsed command carries `args.ops_command` ("pool create", ...) and
`args.run` = `ops_cli.run_command`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from gt_tui.ops_cli import run_command

FORMATS = ("text", "json")
BENCH_TYPES = ("dolt", "polecat", "convoy")

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_ops_parsers(subparsers: Subparsers) -> None:
    """Register `pool`, `tmux`, `queue`, `cache`, `indexes` and `benchmark`."""
    _add_pool(subparsers)
    _add_tmux(subparsers)
    _add_queue(subparsers)
    _add_cache(subparsers)
    _add_indexes(subparsers)
    _add_benchmark(subparsers)


def _command(parent: Subparsers, name: str, text: str, tag: str) -> argparse.ArgumentParser:
    parser = parent.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".")
    parser.set_defaults(ops_command=tag, run=run_command)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    # SUPPRESS: given after the subcommand they apply; absent, the top-level value stands.
    parser.add_argument("--town", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    parser.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS)
    return parser


def _format_option(parser: argparse.ArgumentParser) -> None:
    # A dest of its own: the top-level snapshot `--format` would otherwise be reset.
    parser.add_argument("--format", dest="ops_format", choices=FORMATS, default="text")


def _add_pool(subparsers: Subparsers) -> None:
    pool = subparsers.add_parser("pool", help="polecat worktree pool (spec section 6)")
    actions = pool.add_subparsers(dest="pool_action", metavar="ACTION", required=True)
    create = _command(actions, "create", "fill a rig's pool of idle polecats", "pool create")
    create.add_argument("--rig", metavar="R", help="rig name (default: every rig)")
    create.add_argument("--size", type=int, metavar="N", help="target size (setting pool.size)")
    _format_option(_command(actions, "list", "idle and in-use polecats per rig", "pool list"))


def _add_tmux(subparsers: Subparsers) -> None:
    tmux = subparsers.add_parser("tmux", help="tmux sessions of the town (spec section 5)")
    actions = tmux.add_subparsers(dest="tmux_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "list", "sessions with role, age, state, memory", "tmux list"))
    cleanup = _command(actions, "cleanup", "kill dead sessions", "tmux cleanup")
    cleanup.add_argument("--dead", action="store_true", required=True, help="only dead ones")
    _command(actions, "tune", "apply the spec's tmux options", "tmux tune")


def _add_queue(subparsers: Subparsers) -> None:
    queue = subparsers.add_parser("queue", help="the sling queue (spec section 3)")
    actions = queue.add_subparsers(dest="queue_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "list", "queued sling contexts, oldest first", "queue list"))
    flush = _command(actions, "flush", "close queued sling contexts", "queue flush")
    flush.add_argument("--rig", metavar="R", help="only this rig's (default: all)")


def _add_cache(subparsers: Subparsers) -> None:
    cache = subparsers.add_parser("cache", help="the engine's caches (spec section 4)")
    actions = cache.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    for verb, text in (("clear", "drop cached entries"), ("warm", "load entries ahead")):
        parser = _command(actions, verb, text, f"cache {verb}")
        parser.add_argument(
            "--type", dest="cache_kind", default="all", choices=("bead", "agent", "status", "all")
        )


def _add_indexes(subparsers: Subparsers) -> None:
    indexes = subparsers.add_parser("indexes", help="the index advisor (spec section 2)")
    actions = indexes.add_subparsers(dest="index_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "check", "recommended indexes and evidence", "indexes check"))
    create = _command(actions, "create", "create the missing indexes", "indexes create")
    create.add_argument("names", nargs="*", metavar="DB.INDEX", help="default: all missing")


def _add_benchmark(subparsers: Subparsers) -> None:
    bench = _command(subparsers, "benchmark", "run a benchmark (spec section 10)", "benchmark")
    bench.add_argument("--type", dest="bench_type", choices=BENCH_TYPES)
    bench.add_argument("--runs", type=int, metavar="N", help="runs (default per type)")
    bench.add_argument("--save", metavar="NAME", help="save as NAME for `benchmark compare`")
    _format_option(bench)
    sub = bench.add_subparsers(dest="bench_action", metavar="ACTION")
    compare = _command(sub, "compare", "compare two saved runs", "benchmark compare")
    compare.add_argument("--before", required=True, metavar="A")
    compare.add_argument("--after", required=True, metavar="B")
    _format_option(compare)
