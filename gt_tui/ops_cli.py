"""Subcommands for the engine's operations. Never imports Textual.

gt-tui pool create [--rig R] [--size N] [--yes]      gt-tui pool list [--format F]
gt-tui tmux list [--format F]                        gt-tui tmux cleanup --dead [--yes]
gt-tui tmux tune [--yes]
gt-tui queue list [--format F]                       gt-tui queue flush [--rig R] [--yes]
gt-tui cache clear|warm [--type bead|agent|status|all] [--yes]
gt-tui indexes check [--format F]                    gt-tui indexes create [DB.INDEX …] [--yes]
gt-tui [--refresh S] benchmark --type dolt|polecat|convoy|refresh [--runs N] [--save NAME]
                 [--format text|json]
gt-tui benchmark compare --before A --after B [--format text|json]

Thin glue: changes go through the guarded facade (`ctx.actions`: read-only refusal and the
audit log live there); listings and `compare` read directly. A change asks for
confirmation on a terminal and is refused without `--yes` when stdin is not one.
`ops_parsers.add_ops_parsers` tags each parsed command with `args.ops_command`
("pool create", …) and `args.run` = `run_command`, which opens the engine for an
`OpsContext` and calls `run_ops(args, ctx)`.
Printing lives in ops_format.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from gt_tui.engine.bench import compare as bench_compare
from gt_tui.engine.bench import results as bench_results
from gt_tui.engine.bench.refresh import RefreshTarget, refresh_json
from gt_tui.errors import GtTuiError
from gt_tui.export.style import format_age as age
from gt_tui.local_actions import cli_read_only, confirm_change
from gt_tui.modes import engine_session
from gt_tui.ops_format import describe, describe_comparison, describe_refresh, mib, write_json
from gt_tui.settings import Settings
from gt_tui.town.db import Database
from gt_tui.town.model import Town

__all__ = ["OpsContext", "run_command", "run_ops"]


@dataclass
class OpsContext:
    """What the subcommands need: the town, its database, settings, mode and the facade."""

    town: Town
    db: Database | None
    settings: Settings
    read_only: bool
    actions: Any  # gt_tui.engine.actions.Actions


# ---------------------------------------------------------------- running


def run_command(args: argparse.Namespace) -> int:
    """Every ops subcommand's `run`: through an engine's guarded actions (none for
    `benchmark compare`, which reads only saved files)."""
    if args.ops_command == "benchmark compare":
        return run_ops(args, None)
    with engine_session(args, read_only=cli_read_only(args)) as engine:
        # Not refreshed yet: the refresh benchmark's first refresh is a fresh engine's,
        # its steady ones paced as the console's (`--refresh`, else ui.refresh_interval).
        pace = getattr(args, "refresh", None) or engine.settings.number("ui.refresh_interval")
        engine.actions.refresh_target = RefreshTarget(engine.refresh, pace)
        ctx = OpsContext(engine.town, engine.db, engine.settings, engine.read_only, engine.actions)
        return run_ops(args, ctx)


def run_ops(args: argparse.Namespace, ctx: OpsContext | None, out: TextIO | None = None) -> int:
    """Run a parsed ops command: 0 done, 1 when the action reported a failure.

    `ctx` may be None for `benchmark compare`, which reads only saved files. GtTuiError
    (refusals included) propagates for the caller's one-line handler.
    """
    stream = out or sys.stdout
    if args.ops_command == "benchmark compare":
        return _compare(args, stream)
    if ctx is None:
        raise GtTuiError(f"{args.ops_command}: needs a town")
    return _HANDLERS[args.ops_command](args, ctx, stream)


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
    from gt_tui.engine.ops.worktree_pool import list_pool

    pools = list_pool(ctx.town, ctx.settings)
    if args.ops_format == "json":
        return write_json(out, pools)
    for pool in pools:
        out.write(
            f"{pool.rig}: {len(pool.idle)} idle, {len(pool.in_use)} in use (cap {pool.cap})\n"
        )
        for cat in pool.polecats:
            out.write(f"  {cat.name:<14} {cat.state:<7} {cat.reason or cat.path}\n")
    return 0


def _tmux_list(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    from gt_tui.engine.ops.tmux_hygiene import check_session_budget
    from gt_tui.town.tmux_sessions import list_town_sessions

    sessions = list_town_sessions(ctx.town)
    if args.ops_format == "json":
        return write_json(out, sessions)
    out.write(f"{'SESSION':<24} {'ROLE':<9} {'RIG':<12} {'AGE':>7} {'IDLE':>7} STATE   MEMORY\n")
    for s in sessions:
        state = "alive" if s.alive else f"DEAD ({s.reason})"
        out.write(
            f"{s.name:<24} {s.role:<9} {s.rig or '-':<12} {age(s.age_s):>7}"
            f" {age(s.idle_s):>7} {state:<7} {mib(s.memory_bytes)}\n"
        )
    out.write(check_session_budget(ctx.town, ctx.settings).message + "\n")
    return 0


def _tmux_cleanup(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    _confirm(ctx, args, "Kill the town's dead tmux sessions?")
    result = ctx.actions.cleanup_tmux()
    out.writelines(f"  {s.name}: {s.reason}\n" for s in result.details or ())
    return _finish(result, out)


def _tmux_tune(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    _confirm(ctx, args, "Set the recommended global options on the town's tmux server?")
    result = ctx.actions.tune_tmux()
    for change in result.details or ():
        note = "" if change.changed else " (unchanged)"
        out.write(f"  {change.option}: {change.before or '-'} -> {change.after}{note}\n")
    return _finish(result, out, quiet=bool(result.details))


def _benchmark(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    if args.bench_type is None:
        raise GtTuiError(
            "benchmark: say --type dolt|polecat|convoy|refresh (or `benchmark compare`)"
        )
    result = ctx.actions.run_benchmark(args.bench_type, args.runs, _progress_bar())
    if not result.ok:
        return _finish(result, out)
    if args.save:
        from gt_tui.local_actions import LocalActions

        saved = LocalActions(
            ctx.town.name, read_only=ctx.read_only, root=ctx.town.root
        ).save_benchmark(args.save, result.details)
        print(f"gt-tui: {saved.summary}", file=sys.stderr)
        if not saved.ok:
            return 2
    details = result.details
    if args.ops_format == "json":
        return write_json(out, refresh_json(details) if details.kind == "refresh" else details)
    lines = describe_refresh(details) if details.kind == "refresh" else describe(details)
    out.writelines(line + "\n" for line in lines)
    return 0


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    before = bench_results.load_result(args.before)
    after = bench_results.load_result(args.after)
    comparison = bench_compare.compare(before, after)
    if args.ops_format == "json":
        return write_json(out, comparison.to_json())
    out.writelines(line + "\n" for line in describe_comparison(comparison, args))
    return 0


def _queue_list(args: argparse.Namespace, ctx: OpsContext, out: TextIO) -> int:
    view = ctx.actions.queue()
    if args.ops_format == "json":
        return write_json(out, view)
    out.write(f"sling queue: {view.depth}/{view.limit} (sling.queue_size)\n")
    for item in view.items:
        out.write(
            f"  {item.id:<24} {item.rig or '-':<12} {item.work_bead or '-':<16}"
            f" waited {age(item.waited(view.now))}\n"
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
        return write_json(out, findings)
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
}


# ---------------------------------------------------------------- asking and telling


def _confirm(
    ctx: OpsContext, args: argparse.Namespace, question: str, stdin: TextIO | None = None
) -> None:
    """Ask on a terminal; refuse without --yes otherwise. Read-only skips the question:
    the facade refuses (and audits the refusal) at once."""
    if not ctx.read_only:
        confirm_change(args.ops_command, question, yes=args.yes, stdin=stdin)


def _finish(result: Any, out: TextIO, quiet: bool = False) -> int:
    if not result.ok:
        print(f"gt-tui: {result.summary}", file=sys.stderr)
        return 2
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
