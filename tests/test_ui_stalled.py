"""The console stays responsive while the real engine waits on a server that never answers."""

from __future__ import annotations

import argparse
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from snapshots_fixtures import wait_for

from gt_tui.engine.facade import EngineFacade
from gt_tui.modes import open_engine
from gt_tui.ui.app import GtTuiApp
from gt_tui.ui.screens.help import HelpScreen


@pytest.fixture
def stalled_port() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    done.set()
    thread.join(timeout=5)
    for conn in [*held, listener]:
        conn.close()


def stalled_town(root: Path, port: int) -> Path:
    (root / "mayor").mkdir(parents=True)
    (root / "mayor" / "town.json").write_text(json.dumps({"type": "town", "name": "stalled"}))
    (root / "mayor" / "daemon.json").write_text(json.dumps({"env": {"GT_DOLT_PORT": str(port)}}))
    return root


async def test_keys_answer_while_a_query_hangs(tmp_path: Path, stalled_port: int) -> None:
    root = stalled_town(tmp_path / "town", stalled_port)
    engine = open_engine(root, argparse.Namespace(set=[]), mode="live", read_only=True)
    app = GtTuiApp(EngineFacade(engine), refresh_interval=3600)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: engine._lock.locked())  # the refresh is waiting
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert engine._lock.locked()  # still waiting on the server: the UI did not
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)
            await wait_for(pilot, lambda: app.refreshes >= 1)  # the connect timeout ends it
            snapshot = app.snapshot
            assert snapshot is not None and snapshot.dolt.error
            assert snapshot.dolt.endpoint.endswith(f"127.0.0.1:{stalled_port}")
            assert "timed out" in snapshot.dolt.error
            assert str(stalled_port) not in snapshot.dolt.error  # the header shows it once
            assert all(m.stale for m in snapshot.metrics if m.key != "polecat_spawn")
    finally:
        engine.close()
