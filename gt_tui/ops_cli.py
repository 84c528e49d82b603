"""Subcommands for the engine's operations. Never imports Textual.

gt-tui pool create [--rig R] [--size N] [--yes]      gt-tui pool list [--format F]
gt-tui tmux list [--format F]                        gt-tui tmux cleanup --dead [--yes]
gt-tui tmux tune [--yes]
gt-tui queue list [--format F]                       gt-tui queue flush [--rig R] [--yes]
gt-tui cache clear|warm [--type bead|agent|status|all] [--yes]
gt-tui indexes check [--format F]                    gt-tui indexes create [DB.INDEX …] [--yes]
gt-tui benchmark --type dolt|polecat|convoy [--runs N] [--save NAME] [--format text|json]
gt-tui benchmark compare --before A --after B [--format text|json]

Thin glue: changes go through the guarded facade (`ctx.actions`: read-only refusal and the
audit log live there); listings and `compare` read directly. A change asks for
confirmation on a terminal and is refused without `--yes` when stdin is not one.
`add_ops_parsers` tags each parsed command with `args.ops_command` ("pool create", …);
the caller builds an `OpsContext` and calls `run_ops(args, ctx)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from gt_tui.engine import bench_results
from gt_tui.errors import GtTuiError
from gt_tui.town.db import Database
from gt_tui.town.model import Town

FORMATS = ("text", "json")
BENCH_TYPES = ("dolt", "polecat", "convoy")


@dataclass
class OpsContext:
    """What the subcommands need: the town, its database, settings, mode and the facade."""

    town: Town
    db: Database | None
    settings: Any
    read_only: bool
    actions: Any  # gt_tui.engine.actions.Actions


# ---------------------------------------------------------------- parsers


def add_ops_parsers(subparsers: Any) -> None:
    """Register `pool`, `tmux`, `queue`, `cache`, `indexes` and `benchmark`."""
    _add_pool(subparsers)
    _add_tmux(subparsers)
    _add_queue(subparsers)
    _add_cache(subparsers)
    _add_indexes(subparsers)
    _add_benchmark(subparsers)


def _command(parent: Any, name: str, text: str, tag: str) -> argparse.ArgumentParser:
    parser = parent.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".")
    parser.set_defaults(ops_command=tag)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    # SUPPRESS: given after the subcommand they apply; absent, the top-level value stands.
    parser.add_argument("--town", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    parser.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS)
    return parser


def _format_option(parser: argparse.ArgumentParser) -> None:
    # A dest of its own: the top-level snapshot `--format` would otherwise be reset.
    parser.add_argument("--format", dest="ops_format", choices=FORMATS, default="text")


def _add_pool(subparsers: Any) -> None:
    pool = subparsers.add_parser("pool", help="polecat worktree pool (spec section 6)")
    actions = pool.add_subparsers(dest="pool_action", metavar="ACTION", required=True)
    create = _command(actions, "create", "fill a rig's pool of idle polecats", "pool create")
    create.add_argument("--rig", metavar="R", help="rig name (default: every rig)")
    create.add_argument("--size", type=int, metavar="N", help="target size (setting pool.size)")
    _format_option(_command(actions, "list", "idle and in-use polecats per rig", "pool list"))


def _add_tmux(subparsers: Any) -> None:
    tmux = subparsers.add_parser("tmux", help="tmux sessions of the town (spec section 5)")
    actions = tmux.add_subparsers(dest="tmux_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "list", "sessions with role, age, state, memory", "tmux list"))
    cleanup = _command(actions, "cleanup", "kill dead sessions", "tmux cleanup")
    cleanup.add_argument("--dead", action="store_true", required=True, help="only dead ones")
    _command(actions, "tune", "apply the spec's tmux options", "tmux tune")


def _add_queue(subparsers: Any) -> None:
    queue = subparsers.add_parser("queue", help="the sling queue (spec section 3)")
    actions = queue.add_subparsers(dest="queue_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "list", "queued sling contexts, oldest first", "queue list"))
    flush = _command(actions, "flush", "close queued sling contexts", "queue flush")
    flush.add_argument("--rig", metavar="R", help="only this rig's (default: all)")


def _add_cache(subparsers: Any) -> None:
    cache = subparsers.add_parser("cache", help="the engine's caches (spec section 4)")
    actions = cache.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    for verb, text in (("clear", "drop cached entries"), ("warm", "load entries ahead")):
        parser = _command(actions, verb, text, f"cache {verb}")
        parser.add_argument(
            "--type", dest="cache_kind", default="all", choices=("bead", "agent", "status", "all")
        )


def _add_indexes(subparsers: Any) -> None:
    indexes = subparsers.add_parser("indexes", help="the index advisor (spec section 2)")
    actions = indexes.add_subparsers(dest="index_action", metavar="ACTION", required=True)
    _format_option(_command(actions, "check", "recommended indexes and evidence", "indexes check"))
    create = _command(actions, "create", "create the missing indexes", "indexes create")
    create.add_argument("names", nargs="*", metavar="DB.INDEX", help="default: all missing")


def _add_benchmark(subparsers: Any) -> None:
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


# ---------------------------------------------------------------- running


def run_ops(args: argparse.Namespace, ctx: OpsContext | None, out: TextIO | None = None) -> int:
    """Run a parsed ops command: 0 done, 1 when the action reported a failure.

    `ctx` may be None for `benchmark compare`, which reads only saved files. GtTuiError
    (refusals included) propagates for the caller's one-line handler.
    """
    handler = _HANDLERS[args.ops_command]
    return handler(args, ctx, out or sys.stdout)


def _pool_create(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    where = f"rig {args.rig}" if args.rig else "every rig"
    _confirm(ctx, args, f"Create idle polecat worktrees in {where}?")
    result = ctx.actions.create_pool(args.rig, args.size)
    for made in result.details or ():
        names = ", ".join(made.created) or "none"
        out.write(
            f"{made.rig}: created {len(made.created)} ({names}); {made.existing} existed;"
            f" target {made.target}{' (capped)' if made.capped else ''} via {made.via}\n"
        )
        out.writelines(f"  failed {line}\n" for line in made.failed)
    return _finish(result, out, quiet=bool(result.details))


def _pool_list(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    from gt_tui.engine.worktree_pool import list_pool

    pools = list_pool(ctx.town, ctx.settings)
    if args.ops_format == "json":
        return _json(out, pools)
    for pool in pools:
        out.write(
            f"{pool.rig}: {len(pool.idle)} idle, {len(pool.in_use)} in use (cap {pool.cap})\n"
        )
        for cat in pool.polecats:
            out.write(f"  {cat.name:<14} {cat.state:<7} {cat.reason or cat.path}\n")
    return 0


def _tmux_list(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    from gt_tui.engine.tmux_hygiene import check_session_budget, list_town_sessions

    sessions = list_town_sessions(ctx.town)
    if args.ops_format == "json":
        return _json(out, sessions)
    out.write(f"{'SESSION':<24} {'ROLE':<9} {'RIG':<12} {'AGE':>7} {'IDLE':>7} STATE   MEMORY\n")
    for s in sessions:
        state = "alive" if s.alive else f"DEAD ({s.reason})"
        out.write(
            f"{s.name:<24} {s.role:<9} {s.rig or '-':<12} {_age(s.age_s):>7}"
            f" {_age(s.idle_s):>7} {state:<7} {_mib(s.memory_bytes)}\n"
        )
    out.write(check_session_budget(ctx.town, ctx.settings).message + "\n")
    return 0


def _tmux_cleanup(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    _confirm(ctx, args, "Kill the town's dead tmux sessions?")
    result = ctx.actions.cleanup_tmux()
    out.writelines(f"  {s.name}: {s.reason}\n" for s in result.details or ())
    return _finish(result, out)


def _tmux_tune(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    _confirm(ctx, args, "Set the spec's global options on the town's tmux server?")
    result = ctx.actions.tune_tmux()
    for change in result.details or ():
        note = "" if change.changed else " (unchanged)"
        out.write(f"  {change.option}: {change.before or '-'} -> {change.after}{note}\n")
    return _finish(result, out, quiet=bool(result.details))


def _benchmark(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    if args.bench_type is None:
        raise GtTuiError("benchmark: say --type dolt|polecat|convoy (or `benchmark compare`)")
    result = ctx.actions.run_benchmark(args.bench_type, args.runs, _progress_bar())
    if not result.ok:
        return _finish(result, out)
    if args.save:
        from gt_tui.engine.local_actions import LocalActions

        saver = LocalActions(ctx.town.name, read_only=ctx.read_only)
        print(f"gt-tui: {saver.save_benchmark(args.save, result.details).summary}", file=sys.stderr)
    if args.ops_format == "json":
        return _json(out, result.details)
    out.writelines(line + "\n" for line in describe(result.details))
    return 0


def _compare(args: argparse.Namespace, _ctx: OpsContext | None, out: TextIO) -> int:
    before = bench_results.load_result(args.before)
    after = bench_results.load_result(args.after)
    comparison = bench_results.compare(before, after)
    if args.ops_format == "json":
        return _json(out, comparison.to_json())
    out.writelines(line + "\n" for line in describe_comparison(comparison, args))
    return 0


def _queue_list(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    view = ctx.actions.queue()
    if args.ops_format == "json":
        return _json(out, view)
    out.write(f"sling queue: {view.depth}/{view.limit} (sling.queue_size)\n")
    for item in view.items:
        out.write(
            f"  {item.id:<24} {item.rig or '-':<12} {item.work_bead or '-':<16}"
            f" waited {_age(item.waited(view.now))}\n"
        )
    return 0


def _queue_flush(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    where = f"rig {args.rig}" if args.rig else "every rig"
    _confirm(ctx, args, f"Close the queued sling contexts of {where}?")
    return _finish(ctx.actions.flush_queue(args.rig), out)


def _cache(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    verb = args.ops_command.split()[1]
    _confirm(ctx, args, f"{verb.capitalize()} the {args.cache_kind} cache?")
    method = ctx.actions.clear_cache if verb == "clear" else ctx.actions.warm_cache
    return _finish(method(args.cache_kind), out)


def _indexes_check(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    findings = ctx.actions.index_advice()
    if args.ops_format == "json":
        return _json(out, findings)
    for f in findings:
        out.write(f"  {f.key:<40} {f.state}{f' ({f.existing})' if f.existing else ''}\n")
        out.writelines(f"      {line}\n" for line in (f.evidence or ())[:3])
    return 0


def _indexes_create(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    names = args.names or ctx.actions.missing_indexes()
    if not names:
        out.write("no missing indexes\n")
        return 0
    _confirm(ctx, args, f"Create {len(names)} indexes ({', '.join(names)})?")
    return _finish(ctx.actions.create_indexes(names), out)


_HANDLERS: dict[str, Callable[[argparse.Namespace, OpsContext, TextIO], int]] = {
    "pool create": _pool_create,
    "pool list": _pool_list,
    "tmux list": _tmux_list,
    "tmux cleanup": _tmux_cleanup,
    "tmux tune": _tmux_tune,
    "queue list": _queue_list,
    "queue flush": _queue_flush,
    "cache clear": _cache,
    "cache warm": _cache,
    "indexes check": _indexes_check,
    "indexes create": _indexes_create,
    "benchmark": _benchmark,
    "benchmark compare": _compare,
}


# ---------------------------------------------------------------- asking and telling


def _confirm(
    ctx: OpsContext, args: argparse.Namespace, question: str, stdin: TextIO | None = None
) -> None:
    """Ask on a terminal; refuse without --yes otherwise. Read-only skips the question:
    the facade refuses (and audits the refusal) at once."""
    stdin = stdin or sys.stdin
    if args.yes or ctx.read_only:
        return
    if not stdin.isatty():
        raise GtTuiError(f"{args.ops_command}: refused without --yes (stdin is not a terminal)")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    if stdin.readline().strip().lower() not in ("y", "yes"):
        raise GtTuiError(f"{args.ops_command}: cancelled")


def _finish(result: Any, out: TextIO, quiet: bool = False) -> int:
    if not result.ok:
        print(f"gt-tui: {result.summary}", file=sys.stderr)
        return 1
    if not quiet:
        out.write(result.summary + "\n")
    return 0


def _progress_bar() -> Callable[[float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        end = "\n" if fraction >= 1.0 else ""
        print(f"\r  {fraction * 100:5.1f}%", end=end, file=sys.stderr, flush=True)

    return show


def describe(result: bench_results.BenchResult) -> list[str]:
    """A benchmark result as text lines: one per group, headline marked.

    Sub-second timings recorded in seconds are shown in milliseconds, so they keep their digits.
    """
    unit, scale = _display_unit(result)
    lines = [f"{result.kind} benchmark: {result.runs} runs, {unit}, {result.created_at}"]
    lines.append(f"  {'':<16} {'p50':>10} {'p95':>10} {'p99':>10} {'qps':>10}  n")
    for group in result.groups:
        mark = "*" if group.label == result.headline else " "
        qps = f"{group.qps:10.1f}" if group.qps is not None else f"{'-':>10}"
        lines.append(
            f"{mark} {group.label:<16} {group.p50 * scale:10.3f} {group.p95 * scale:10.3f}"
            f" {group.p99 * scale:10.3f} {qps}  {len(group.samples)}"
        )
    skipped = result.params.get("skipped") or []
    lines.extend(f"  skipped: {item}" for item in skipped)
    return lines


def _display_unit(result: bench_results.BenchResult) -> tuple[str, float]:
    if result.unit == "s" and all(group.p99 < 1 for group in result.groups):
        return "ms", 1000.0
    return result.unit, 1.0


def describe_comparison(comparison: bench_results.Comparison, args: Any) -> list[str]:
    """Two runs side by side: each statistic, after/before, and the noise verdict."""
    lines = [f"{comparison.kind} ({comparison.unit}): {args.before} -> {args.after}"]
    for group in comparison.groups:
        verdict = "beyond noise" if group.significant else "within noise"
        lines.append(f"  {group.label}: {verdict} (p = {group.p_value:.3g}, {group.method})")
        for stat in group.ratios:
            ratio = f"x{stat.ratio:.2f}" if stat.ratio is not None else "-"
            lines.append(
                f"    {stat.stat:<4} {_num(stat.before):>10} {_num(stat.after):>10}  {ratio}"
            )
    return lines


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _json(out: TextIO, value: Any) -> int:
    out.write(json.dumps(_plain(value), indent=2) + "\n")
    return 0


def _plain(value: Any) -> Any:
    """Dataclasses, paths and datetimes as JSON-ready values."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value
