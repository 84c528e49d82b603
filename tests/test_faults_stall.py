"""Fault: the server stalls for 30 s under the wall monitor (a pausable proxy holds its bytes).

What must hold: keys answer at once while a refresh hangs, refreshes never overlap and never
pile connections up, the stall reads as an outage, and the console recovers by itself.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faultkit import ConcurrencyMeter, PausableProxy
from snapshots_fixtures import wait_for
from sqlserver import SQLServer
from towns import BuiltTown, add_known_mail, add_known_patrols, build_town

from gt_tui.engine.facade import EngineFacade
from gt_tui.modes import open_engine
from gt_tui.sandbox.layout import write_dolt_config
from gt_tui.town.db import Endpoint
from gt_tui.ui.app import GtTuiApp
from gt_tui.ui.screens.help import HelpScreen

pytestmark = pytest.mark.faults

STALL_S = 30.0
DB_METRICS = ("dolt_latency", "mail_lag", "convoy_refresh", "patrol_cycle")


@pytest.fixture
def proxied_town(tmp_path: Path, mariadb: SQLServer) -> Iterator[tuple[BuiltTown, PausableProxy]]:
    built = build_town(tmp_path / "town", "mysql", "v1.0.5", server=mariadb)
    now = datetime.now(UTC)
    add_known_mail(built, now)
    add_known_patrols(built, now)
    proxy = PausableProxy(mariadb.endpoint)
    proxy.start()
    write_dolt_config(built.root, Endpoint("127.0.0.1", proxy.port))
    try:
        yield built, proxy
    finally:
        proxy.stop()
        built.close()


class KeyTimer:
    """When the app acted on `?`: the seconds from the key press to its action running (what
    "keys answer" means), apart from the time the screen then takes to repaint."""

    def __init__(self, app: GtTuiApp) -> None:
        self.acted_at = 0.0
        original = app.action_help

        def timed_help() -> None:
            self.acted_at = time.monotonic()
            original()

        app.action_help = timed_help  # type: ignore[method-assign]

    async def press(self, pilot, app: GtTuiApp) -> float:
        started = time.monotonic()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        return self.acted_at - started


async def test_a_30_second_stall_under_the_wall(
    proxied_town: tuple[BuiltTown, PausableProxy],
) -> None:
    built, proxy = proxied_town
    engine = open_engine(built.root, argparse.Namespace(set=[]), mode="live", read_only=True)
    meter = ConcurrencyMeter(engine.refresh)
    engine.refresh = meter  # type: ignore[method-assign]
    app = GtTuiApp(EngineFacade(engine), wall=True, refresh_interval=0.5)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.snapshot is not None and not app.snapshot.errors)
            assert app.snapshot is not None and app.snapshot.metric("mail_lag").count == 3
            before, keys = proxy.accepted, KeyTimer(app)

            proxy.pause()
            stalled_at = time.monotonic()
            await wait_for(pilot, lambda: meter.running == 1, steps=5000)
            latencies = [await keys.press(pilot, app) for _ in range(5)]
            await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.dolt.error), 5000)
            outage = app.snapshot
            while time.monotonic() - stalled_at < STALL_S:
                latencies.append(await keys.press(pilot, app))
                await pilot.pause(1.0)
            piled = proxy.accepted - before
            proxy.resume()

            def recovered() -> bool:
                snap = app.snapshot
                return snap is not None and not snap.errors and snap.generated_at > outage_at

            outage_at = outage.generated_at if outage else datetime.now(UTC)
            await wait_for(pilot, recovered, steps=3000)
            back = app.snapshot
    finally:
        engine.close()

    print(
        f"stall: key p100 {max(latencies) * 1000:.0f} ms over {len(latencies)} presses, "
        f"{piled} connections opened, {meter.calls} refreshes, longest {meter.longest_s:.1f} s"
    )
    assert meter.most == 1  # refreshes never overlapped
    # The console acted on keys while a query hung; the bar is 100 ms, generous here because
    # this machine is shared and noisy.
    assert max(latencies) < 0.5
    assert piled <= 10  # one attempt at a time, not one per tick
    assert outage is not None and all(outage.metric(k).stale for k in DB_METRICS)
    assert back is not None
    assert all(not back.metric(k).stale for k in DB_METRICS)
    assert back.metric("mail_lag").count == 3
