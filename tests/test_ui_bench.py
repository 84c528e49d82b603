"""Benchmarks in the console at 80 columns (issue 11.4): the choice dialog shows every
choice and how to cancel; the result is the CLI's table in the CLI's units, not a dump."""

from __future__ import annotations

from apps import console
from snapshots_fixtures import NOW, FakeActions, FakeEngine, calm_snapshot, screen_text, wait_for

from gt_tui.engine.bench import results as br
from gt_tui.engine.facade import ActionResult
from gt_tui.ops_format import describe
from gt_tui.ui.keymap import BENCHMARK_KINDS
from gt_tui.ui.screens.confirm import BenchmarkScreen, ResultScreen

SAMPLES = [0.0031, 0.0042, 0.0055, 0.0048, 0.0039]  # seconds: shown in ms, like the CLI


def convoy_result() -> br.BenchResult:
    group = br.make_group("convoy view", SAMPLES, qps=241.5)
    return br.make_result("convoy", len(SAMPLES), "s", [group], {}, "convoy view")


class BenchActions(FakeActions):
    """The fake engine's actions, with a real benchmark result."""

    def run_benchmark(self, kind: str, runs: int | None = None, progress=None) -> ActionResult:
        self.calls.append(("run_benchmark", {"kind": kind, "runs": runs}))
        return ActionResult(True, f"{kind} benchmark: 5 runs", convoy_result())


def app_at_80():
    engine = FakeEngine(calm_snapshot())
    engine.actions = BenchActions()
    return console(engine, refresh_interval=3600, clock=lambda: NOW), engine


async def test_choice_dialog_fits_80_columns_and_says_how_to_cancel() -> None:
    app, engine = app_at_80()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BenchmarkScreen))
        await pilot.pause(0.2)
        text = screen_text(app)
        for kind, label in BENCHMARK_KINDS:
            assert f"{kind[0]}  {label}" in text  # every choice whole, with its key
        assert "esc  Cancel" in text and "esc cancel" in text
        await pilot.press("escape")
        await pilot.pause()
        assert engine.actions.calls == []


async def test_benchmark_result_is_the_cli_table_in_its_units() -> None:
    app, _ = app_at_80()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.refreshes >= 1)
        await pilot.press("b", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
        await wait_for(pilot, lambda: "convoy benchmark: 5 runs" in screen_text(app), steps=300)
        text = screen_text(app)
    assert "BenchResult(" not in text
    result = convoy_result()
    head = br.make_group("x", SAMPLES)
    for figure in (head.p50, head.p95, head.p99):
        assert f"{figure * 1000:.3f}" in text  # milliseconds, three decimals, as the CLI
    assert "241.5" in text and "group (ms)" in text
    # The CLI prints the same figures from the same rows.
    cli = "\n".join(describe(result))
    assert f"{head.p95 * 1000:.3f}" in cli and "ms" in cli
