"""The town the cadence tests read (tests/test_cadence*.py): known convoys, engines on a
shared FakeClock, and the convoy figures a fresh engine's full read shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clock import NOW, FakeClock
from towns import BuiltTown, add_known_convoys, build_town

from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database

BACKENDS = [pytest.param("mysql", marks=pytest.mark.mariadb), "sqlite"]
STEP = 1.0  # seconds between refreshes: well inside every cadence


class Town:
    """A town with known convoys and the engines opened on it (closed afterwards)."""

    def __init__(self, built: BuiltTown) -> None:
        self.built, self.engines, self.clock = built, list[Engine](), FakeClock()

    def engine(self) -> Engine:
        settings = Settings.defaults()
        town = self.built.town()
        engine = Engine(
            town, open_database(town, settings, read_only=True), settings, read_only=True,
            clock=self.clock,
        )  # fmt: skip
        self.engines.append(engine)
        return engine

    def fresh(self) -> dict[str, Any]:
        """What a new engine's first (full) read shows at this moment."""
        return convoy_figures(self.engine().refresh())


def known_town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Town]:
    """The body of each cadence test file's `town` fixture (parametrised by BACKENDS)."""
    server = request.getfixturevalue("mariadb") if request.param == "mysql" else None
    built = build_town(tmp_path / "town", request.param, server=server)
    add_known_convoys(built, NOW)
    made = Town(built)
    yield made
    for engine in made.engines:
        engine.close()
    built.close()


def convoy_figures(snap: Snapshot) -> dict[str, Any]:
    return {
        "convoys": (snap.town.convoys_open, snap.town.convoys_staged),
        "errors": [e.source for e in snap.errors],
    }
