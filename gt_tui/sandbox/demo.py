"""The live sandbox town behind `gt-tui --demo`: built, animated by real agents, torn down.

`DemoTown` lays a small town out as gt does (two rigs with real git repositories, beads in
SQLite or on a MySQL-protocol server under databases of its own), then starts its agents as
real processes: a mayor that plans, queues and dispatches work to polecats (tmux sessions
on the town's own socket, or plain processes without tmux), a deacon, and a witness and a
refinery per rig. The console reads it with the same code as any town.

On exit (also on Ctrl-C, SIGTERM or SIGHUP in the owning process) every agent is stopped,
the town's tmux server is killed, its databases are dropped, and its directory removed
unless the caller chose it (`directory`), in which case the files are kept. What a demo owns
is on record while it lives (sandbox.ownership): a demo killed outright is cleaned up by the
next one to start.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import tomli_w

from gt_tui.errors import GtTuiError
from gt_tui.sandbox.agents import runner
from gt_tui.sandbox.agents.files import write_db_password
from gt_tui.sandbox.agents.patrol import ensure_refinery_worktree
from gt_tui.sandbox.dburl import parse_db_url
from gt_tui.sandbox.layout import HQ, MARKER, RigPlan, sqlite_relpath, write_town_files
from gt_tui.sandbox.load import DEMO_SETTINGS, profile, set_level, write_state
from gt_tui.sandbox.ownership import Claim, drop_databases, sweep_dead_demos
from gt_tui.sandbox.scale import RIGS, database_names
from gt_tui.sandbox.schema import create_beads_schema
from gt_tui.sandbox.signals import SignalGuard
from gt_tui.settings import load_settings, town_config_path
from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.pool import PoolLimits
from gt_tui.town.sqlite_db import SQLiteDatabase
from gt_tui.town.tmux import tmux_available, tmux_socket_name

TOWN_NAME = "sandbox"
DEFAULT_RIGS = 2
log = logging.getLogger("gt_tui.sandbox")


class DemoTown:
    """A live sandbox town, as a context manager: `with DemoTown(None, None, "light") as t:`.

    `directory` builds the town there and keeps its files (it must not hold a town yet);
    otherwise a fresh temporary directory is used and removed. `db_url`
    (`mysql://user[:password]@host:port`) puts the beads on that server under new databases
    `gttui_<hex>_*`, dropped at exit; without it they are SQLite files in the town.
    After `__enter__`: `root`, `load`, `tmux` (whether polecats run in tmux), `databases`.
    """

    def __init__(
        self,
        directory: Path | None = None,
        db_url: str | None = None,
        load: str = "normal",
        *,
        seed: int | None = None,
        use_tmux: bool | None = None,
        rigs: int = DEFAULT_RIGS,
        variant: str = "v1.0.0",
    ) -> None:
        profile(load)
        if not 1 <= rigs <= len(RIGS):
            raise GtTuiError(f"a sandbox has 1 to {len(RIGS)} rigs, not {rigs}")
        self.keep = directory is not None
        self.root = Path(directory).expanduser().resolve() if directory else Path()
        self.endpoint: Endpoint | None = parse_db_url(db_url) if db_url else None
        self.load = load
        self.seed = seed if seed is not None else secrets.randbits(32)
        self.tmux = tmux_available() if use_tmux is None else use_tmux and tmux_available()
        self.rig_plans = tuple(RigPlan(name, prefix) for name, prefix in RIGS[:rigs])
        self.variant = variant
        self.databases: dict[str, str] = {}
        self.socket = ""
        self.agents: list[runner.AgentProcess] = []
        self._made_root = False
        self._created_databases: list[str] = []
        self._saved_env: dict[str, str | None] = {}
        self._signals = SignalGuard()
        self._closed = False
        self._claim = Claim.mine()

    # ---- context manager ---------------------------------------------------------------

    def __enter__(self) -> DemoTown:
        self._signals.install()
        try:
            sweep_dead_demos(self.endpoint)  # what killed demos left (a live one's stays)
            self._prepare_root()
            self._claim.town = str(self.root)
            self._claim.root = str(self.root) if self._made_root else ""
            self._claim.save()
            self._patch_env()
            self._build()
            self._start_agents()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def set_load(self, level: str) -> None:
        """Change the load live: every agent follows within a second or so."""
        set_level(self.root, level)
        self.load = level

    # ---- building --------------------------------------------------------------------

    def _prepare_root(self) -> None:
        if not self.keep:
            self.root = Path(tempfile.mkdtemp(prefix="gt-tui-demo-")).resolve()
            self._made_root = True
            return
        if (self.root / MARKER).exists():
            raise GtTuiError(f"{self.root} already holds a town; choose an empty directory")
        if self.root.exists() and any(self.root.iterdir()):
            raise GtTuiError(f"{self.root} is not empty; choose an empty or new directory")
        self.root.mkdir(parents=True, exist_ok=True)

    def _patch_env(self) -> None:
        """While the sandbox lives, this process reads it as gt's agents would: no real
        town's tmux socket override, and the database user of `db_url`."""
        values: dict[str, str | None] = {"GT_TMUX_SOCKET": None}
        if self.endpoint is not None:
            values["GT_DOLT_USER"] = self.endpoint.user
            values["GT_DOLT_PASSWORD"] = self.endpoint.password or None
        for key, value in values.items():
            self._saved_env[key] = os.environ.get(key)
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _build(self) -> None:
        self.databases = database_names(self.rig_plans, self.endpoint)
        write_town_files(self.root, TOWN_NAME, list(self.rig_plans), self.endpoint, self.databases)
        self.socket = tmux_socket_name(self.root)
        self._claim.socket = self.socket
        if self.endpoint is not None:  # SQLite files live in the town's directory
            self._claim.server = f"{self.endpoint.host}:{self.endpoint.port}"
            self._claim.databases = list(self.databases.values())
        self._claim.save()  # before anything is created on the server
        self._create_databases()
        self._write_settings()
        for rig in self.rig_plans:
            ensure_refinery_worktree(self.root, rig.name)
        write_state(
            self.root,
            load=self.load,
            seed=self.seed,
            tmux=self.tmux,
            owner_pid=os.getpid(),
            socket=self.socket,
            databases=self.databases,
        )

    def _open_admin(self) -> Database:
        if self.endpoint is None:
            files = {db: self.root / sqlite_relpath(db) for db in self.databases.values()}
            return SQLiteDatabase(files)
        return MySQLDatabase(self.endpoint, limits=PoolLimits(max_open=1, max_idle=1))

    def _create_databases(self) -> None:
        prefixes = {HQ: "hq", **{rig.name: rig.prefix for rig in self.rig_plans}}
        db = self._open_admin()
        try:
            for key, name in self.databases.items():
                if self.endpoint is not None:
                    self._created_databases.append(name)
                create_beads_schema(db, name, self.variant, prefix=prefixes[key])
        finally:
            db.close()

    def _write_settings(self) -> None:
        """The demo town's own limits (load.DEMO_SETTINGS), checked as any settings file."""
        path = town_config_path(self.root)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = "# The gt-tui sandbox's own limits (gt_tui/sandbox/load.py DEMO_SETTINGS).\n"
        path.write_text(header + tomli_w.dumps(DEMO_SETTINGS), encoding="utf-8")
        load_settings(self.root)

    # ---- agents ----------------------------------------------------------------------

    def _start_agents(self) -> None:
        if self.endpoint is not None and self.endpoint.password:
            write_db_password(self.root, self.endpoint.password)  # 0600; never argv or env
        env = runner.agent_env(self._agent_vars())
        seed = str(self.seed)
        mayor_args = ["--seed", seed, *([] if self.tmux else ["--no-tmux"])]
        self.agents.append(runner.start_agent(self.root, "mayor", "mayor", mayor_args, env))
        patrols: list[tuple[str, str, str | None]] = [("deacon", "deacon", None)]
        for rig in self.rig_plans:
            patrols += [(f"{rig.name}-witness", "witness", rig.name)]
            patrols += [(f"{rig.name}-refinery", "refinery", rig.name)]
        for name, role, rig_name in patrols:
            args = ["--seed", seed, "--role", role, *(["--rig", rig_name] if rig_name else [])]
            self.agents.append(runner.start_agent(self.root, name, "patrol", args, env))

    def _agent_vars(self) -> dict[str, str]:
        found = {"GT_ROOT": str(self.root)}
        if self.endpoint is not None:
            found["GT_DOLT_USER"] = self.endpoint.user
        return found

    # ---- tearing down ----------------------------------------------------------------

    def close(self) -> None:
        """Stop everything the sandbox started and remove what it made (idempotent)."""
        if self._closed:
            return
        self._closed = True
        with self._signals.held():
            try:
                self._stop_processes()
            finally:
                self._drop_databases()
                self._remove_root()
                self._restore_env()
                self._claim.forget()
        self._signals.restore()

    def _stop_processes(self) -> None:
        if self.agents:
            write_state(self.root, stopping=True)
            runner.stop_agents(self.agents)
        if self.socket:
            runner.kill_tmux_server(self.socket)
        if self.root != Path():
            runner.sweep(self.root)

    def _drop_databases(self) -> None:
        if self.endpoint is not None and self._created_databases:
            drop_databases(self.endpoint, self._created_databases)

    def _remove_root(self) -> None:
        if self._made_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _restore_env(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
