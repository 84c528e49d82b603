"""A dead database reads as one, on a real server taken away (issue 11, deliver 2).

The town's endpoint is a loopback proxy to the private MariaDB; the proxy is stopped (the port
refuses connections) after one good refresh. Then the header keeps the endpoint and says since
when, with the reason once; the overall health and the Dolt box say unreachable; figures read
from the database keep their last values marked stale; and it all recovers by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from builder.files import write_dolt_config
from clock import FakeClock
from faultkit import PausableProxy
from sqlserver import SQLServer
from towns import NOW, add_known_convoys, add_known_mail, add_known_patrols, build_town

from gt_tui.engine.engine import Engine
from gt_tui.engine.snapshot import Snapshot
from gt_tui.export import header_view
from gt_tui.export.style import DEFAULT_PALETTE, ViewState
from gt_tui.export.text import render_text
from gt_tui.health import Health
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database
from gt_tui.town.endpoint import Endpoint

pytestmark = pytest.mark.mariadb
REASON = "Connection refused"


@pytest.fixture
def outage(tmp_path: Path, mariadb: SQLServer) -> Iterator[tuple[Engine, PausableProxy, FakeClock]]:
    proxy = PausableProxy(mariadb.endpoint)
    proxy.start()
    built = build_town(tmp_path / "town", "mysql", "v1.0.5", server=mariadb)
    for add in (add_known_mail, add_known_convoys, add_known_patrols):
        add(built, NOW)
    write_dolt_config(built.root, Endpoint("127.0.0.1", proxy.port))
    town, settings, clock = built.town(), Settings.defaults(), FakeClock()
    db = open_database(town, settings, read_only=True)
    engine = Engine(town, db, settings, read_only=True, clock=clock)
    yield engine, proxy, clock
    engine.close()
    proxy.stop()
    built.close()


def _header(snap: Snapshot, now, width: int) -> str:
    return header_view.header_line(snap, ViewState(now=now), DEFAULT_PALETTE, width).plain


def test_a_dead_database_reads_as_one(outage) -> None:
    engine, proxy, clock = outage
    good = engine.refresh()
    assert good.errors == () and good.town.convoys_open == 2
    proxy.stop()
    clock.advance(5)
    down = engine.refresh()
    clock.advance(5)
    down = engine.refresh()
    since = down.dolt.error_since.astimezone().strftime("%H:%M:%S")
    endpoint = f"root@127.0.0.1:{proxy.port}"

    # The header: the endpoint kept at every width, since when, the reason at most once.
    for width in (80, 120, 200):
        line = _header(down, clock.now, width)
        assert endpoint in line and since in line, line
        assert "WARNING" not in line and "NO DATA" not in line, line
        assert line.count(REASON) <= 1 and line.count(endpoint) == 1, line
    wide = _header(down, clock.now, 200)
    assert f"UNREACHABLE since {since}" in wide and REASON in wide
    text_head = "\n".join(render_text(down, color=False, width=200).splitlines()[:2])
    assert text_head.count(REASON) == 1 and text_head.count(endpoint) == 1, text_head

    # Overall health and the Dolt box say so; no box warns from the dead server's old rows.
    assert down.unreachable and down.health is Health.DANGER
    boxes = {node.key: node for node in down.bottlenecks}
    assert boxes["dolt"].health is Health.DANGER
    assert boxes["dolt"].facts[0] == f"UNREACHABLE since {since}"
    for key in ("deacon", "witness", "refinery", "mail"):
        assert boxes[key].health in (Health.UNKNOWN, Health.HEALTHY), boxes[key]
    assert any(f.endswith("(stale)") for f in boxes["witness"].facts), boxes["witness"]
    assert boxes["mail"].facts[0].endswith("(stale)"), boxes["mail"]

    # Figures read from the database: the last values, marked stale; never 0.
    assert "convoys 2 open (stale)" in header_view.town_line(down, DEFAULT_PALETTE, 200).plain

    proxy.start()  # recovery stays automatic
    clock.advance(5)
    back = engine.refresh()
    assert not back.unreachable and back.errors == ()
    assert "UNREACHABLE" not in _header(back, clock.now, 200)
    assert endpoint in _header(back, clock.now, 200)
