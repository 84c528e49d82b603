"""A private MySQL-protocol server for tests: Dolt when on PATH, otherwise Debian's MariaDB.

The server lives in a temporary directory, listens on a free loopback port (and a unix
socket inside that directory), and is stopped and removed by `SQLServer.stop()`.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

from gt_tui.town.db import MySQLDatabase
from gt_tui.town.endpoint import Endpoint

START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
SETUP_TIMEOUT = 120.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
START_ATTEMPTS = 3
PORT_TAKEN = "address already in use"  # in MariaDB's and Dolt's log, any case
# Small and fast: the machine has two cores and the data is thrown away.
MARIADB_LIGHT = (
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=8M",
    "--innodb-flush-log-at-trx-commit=2",
    "--skip-log-bin",
)


def find_server() -> tuple[str, str] | None:
    """(kind, binary) of the server to start, Dolt first; None when neither is installed."""
    dolt = shutil.which("dolt")
    if dolt:
        return "dolt", dolt
    for name in ("mariadbd", "/usr/sbin/mariadbd"):
        found = shutil.which(name)
        if found:
            return "mariadb", found
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SQLServer:
    """A running private server: where it listens, how to reach it as root, how to stop it."""

    kind: str
    endpoint: Endpoint
    workdir: Path
    log: Path
    process: subprocess.Popen[bytes]
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def socket_path(self) -> Path:
        """The server's own Unix socket, in its workdir."""
        return self.workdir / ("dolt.sock" if self.kind == "dolt" else "mysqld.sock")

    def admin(self) -> MySQLDatabase:
        """A read-write database handle as root (close it when done)."""
        return MySQLDatabase(self.endpoint)

    def fresh_database_names(self, n: int) -> list[str]:
        """`n` database names never handed out before in this session (not created)."""
        return [f"t{next(self._names)}" for _ in range(n)]

    def stop(self) -> None:
        """Terminate, wait, kill if it will not stop; then remove the directory."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_server(kind: str, binary: str, extra_args: tuple[str, ...] = ()) -> SQLServer:
    """Set up and start a private server; return it once it accepts connections.

    `extra_args` go on the server's command line (e.g. `--wait-timeout=2` for a dedicated
    server: never change the GLOBAL settings of the session's shared one). A server that
    exits because another process took its port between `free_port` and its bind (pytest
    workers start theirs at the same moment) is started again on a new port.
    """
    for attempt in range(START_ATTEMPTS):
        try:
            return _start_once(kind, binary, extra_args)
        except PortTaken:
            if attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    """The server exited at start because its port was already in use."""


def _start_once(kind: str, binary: str, extra_args: tuple[str, ...]) -> SQLServer:
    workdir = Path(tempfile.mkdtemp(prefix=f"gttui-{kind}-")).resolve()
    port = free_port()
    log = workdir / "server.log"
    try:
        starter = _start_dolt if kind == "dolt" else _start_mariadb
        process = starter(binary, workdir, port, log, extra_args)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    server = SQLServer(kind, Endpoint("127.0.0.1", port, "root", ""), workdir, log, process)
    try:
        _wait_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def log_tail(log: Path, lines: int = 30) -> str:
    """The last lines of a server or setup log, for an error message."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _run_setup(argv: list[str], log: Path, env: dict[str, str] | None = None) -> None:
    """Run one setup step with a timeout, its output appended to the log."""
    with log.open("ab") as out:
        try:
            done = subprocess.run(
                argv, stdout=out, stderr=out, env=env, timeout=SETUP_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:  # run() has already killed it
            raise RuntimeError(f"{argv[0]} timed out after {SETUP_TIMEOUT:.0f}s") from None
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} failed ({done.returncode}):\n{log_tail(log)}")


def _start_mariadb(
    binary: str, workdir: Path, port: int, log: Path, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    data = workdir / "data"
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if install is None:
        raise RuntimeError("mariadbd is installed but mariadb-install-db is not")
    # normal root auth: root@localhost and root@127.0.0.1 with no password, real grant tables.
    _run_setup(
        [
            install,
            "--no-defaults",
            f"--datadir={data}",
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *MARIADB_LIGHT,
        ],
        log,
    )
    argv = [
        binary,
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={workdir / 'mysqld.sock'}",
        f"--pid-file={workdir / 'mysqld.pid'}",
        f"--tmpdir={workdir}",
        f"--log-error={log}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        "--user=root",
        *MARIADB_LIGHT,
        *extra_args,
    ]
    return _spawn(argv, log, cwd=workdir)


def _start_dolt(
    binary: str, workdir: Path, port: int, log: Path, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    # Dolt's global config (author identity for new databases) lives in the temp dir.
    env = {**os.environ, "DOLT_ROOT_PATH": str(workdir)}
    for key, value in (("user.name", "gt-tui tests"), ("user.email", "tests@gt-tui.invalid")):
        _run_setup([binary, "config", "--global", "--add", key, value], log, env)
    data = workdir / "data"
    data.mkdir()
    argv = [
        binary,
        "sql-server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--socket",
        str(workdir / "dolt.sock"),
        *extra_args,
    ]
    return _spawn(argv, log, cwd=data, env=env)


def _spawn(
    argv: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            cwd=cwd,
            env=env,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def _die_with_parent() -> None:
    """In the child: get SIGTERM if pytest dies without tearing down (no orphan server)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_ready(server: SQLServer) -> None:
    """Poll until root can connect to this very server; fail with the log tail if it dies
    or never answers. A server on the port whose data directory is not ours is another
    worker's, which took the port first: `PortTaken`."""
    deadline = time.monotonic() + START_TIMEOUT
    ep = server.endpoint
    while True:
        if server.process.poll() is not None:
            tail = log_tail(server.log)
            error = PortTaken if PORT_TAKEN in tail.lower() else RuntimeError
            raise error(
                f"{server.kind} exited with {server.process.returncode} before accepting "
                f"connections on {ep.host}:{ep.port}; log tail:\n{tail}"
            )
        try:
            datadir = _datadir(ep, server.kind)
        except pymysql.MySQLError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{server.kind} did not accept connections on {ep.host}:{ep.port} within "
                    f"{START_TIMEOUT:.0f}s; log tail:\n{log_tail(server.log)}"
                ) from None
            time.sleep(0.1)
            continue
        if server.kind == "mariadb" and Path(datadir).resolve() != (server.workdir / "data"):
            raise PortTaken(f"port {ep.port} answers from {datadir}, another server's")
        return


def _datadir(ep: Endpoint, kind: str) -> str:
    """The data directory of the server answering on `ep`, "1" for Dolt (which has no
    @@datadir); each wait bounded."""
    conn = pymysql.connect(
        host=ep.host, port=ep.port, user=ep.user, password=ep.password,
        connect_timeout=1, read_timeout=5, write_timeout=5,
    )  # fmt: skip
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT @@datadir" if kind == "mariadb" else "SELECT 1")
            row = cursor.fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else ""
