"""The guarded facade every console key and CLI subcommand calls to change a town.

Each action is a method decorated with `@action(name)` (gt_tui/engine/guard.py). The
decorator, not the UI, is the guard: in read-only mode (`--read-only`, `--wall`) it raises
`ReadOnlyRefused` before the method runs; every call is timed and leaves exactly one audit
line, refusals and failures included. Changes outside a town (settings, sandboxes, saved
results) go through the same guard in `local_actions.LocalActions`. Modules with heavy or
optional dependencies are imported inside the method that needs them, so importing this
facade stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gt_tui.engine.audit import AuditLog
from gt_tui.engine.cache.stats import LoadReport
from gt_tui.engine.cache.tiers import EngineCache
from gt_tui.engine.guard import ActionResult, Guarded, action
from gt_tui.engine.limits.bundle import Limits
from gt_tui.engine.ops.advisor import MISSING, IndexAdvisor, IndexFinding
from gt_tui.engine.ops.preview import (
    CleanupPreview,
    FlushPreview,
    PoolPreview,
    flush_preview,
    pool_preview,
)
from gt_tui.engine.ops.queue import QueueView, flush_queue, queue_view
from gt_tui.errors import GtTuiError
from gt_tui.settings import Settings
from gt_tui.town.db import Database
from gt_tui.town.model import Town
from gt_tui.town.schema import detect_schema
from gt_tui.town.server import read_server_status

if TYPE_CHECKING:
    from gt_tui.engine.bench.refresh import RefreshTarget

__all__ = ["BENCH_RUNS", "ActionResult", "Actions", "action"]
Progress = Callable[[float], None]
# Runs when the caller names none.
BENCH_RUNS = {"dolt": 50, "polecat": 5, "convoy": 10, "refresh": 10}


class Actions(Guarded):
    """Cache, queue, index, pool, tmux and benchmark actions for one town."""

    def __init__(
        self,
        town: Town,
        db: Database,
        settings: Settings,
        *,
        read_only: bool,
        audit_log: AuditLog,
        cache: EngineCache,
        limits: Limits,
    ) -> None:
        self.town = town
        self.db = db
        self.settings = settings
        self.read_only = read_only
        self.audit_log = audit_log
        self.cache = cache
        self.limits = limits
        self._register_warm_up()

    def _register_warm_up(self) -> None:
        """What a warm-up loads even before any refresh (or after a clear): the agent list,
        the server's status and the schema. A refresh's own loaders replace these."""
        from gt_tui.engine.readers.work import AGENT_LIST, load_agents

        db, town, cache = self.db, self.town, self.cache
        cache.register(*AGENT_LIST, lambda: load_agents(cache, db, town))
        cache.register("status", "server", lambda: read_server_status(db))
        cache.register("status", "schema", lambda: detect_schema(db, town.databases))

    @property
    def audit_town(self) -> str:
        return self.town.name

    @property
    def audit_root(self) -> str:
        return str(self.town.root)

    def reconfigure(self, settings: Settings) -> None:
        """New settings for the cache and the limits, taking effect now."""
        self.settings = settings
        self.cache.reconfigure(settings)
        self.limits.reconfigure(settings)

    # ------------------------------------------------------------ reading (not audited)

    def queue(self, now: datetime | None = None) -> QueueView:
        """The sling queue against `sling.queue_size`."""
        schema = detect_schema(self.db, self.town.databases)
        return queue_view(self.db, self.town, schema, self.settings, now or datetime.now(UTC))

    def preview_pool(self) -> PoolPreview:
        """What `create_pool()` with the defaults would make: rigs, worktrees now and new."""
        from gt_tui.engine.ops import worktree_pool

        pools = worktree_pool.list_pool(self.town, self.settings)
        return pool_preview(pools, self.settings.integer("pool.size"))

    def preview_flush(self) -> FlushPreview:
        """The slings `flush_queue()` would close, per rig."""
        return flush_preview(self.queue())

    def preview_cleanup(self) -> CleanupPreview:
        """The sessions `cleanup_tmux()` would kill: those judged dead now."""
        from gt_tui.town.tmux_sessions import list_town_sessions

        return CleanupPreview(tuple(s.name for s in list_town_sessions(self.town) if not s.alive))

    def index_advice(self, explain: bool = True) -> list[IndexFinding]:
        """The index advisor's findings for every database of the town."""
        return IndexAdvisor(self.db, self.town.databases).check(explain)

    # ------------------------------------------------------------ caches (spec §4)

    @action("cache.clear")
    def clear_cache(self, kind: str = "all") -> ActionResult:
        dropped = self.cache.clear(kind)
        return ActionResult(True, f"cleared {dropped} cached entries ({kind})", dropped)

    @action("cache.warm")
    def warm_cache(self, kind: str = "all") -> ActionResult:
        return self._loaded("warmed", kind, self.cache.warm(kind))

    def _loaded(self, verb: str, kind: str, report: LoadReport) -> ActionResult:
        if not self.cache.config.enabled:
            return ActionResult(True, "cache is disabled (cache.enabled = false)", report)
        counts = ", ".join(f"{k} {n}" for k, n in report.loaded.items())
        failed = sum(report.failed.values())
        tail = f"; {failed} failed" if failed else ""
        return ActionResult(failed == 0, f"{verb} {kind}: {counts}{tail}", report)

    # ------------------------------------------------------------ queue (spec §3)

    @action("queue.flush")
    def flush_queue(self, rig: str | None = None) -> ActionResult:
        if rig is not None and rig not in {r.name for r in self.town.rigs}:
            raise GtTuiError(f"no rig '{rig}' in town {self.town.name}")
        schema = detect_schema(self.db, self.town.databases)
        done = flush_queue(self.db, self.town, schema, who=self.audit_log.user, rig=rig)
        where = f" of rig {rig}" if rig else ""
        via = f" via {done.via}" if done.closed else ""
        return ActionResult(True, f"closed {len(done.closed)} sling contexts{where}{via}", done)

    # ------------------------------------------------------------ indexes (spec §2)

    @action("indexes.create")
    def create_indexes(self, names: Sequence[str]) -> ActionResult:
        if not names:
            raise GtTuiError("name the indexes to create (see the advisor's list)")
        made = IndexAdvisor(self.db, self.town.databases).create(list(names))
        return ActionResult(True, f"created {len(made)} indexes: {', '.join(made)}", made)

    def missing_indexes(self) -> list[str]:
        """Keys of the recommended indexes the town lacks (for a confirmed create)."""
        return [f.key for f in self.index_advice(explain=False) if f.state == MISSING]

    # ------------------------------------------------------------ worktree pool (spec §6)

    @action("pool.create")
    def create_pool(self, rig: str | None = None, size: int | None = None) -> ActionResult:
        from gt_tui.engine.ops import worktree_pool

        target = self.settings.integer("pool.size") if size is None else size
        rigs = [rig] if rig is not None else [r.name for r in self.town.rigs]
        made = [worktree_pool.create_pool(self.town, name, target, self.settings) for name in rigs]
        parts = [f"{m.rig}: {len(m.created)} new, {m.existing} existed (via {m.via})" for m in made]
        failed = [f for m in made for f in m.failed]
        return ActionResult(not failed, "; ".join(parts) or "no rigs", made)

    # ------------------------------------------------------------ tmux (spec §5)

    @action("tmux.cleanup")
    def cleanup_tmux(self) -> ActionResult:
        from gt_tui.engine.ops import tmux_hygiene

        killed = tmux_hygiene.cleanup_dead(self.town)
        names = ", ".join(s.name for s in killed) or "none"
        return ActionResult(True, f"killed {len(killed)} dead sessions: {names}", killed)

    @action("tmux.tune")
    def tune_tmux(self) -> ActionResult:
        from gt_tui.engine.ops import tmux_hygiene

        changes = tmux_hygiene.tune(self.town, self.settings)
        shown = ", ".join(f"{c.option} {c.before or '-'}->{c.after}" for c in changes)
        return ActionResult(True, f"tmux options: {shown}", changes)

    # ------------------------------------------------------------ benchmarks (spec §10)

    convoy_view: Callable[[], Any] | None = None  # set by the engine: builds the convoy view
    # Set by whoever holds a fresh, never refreshed engine (ops_cli): its refresh and pace.
    refresh_target: RefreshTarget | None = None

    @action("benchmark.run")
    def run_benchmark(
        self, kind: str | None = None, runs: int | None = None, progress: Progress | None = None
    ) -> ActionResult:
        """Run the `kind` benchmark; `kind` may be left out only for the read-only refusal
        (the console refuses before it asks which benchmark)."""
        from gt_tui.engine.bench import run as bench

        count = BENCH_RUNS.get(kind or "", 0) if runs is None else runs
        if kind == "dolt":
            # The benchmark measures the server, so it bypasses our own rate limit and gates.
            server = getattr(self.db, "inner", self.db)
            result = bench.run_dolt_bench(
                server, count, database=self.town.hq_database, progress=progress
            )
        elif kind == "polecat":
            result = bench.run_polecat_comparison(self.town, count, progress=progress)
        elif kind == "convoy" and self.convoy_view is not None:
            result = bench.run_convoy_bench(self.convoy_view, count, progress)
        elif kind == "refresh" and self.refresh_target is not None:
            from gt_tui.engine.bench.refresh import run_refresh_bench

            target, self.refresh_target = self.refresh_target, None  # a first refresh, once
            result = run_refresh_bench(target.refresh, self.db, count, target.pace, progress)
        else:
            raise GtTuiError(f"no {kind!r} benchmark here (dolt, polecat, convoy or refresh)")
        return ActionResult(True, f"{kind} benchmark: {count} runs", result)
