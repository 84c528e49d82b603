"""The guarded actions that change something outside a town's rows: settings, sandboxes,
saved benchmark results.

Same guard as the town's `Actions` (`engine.guard`): refused in read-only mode before
anything runs, timed, one audit line each. The CLI's `config set`, `sandbox build|run|load`
and `benchmark --save`, and the console's demo-load key, call these; nothing else writes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from gt_tui.engine.audit import AuditLog
from gt_tui.engine.guard import ActionResult, Guarded, action
from gt_tui.errors import GtTuiError


def cli_read_only(args: Any) -> bool:
    """Whether a parsed command line asked for read-only: `--read-only`, or `--wall`."""
    return bool(getattr(args, "read_only", False) or getattr(args, "wall", False))


def confirm_change(command: str, question: str, *, yes: bool, stdin: TextIO | None = None) -> None:
    """Ask `question [y/N]` on a terminal; without `--yes` off a terminal, refuse (GtTuiError)."""
    stdin = stdin or sys.stdin
    if yes:
        return
    if not stdin.isatty():
        raise GtTuiError(f"{command}: refused without --yes (stdin is not a terminal)")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    if stdin.readline().strip().lower() not in ("y", "yes"):
        raise GtTuiError(f"{command}: cancelled")


class LocalActions(Guarded):
    """Settings, sandbox and saved-result actions; `label` names the target in audit lines,
    `root` the town's directory when the change concerns one."""

    def __init__(
        self,
        label: str,
        *,
        read_only: bool,
        audit_log: AuditLog | None = None,
        root: Path | None = None,
    ):
        self.label = label
        self.read_only = read_only
        self.audit_log = audit_log or AuditLog()
        self.root = root

    @property
    def audit_town(self) -> str:
        return self.label

    @property
    def audit_root(self) -> str | None:
        return None if self.root is None else str(self.root)

    @action("config.set")
    def set_setting(self, key: str, value: str, path: Path) -> ActionResult:
        from gt_tui.setting_table import spec_for
        from gt_tui.settings import save_setting

        settings = save_setting(key, value, path)
        name = spec_for(key).name
        where = f"{path} ({settings.source(name)})"
        return ActionResult(True, f"set {name} = {settings.text(name)} in {where}", settings)

    @action("sandbox.build", hidden=("db_url",))
    def build_sandbox(
        self, directory: Path, scale: str, db_url: str | None, variant: str, seed: int
    ) -> ActionResult:
        from gt_tui.sandbox.scale import build_scale_town

        town = build_scale_town(directory, scale, db_url, variant, seed=seed)
        where = "SQLite files" if town.endpoint is None else f"{town.endpoint} databases"
        return ActionResult(True, f"built {scale} town in {directory}; beads: {where}", town)

    @action("sandbox.run", hidden=("db_url",))
    def run_sandbox(
        self,
        directory: Path | None,
        db_url: str | None,
        load: str,
        seed: int | None = None,
        use_tmux: bool | None = None,
        body: Callable[[Any], int] | None = None,
    ) -> ActionResult:
        """Build and run a live sandbox; `body(demo)` runs while it lives (its exit code)."""
        from gt_tui.sandbox.demo import DemoTown

        demo = DemoTown(directory, db_url, load, seed=seed, use_tmux=use_tmux)
        try:
            with demo:
                code = body(demo) if body is not None else 0
        except KeyboardInterrupt:
            return ActionResult(True, "sandbox stopped and cleaned up", 0)
        return ActionResult(code == 0, f"sandbox ended (exit {code})", code)

    @action("sandbox.load")
    def set_sandbox_load(self, directory: Path, level: str) -> ActionResult:
        from gt_tui.sandbox.load import set_level

        set_level(directory, level)
        return ActionResult(True, f"load set to {level}", level)

    @action("benchmark.save", hidden=("result",))
    def save_benchmark(self, name: str, result: Any) -> ActionResult:
        from gt_tui.engine.bench import results as bench_results

        saved = bench_results.save_result(result, name)
        return ActionResult(True, f"saved as {name} ({saved})", saved)
