"""The engine's public face: the one thing the console (gt_tui.ui) holds of the engine.

It hands out snapshots and runs the console's actions, each a typed method returning an
`ActionResult`. Every change goes through a guard (gt_tui.engine.guard): the town's actions
through the engine's `Actions`, the demo's load through the `sandbox.load` action of the local
actions (the same one `gt-tui sandbox load` runs). In read-only mode the guard, not the view,
refuses and audits. The demo arrives as a small Protocol, so the engine never imports the
sandbox; `gt_tui.modes` builds the facade from the Engine and, on `--demo`, the DemoTown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from gt_tui.engine.guard import ActionResult
from gt_tui.engine.ops.preview import CleanupPreview, FlushPreview, PoolPreview
from gt_tui.engine.snapshot import Snapshot, SourceError
from gt_tui.errors import GtTuiError

__all__ = [
    "ActionPreview",
    "ActionResult",
    "CleanupPreview",
    "Demo",
    "EngineCore",
    "EngineFacade",
    "FlushPreview",
    "PoolPreview",
    "Progress",
    "Recorder",
    "SandboxLoad",
]
Progress = Callable[[float], None]
ActionPreview = PoolPreview | FlushPreview | CleanupPreview  # each has values() for a question


class TownActions(Protocol):
    """The engine's guarded town actions the console runs (gt_tui.engine.actions.Actions)."""

    @property
    def read_only(self) -> bool: ...

    def clear_cache(self, kind: str = "all") -> ActionResult: ...

    def warm_cache(self, kind: str = "all") -> ActionResult: ...

    def create_pool(self, rig: str | None = None, size: int | None = None) -> ActionResult: ...

    def flush_queue(self, rig: str | None = None) -> ActionResult: ...

    def cleanup_tmux(self) -> ActionResult: ...

    def preview_pool(self) -> PoolPreview: ...

    def preview_flush(self) -> FlushPreview: ...

    def preview_cleanup(self) -> CleanupPreview: ...

    def run_benchmark(
        self, kind: str | None = None, runs: int | None = None, progress: Progress | None = None
    ) -> ActionResult: ...


class EngineCore(Protocol):
    """What the facade needs of an engine (gt_tui.engine.engine.Engine)."""

    @property
    def read_only(self) -> bool: ...

    @property
    def actions(self) -> TownActions | None: ...

    def refresh(self) -> Snapshot: ...

    def close(self) -> None: ...


class Demo(Protocol):
    """The sandbox behind a demo engine: where it lives, its load now, and the loads it has."""

    load: str

    @property
    def root(self) -> Path: ...

    @property
    def levels(self) -> tuple[str, ...]: ...


class SandboxLoad(Protocol):
    """The guarded, audited `sandbox.load` action (gt_tui.local_actions.LocalActions)."""

    def set_sandbox_load(self, directory: Path, level: str) -> ActionResult: ...


class Recorder(Protocol):
    """Where every snapshot is appended (`--record`: gt_tui.history.HistoryWriter); `append`
    returns None when stored, else why not in one line, and never raises."""

    def append(self, snapshot: Snapshot) -> str | None: ...


RECORD_SOURCE = "history"  # the source error a failing recording shows, as any source's


class EngineFacade:
    """Snapshots and the console's actions over one engine (and, on the demo, its sandbox)."""

    def __init__(
        self,
        engine: EngineCore,
        *,
        demo: Demo | None = None,
        sandbox: SandboxLoad | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        if (demo is None) != (sandbox is None):
            raise ValueError("a demo needs its sandbox actions, and only a demo has them")
        self._engine = engine
        self._demo = demo
        self._sandbox = sandbox
        self._recorder = recorder
        self._record_failing_since: datetime | None = None

    @property
    def read_only(self) -> bool:
        """Whether the engine refuses every change (`--read-only`, `--wall`)."""
        return bool(self._engine.read_only)

    def refresh(self) -> Snapshot:
        """One refresh of every source, as a Snapshot; appended to the recording, if any (a
        failing one is a source error of the snapshot, and the next refresh tries again)."""
        snapshot = self._engine.refresh()
        if self._recorder is None:
            return snapshot
        problem = self._recorder.append(snapshot)
        if problem is None:
            self._record_failing_since = None
            return snapshot
        since = self._record_failing_since = self._record_failing_since or snapshot.generated_at
        error = SourceError(RECORD_SOURCE, problem, since)
        return replace(snapshot, errors=(*snapshot.errors, error))

    def close(self) -> None:
        """Release the engine's connections."""
        self._engine.close()

    # ------------------------------------------------------------ the town's actions

    def _actions(self) -> TownActions:
        actions = self._engine.actions
        if actions is None:
            raise GtTuiError("this console has no engine actions")
        return actions

    def clear_cache(self) -> ActionResult:
        """Drop every cached bead and query result (`cache.clear`)."""
        return self._actions().clear_cache()

    def warm_cache(self) -> ActionResult:
        """Load agents, status and hot beads into the caches (`cache.warm`)."""
        return self._actions().warm_cache()

    def create_pool(self) -> ActionResult:
        """A pool of ready worktrees, default rigs and size from settings (`pool.create`)."""
        return self._actions().create_pool()

    def flush_queue(self) -> ActionResult:
        """Close every queued sling (`queue.flush`)."""
        return self._actions().flush_queue()

    def cleanup_tmux(self) -> ActionResult:
        """Kill the tmux sessions of dead polecats (`tmux.cleanup`)."""
        return self._actions().cleanup_tmux()

    # ------------------------------------------------------------ what they would do (read only)

    def preview_pool(self) -> PoolPreview:
        """Which rigs `create_pool` fills and how many worktrees each gets; changes nothing."""
        return self._actions().preview_pool()

    def preview_flush(self) -> FlushPreview:
        """How many slings `flush_queue` would close, per rig; changes nothing."""
        return self._actions().preview_flush()

    def preview_cleanup(self) -> CleanupPreview:
        """Which sessions `cleanup_tmux` would kill (the dead ones); changes nothing."""
        return self._actions().preview_cleanup()

    def run_benchmark(
        self, kind: str | None = None, progress: Progress | None = None
    ) -> ActionResult:
        """Run the `kind` benchmark (dolt, polecat, convoy), reporting progress 0..1
        (`benchmark.run`). With no kind (a key pressed on a read-only console, before anything
        is asked) the guard refuses it."""
        return self._actions().run_benchmark(kind, progress=progress)

    # ------------------------------------------------------------ the demo's load

    @property
    def demo_levels(self) -> tuple[str, ...]:
        """The demo's load levels, in the order the load key cycles them; () without a demo."""
        return () if self._demo is None else tuple(self._demo.levels)

    @property
    def demo_load(self) -> str | None:
        """The demo's load now; None without a demo."""
        return None if self._demo is None else self._demo.load

    def next_demo_load(self) -> str:
        """The level after the current one (the load key's next step)."""
        levels, load = self.demo_levels, self.demo_load
        if not levels:
            raise GtTuiError("not a demo town: it has no load to change")
        at = levels.index(load) if load in levels else -1
        return levels[(at + 1) % len(levels)]

    def set_demo_load(self, level: str) -> ActionResult:
        """Write the demo's load to its state file (`sandbox.load`, guarded and audited)."""
        if self._demo is None or self._sandbox is None:
            return ActionResult(False, "not a demo town: it has no load to change")
        result = self._sandbox.set_sandbox_load(self._demo.root, level)
        if result.ok:
            self._demo.load = level
        return result
