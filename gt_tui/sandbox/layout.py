"""Laying out a town on disk as `gt install` / `gt rig add` / `gt sling` leave it.

Files follow gastown's config types (mayor/town.json, rigs.json, daemon.json, each
`.beads/metadata.json`, routes.jsonl, `<rig>/config.json`, the managed
`.dolt-data/config.yaml`); git is real: per rig a bare `.repo.git` with one commit, the
`mayor/rig` clone, and polecat worktrees at `<rig>/polecats/<Name>/<rig>/`.

A sandbox on SQLite records `"backend": "sqlite"` and a `"sqlite_path"` (relative to the
town root) in each metadata.json, next to `dolt_database`; nothing else changes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gt_tui.town.endpoint import Endpoint

from .git import run_git
from .rows import base36, rfc3339

SQLITE_DIR = ".beads-sqlite"
MARKER = Path("mayor") / "town.json"
HQ = "hq"  # the key of the town database in `databases` mappings
OWNER = "mayor@sandbox.gt-tui.invalid"
PATROL_AGENTS = ("deacon", "witness", "refinery")
DOLT_MAX_CONNECTIONS = 1000  # gt's doltserver.DefaultMaxConnections
DOLT_TIMEOUT_MS = 300000  # gt's DefaultReadTimeoutMs / DefaultWriteTimeoutMs


@dataclass(frozen=True)
class RigPlan:
    """A rig to lay out: its name, its beads prefix (without the dash) and its polecats."""

    name: str
    prefix: str
    polecats: tuple[str, ...] = ()


def sqlite_relpath(database: str) -> str:
    """Where a database's SQLite file lives, relative to the town root."""
    return f"{SQLITE_DIR}/{database}.sqlite"


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def beads_metadata(database: str, endpoint: Endpoint | None) -> dict[str, Any]:
    """A `.beads/metadata.json` as gt's EnsureMetadata writes it (or the SQLite variant)."""
    if endpoint is None:
        return {
            "database": "sqlite",
            "backend": "sqlite",
            "dolt_database": database,
            "sqlite_path": sqlite_relpath(database),
        }
    return {
        "database": "dolt",
        "backend": "dolt",
        "dolt_mode": "server",
        "dolt_database": database,
        "dolt_server_host": endpoint.host,
        "dolt_server_port": endpoint.port,
        "dolt_server_user": endpoint.user,
    }


def write_town_files(
    root: Path,
    name: str,
    rigs: list[RigPlan],
    endpoint: Endpoint | None,
    databases: Mapping[str, str],
    *,
    created_at: datetime | None = None,
    owner: str = OWNER,
) -> None:
    """Lay out a whole town: town files, then per rig its files, git repos and worktrees.

    `databases` maps "hq" and each rig name to its database name; `endpoint` is the
    MySQL-protocol server, or None for the SQLite sandbox.
    """
    when = (created_at or datetime.now(UTC)).replace(microsecond=0)
    root.mkdir(parents=True, exist_ok=True)
    _write_mayor(root, name, rigs, endpoint, when, owner)
    _write_town_beads(root, rigs, endpoint, databases)
    _write_runtime(root, when)
    if endpoint is not None:
        write_dolt_config(root, endpoint)
    for rig in rigs:
        create_rig_repos(root, rig.name, when)
        _write_rig_files(root, rig, endpoint, databases[rig.name], when)
        for polecat in rig.polecats:
            add_polecat_worktree(root, rig.name, polecat, when)


def _write_mayor(
    root: Path,
    name: str,
    rigs: list[RigPlan],
    endpoint: Endpoint | None,
    when: datetime,
    owner: str,
) -> None:
    mayor = root / "mayor"
    town = {"type": "town", "version": 2, "name": name, "owner": owner, "created_at": rfc3339(when)}
    write_json(mayor / "town.json", town)
    write_json(
        mayor / "rigs.json",
        {"version": 1, "rigs": {r.name: _rig_entry(root, r, when) for r in rigs}},
    )
    write_json(mayor / "daemon.json", _daemon_config(endpoint))
    write_json(mayor / "config.json", {"type": "mayor-config", "version": 1})
    write_json(root / "settings" / "config.json", town_settings())


SANDBOX_AGENT = "gt-tui-sandbox"


def town_settings() -> dict[str, Any]:
    """gt's town settings naming the sandbox's agents as a custom agent: this Python.

    gt derives the agent's process names (`GT_PROCESS_NAMES`) from its command's basename,
    so liveness checks see the sandbox's Python agents as agents, the way gt would.
    """
    agent = {"command": sys.executable, "args": ["-m", "gt_tui.sandbox.agents.polecat"]}
    return {
        "type": "town-settings",
        "version": 1,
        "default_agent": SANDBOX_AGENT,
        "agents": {SANDBOX_AGENT: agent},
    }


def _rig_entry(root: Path, rig: RigPlan, when: datetime) -> dict[str, Any]:
    bare = bare_repo(root, rig.name)
    return {
        "git_url": bare.as_uri(),
        "local_repo": str(bare),
        "added_at": rfc3339(when),
        "beads": {"repo": "local", "prefix": rig.prefix},
    }


def _daemon_config(endpoint: Endpoint | None) -> dict[str, Any]:
    patrols = {
        agent: {"enabled": True, "interval": "5m", "agent": agent} for agent in PATROL_AGENTS
    }
    config: dict[str, Any] = {
        "type": "daemon-patrol-config",
        "version": 1,
        "heartbeat": {"enabled": True, "interval": "3m"},
        "patrols": patrols,
    }
    if endpoint is not None:
        config["env"] = {"GT_DOLT_PORT": str(endpoint.port), "GT_DOLT_HOST": endpoint.host}
    return config


