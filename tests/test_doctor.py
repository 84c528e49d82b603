"""`gt-tui doctor` as an operator runs it: a subprocess over a real town on the real MariaDB.

A healthy town passes; a wrong port, a wrong password and a missing rig database each
fail on the line that names them; the password never appears; the JSON report is the
text report's content; and the doctor leaves the town's files and the server as it found
them.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from builder.files import write_dolt_config
from builder.schema import drop_database
from helpers import clean_env, run_gt_tui, tmux
from sqlserver import SQLServer, free_port
from towns import NOW, BuiltTown, build_town

from gt_tui.doctor.core import SYMBOLS
from gt_tui.doctor.report import WIDTH
from gt_tui.town.db import MySQLDatabase
from gt_tui.town.endpoint import Endpoint

CLI_TIMEOUT = 90.0
SERVER_CHECKS = ("credentials", "server", "probe", "databases", "schema", "indexes")


def run_doctor(
    *args: str, cwd: Path, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m gt_tui doctor ARGS` in a clean environment (no GT_* from our shell)."""
    return run_gt_tui("doctor", *args, cwd=cwd, env=clean_env(home, env), timeout=CLI_TIMEOUT)


def lines_by_name(text: str) -> dict[str, tuple[str, str]]:
    """Check name -> (symbol, detail) from the text report."""
    found = {}
    for line in text.splitlines()[1:-1]:
        symbol, _, rest = line.partition(" ")
        if symbol in SYMBOLS.values():
            name, _, detail = rest.partition(" ")
            found[name] = (symbol, detail.strip())
    return found


@pytest.fixture
def mysql_town(tmp_path: Path, mariadb: SQLServer, tmux_socket: str) -> Iterator[BuiltTown]:
    """A town on the MariaDB with an event on its bus and two sessions on its tmux socket."""
    built = build_town(tmp_path / "town", "mysql", server=mariadb)
    built.event("session_start", "mayor", {"session": "hq-mayor"}, NOW)
    for session in ("hq-mayor", "gt-Toast"):
        tmux(tmux_socket, "new-session", "-d", "-s", session, "sleep 600")
    try:
        yield built
    finally:
        built.close()


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under root with its size and modification time."""
    found = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


def databases(server: SQLServer) -> list[str]:
    admin = server.admin()
    try:
        return sorted(str(name) for (name,) in admin.query("SHOW DATABASES"))
    finally:
        admin.close()


def test_healthy_town_passes_and_changes_nothing(
    mysql_town: BuiltTown, mariadb: SQLServer, home: Path, tmux_socket: str
) -> None:
    env = {"GT_TMUX_SOCKET": tmux_socket}
    files, dbs = tree(mysql_town.root), databases(mariadb)

    done = run_doctor("--town", str(mysql_town.root), cwd=home, home=home, env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) <= 22 and all(len(line) <= WIDTH for line in lines), done.stdout
    assert lines[-1].startswith("ok: ")
    checks = lines_by_name(done.stdout)
    for name in ("town", "rigs", "endpoint", *SERVER_CHECKS, "tmux", "events"):
        assert checks[name][0] in ("✓", "!"), (name, done.stdout)
    for name in ("town", "rigs", "endpoint", "credentials", "server", "databases", "tmux"):
        assert checks[name][0] == "✓", (name, done.stdout)
    for i, line in enumerate(lines):  # every warning explains itself on the next line
        if line.startswith("! "):
            assert lines[i + 1].lstrip().startswith("→ "), done.stdout
    assert "over tcp" in checks["endpoint"][1]
    assert checks["town"][1].startswith("found by --town: ")
    assert "2 sessions, 0 dead" in checks["tmux"][1]
    assert "last session_start" in checks["events"][1]
    assert "v1.0.0 (depends_on_id)" in checks["schema"][1]
    assert mysql_town.databases["beads"] in checks["databases"][1]
    assert checks["probe"][1].startswith("SELECT 1 in ")
    assert tree(mysql_town.root) == files  # no file written, none touched
    assert databases(mariadb) == dbs


def test_json_matches_the_text(mysql_town: BuiltTown, home: Path, tmux_socket: str) -> None:
    env = {"GT_TMUX_SOCKET": tmux_socket}
    args = ("--town", str(mysql_town.root))
    text = run_doctor(*args, cwd=home, home=home, env=env)
    done = run_doctor(*args, "--format", "json", cwd=home, home=home, env=env)

    assert done.returncode == text.returncode == 0
    report = json.loads(done.stdout)
    assert report["schema"] == 1 and report["ok"] is True
    assert report["town"]["name"] == "testtown"
    assert report["town"]["how"] == "--town"
    assert report["town"]["endpoint"] == f"root@127.0.0.1:{mysql_town.server.endpoint.port}"
    shown = lines_by_name(text.stdout)
    assert [c["name"] for c in report["checks"]] == list(shown)
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail", "hint"}
        symbol, detail = shown[check["name"]]
        assert symbol == SYMBOLS[check["status"]]
        # the probe's milliseconds differ between the two runs; the rest is the same
        if check["name"] != "probe":
            assert check["detail"].startswith(detail.rstrip("…")), check


def test_wrong_port_names_the_endpoint(mysql_town: BuiltTown, home: Path) -> None:
    port = free_port()
    write_dolt_config(mysql_town.root, Endpoint("127.0.0.1", port))

    done = run_doctor("--town", str(mysql_town.root), cwd=home, home=home)

    assert done.returncode == 1, done.stdout
    checks = lines_by_name(done.stdout)
    symbol, detail = checks["endpoint"]
    assert symbol == "✗" and f"127.0.0.1:{port}" in detail and "refused" in detail.lower()
    for name in SERVER_CHECKS:  # one fault, one error: the rest say why they did not run
        assert checks[name] == ("-", "skipped: the server is not reachable"), done.stdout
    assert done.stdout.splitlines()[-1].startswith("not ok: ")


@pytest.fixture
def login(mariadb: SQLServer, mysql_town: BuiltTown) -> Iterator[tuple[str, str]]:
    """A user with a password and read access to the town's databases; dropped afterwards."""
    user, password = f"doc{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    admin = mariadb.admin()
    hosts = ("localhost", "127.0.0.1")
    for host in hosts:
        admin.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY %s", [password])
        for database in mysql_town.databases.values():
            admin.execute(f"GRANT SELECT ON `{database}`.* TO '{user}'@'{host}'")
    try:
        yield user, password
    finally:
        for host in hosts:
            admin.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        admin.close()


