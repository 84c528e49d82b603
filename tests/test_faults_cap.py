"""Fault: the server's connection cap is reached (other clients hold every slot).

On the shared MariaDB the cap is a per-user one (`MAX_USER_CONNECTIONS`), so the test never
starves other tests; the server answers with the same kind of refusal as `max_connections`.
(Dolt past its cap blocks silently instead: the stall test covers a server that never answers.)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pymysql
import pytest
from clock import FakeClock
from sqlserver import SQLServer
from towns import BuiltTown, add_known_mail, build_town

from gt_tui.engine.engine import Engine
from gt_tui.settings import Settings
from gt_tui.town.connect import open_database

pytestmark = pytest.mark.faults

CAP = 2


@pytest.fixture
def capped_user(mariadb: SQLServer) -> Iterator[tuple[str, str]]:
    """A user allowed CAP connections at once, with a password; dropped afterwards."""
    user, password = f"cap_{secrets.token_hex(3)}", secrets.token_hex(8)
    admin = mariadb.admin()
    admin.execute(
        f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS {CAP}",
        [password],
    )
    admin.execute(f"GRANT SELECT ON *.* TO '{user}'@'127.0.0.1'")
    try:
        yield user, password
    finally:
        admin.execute(f"DROP USER '{user}'@'127.0.0.1'")
        admin.close()


@pytest.fixture
def town(tmp_path: Path, mariadb: SQLServer) -> Iterator[BuiltTown]:
    built = build_town(tmp_path / "town", "mysql", "v1.0.5", server=mariadb)
    add_known_mail(built, datetime.now(UTC))
    yield built
    built.close()


def hog(server: SQLServer, user: str, password: str) -> list[pymysql.Connection]:
    ep = server.endpoint
    return [
        pymysql.connect(host=ep.host, port=ep.port, user=user, password=password)
        for _ in range(CAP)
    ]


def test_connection_cap_reads_as_an_outage_and_recovers(
    town: BuiltTown, mariadb: SQLServer, capped_user: tuple[str, str]
) -> None:
    user, password = capped_user
    held = hog(mariadb, user, password)
    engine_town = town.town(env={"GT_DOLT_USER": user, "GT_DOLT_PASSWORD": password})
    settings = Settings.defaults()
    clock = FakeClock(datetime.now(UTC))
    engine = Engine(
        engine_town,
        open_database(engine_town, settings, read_only=True),
        settings,
        read_only=True,
        clock=clock,
    )
    try:
        refused = engine.refresh()
        for conn in held:
            conn.close()
        clock.advance(2)
        back = engine.refresh()
    finally:
        engine.close()
    error = refused.dolt.error or ""
    assert "max_user_connections" in error and "\n" not in error
    assert password not in error
    assert refused.metric("dolt_latency").stale and refused.metric("mail_lag").stale
    assert not back.errors, back.errors
    assert back.metric("mail_lag").count == 3 and not back.metric("mail_lag").stale