def _write_town_beads(
    root: Path, rigs: list[RigPlan], endpoint: Endpoint | None, databases: Mapping[str, str]
) -> None:
    beads = root / ".beads"
    write_json(beads / "metadata.json", beads_metadata(databases[HQ], endpoint))
    routes = [{"prefix": "hq-", "path": "."}]
    routes += [{"prefix": f"{r.prefix}-", "path": f"{r.name}/mayor/rig"} for r in rigs]
    lines = "".join(json.dumps(route) + "\n" for route in routes)
    (beads / "routes.jsonl").write_text(lines, encoding="utf-8")
    if endpoint is None:
        (root / SQLITE_DIR).mkdir(exist_ok=True)


def _write_runtime(root: Path, when: datetime) -> None:
    (root / ".events.jsonl").touch()
    for folder in (".runtime/heartbeats", "daemon", "logs", "deacon/dogs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    heartbeat = {
        "timestamp": rfc3339(when),
        "cycle": 0,
        "last_action": "sandbox built",
        "healthy_agents": 0,
        "unhealthy_agents": 0,
    }
    write_json(root / "deacon" / "heartbeat.json", heartbeat)


def write_dolt_config(root: Path, endpoint: Endpoint) -> None:
    """The managed `.dolt-data/config.yaml` gt rewrites on each server start."""
    data_dir = root / ".dolt-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    text = (
        "# Managed by Gas Town (gt dolt). Do not edit manually; changes are overwritten"
        " on each server start.\n"
        "log_level: warning\n\n"
        "listener:\n"
        f"  port: {endpoint.port}\n"
        f"  host: {endpoint.host}\n"
        f"  max_connections: {DOLT_MAX_CONNECTIONS}\n"
        f"  read_timeout_millis: {DOLT_TIMEOUT_MS}\n"
        f"  write_timeout_millis: {DOLT_TIMEOUT_MS}\n\n"
        f'data_dir: "{data_dir}"\n\n'
        "behavior:\n  dolt_transaction_commit: false\n\n"
        "auto_gc_behavior:\n  enable: true\n"
    )
    (data_dir / "config.yaml").write_text(text, encoding="utf-8")


def _write_rig_files(
    root: Path, rig: RigPlan, endpoint: Endpoint | None, database: str, when: datetime
) -> None:
    rig_dir = root / rig.name
    entry = _rig_entry(root, rig, when)
    config = {
        "type": "rig",
        "version": 1,
        "name": rig.name,
        "git_url": entry["git_url"],
        "local_repo": entry["local_repo"],
        "created_at": rfc3339(when),
        "beads": {"prefix": rig.prefix},
        "default_branch": "main",
    }
    write_json(rig_dir / "config.json", config)
    write_json(rig_dir / "settings" / "config.json", {"type": "rig-settings", "version": 1})
    write_json(
        rig_dir / "mayor" / "rig" / ".beads" / "metadata.json", beads_metadata(database, endpoint)
    )
    (rig_dir / ".beads").mkdir(exist_ok=True)
    (rig_dir / ".beads" / "redirect").write_text("mayor/rig/.beads\n", encoding="utf-8")
    for folder in ("polecats", "crew", "witness", "refinery", ".runtime/locks"):
        (rig_dir / folder).mkdir(parents=True, exist_ok=True)


# ---- git ------------------------------------------------------------------------------


def bare_repo(root: Path, rig: str) -> Path:
    return root / rig / ".repo.git"


def _commit_env(when: datetime) -> dict[str, str]:
    stamp = f"{int(when.timestamp())} +0000"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def create_rig_repos(root: Path, rig: str, when: datetime) -> None:
    """The rig's shared bare repo (one commit on main) and its `mayor/rig` clone."""
    bare = bare_repo(root, rig)
    bare.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gt-tui-seed-") as tmp:
        seed = Path(tmp)
        run_git(["init", "-q", "-b", "main", str(seed)], cwd=root)
        (seed / "README.md").write_text(f"# {rig}\n\nA gt-tui sandbox rig.\n", encoding="utf-8")
        run_git(["add", "README.md"], cwd=seed)
        run_git(["commit", "-q", "-m", "Initial commit"], cwd=seed, env=_commit_env(when))
        run_git(["clone", "-q", "--bare", str(seed), str(bare)], cwd=root)
    run_git(["--git-dir", str(bare), "remote", "remove", "origin"], cwd=root)
    run_git(["clone", "-q", str(bare), str(root / rig / "mayor" / "rig")], cwd=root)


def polecat_dir(root: Path, rig: str, name: str) -> Path:
    """A polecat's worktree: `<town>/<rig>/polecats/<Name>/<rig>/`."""
    return root / rig / "polecats" / name / rig


def polecat_branch(name: str, when: datetime) -> str:
    """gt's branch for a polecat without an issue: `polecat/<Name>-<unix ms in base 36>`."""
    return f"polecat/{name}-{base36(int(when.timestamp() * 1000))}"


def add_polecat_worktree(root: Path, rig: str, name: str, when: datetime) -> Path:
    """A polecat's worktree off the rig's bare repo, with its `.beads/redirect`."""
    path = polecat_dir(root, rig, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    bare = bare_repo(root, rig)
    branch = polecat_branch(name, when)
    run_git(["--git-dir", str(bare), "worktree", "add", "-q", "-b", branch, str(path)], cwd=root)
    (path / ".beads").mkdir(exist_ok=True)
    (path / ".beads" / "redirect").write_text("../../../mayor/rig/.beads\n", encoding="utf-8")
    return path