def test_wrong_password_fails_and_no_password_is_shown(
    mysql_town: BuiltTown, login: tuple[str, str], home: Path
) -> None:
    user, password = login
    wrong = f"wrong-{secrets.token_hex(8)}"
    args = ("--town", str(mysql_town.root))
    env = {"GT_DOLT_USER": user, "GT_DOLT_PASSWORD": wrong}

    text = run_doctor(*args, cwd=home, home=home, env=env)
    done = run_doctor(*args, "--format", "json", cwd=home, home=home, env=env)

    assert text.returncode == done.returncode == 1, text.stdout
    symbol, detail = lines_by_name(text.stdout)["credentials"]
    assert symbol == "✗" and "Access denied" in detail and f"{user}:****@" in detail
    assert lines_by_name(text.stdout)["server"][1] == "skipped: the login was refused"
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["town"]["endpoint"].startswith(f"{user}:****@")
    for out in (text, done):
        assert wrong not in out.stdout + out.stderr
        assert password not in out.stdout + out.stderr


def test_right_password_passes_and_stays_hidden(
    mysql_town: BuiltTown, login: tuple[str, str], home: Path
) -> None:
    user, password = login
    env = {"GT_DOLT_USER": user, "GT_DOLT_PASSWORD": password}

    done = run_doctor("--town", str(mysql_town.root), cwd=home, home=home, env=env)

    checks = lines_by_name(done.stdout)
    assert checks["credentials"][0] == "✓", done.stdout
    assert checks["credentials"][1].startswith(f"{user}:****@127.0.0.1:")
    assert checks["databases"][0] == "✓", done.stdout
    assert password not in done.stdout + done.stderr


def test_missing_rig_database_is_named(mysql_town: BuiltTown, home: Path) -> None:
    missing = mysql_town.databases["beads"]
    drop_database(mysql_town.db, missing)

    done = run_doctor("--town", str(mysql_town.root), cwd=home, home=home)

    assert done.returncode == 1, done.stdout
    checks = lines_by_name(done.stdout)
    assert checks["databases"] == ("✗", f"missing on the server: {missing} (rig beads)")
    assert checks["probe"][0] == "✓"  # hq is there: the probe still runs
    assert checks["schema"][0] == "✓" and "in 2 databases" in checks["schema"][1]


def test_the_doctor_opens_the_database_read_only(mysql_town: BuiltTown) -> None:
    from gt_tui.doctor.context import DoctorContext
    from gt_tui.errors import ReadOnlyRefused

    ctx = DoctorContext(explicit=mysql_town.root, env={})
    try:
        db = ctx.hq()
        assert isinstance(db, MySQLDatabase) and db.read_only
        with pytest.raises(ReadOnlyRefused):
            db.execute(f"DROP DATABASE `{mysql_town.hq}`")
        ((state,),) = db.query("SELECT @@session.tx_read_only")
        assert int(state) == 1
    finally:
        ctx.close()
