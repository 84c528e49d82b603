"""gt's town files, written for the test towns from gastown's formats (test-only).

From /work/shared/reference/gastown.md sections 6, 7 and 10 and the gastown sources it cites
(internal/config/types.go: TownConfig, RigsConfig, RigConfig; internal/daemon/types.go: the
patrol config; internal/events/events.go: `.events.jsonl`; internal/doltserver: the managed
`.dolt-data/config.yaml`; beads internal/configfile: `.beads/metadata.json`). The SQLite
variant of metadata.json (`"backend": "sqlite"`, `sqlite_path`) is gt-tui's own demo
convention, read by gt_tui/town/layout.py; gt itself has no SQLite backend.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from builder.rows import rfc3339

SQLITE_DIR = ".beads-sqlite"
DOLT_MAX_CONNECTIONS = 1000  # gt's doltserver.DefaultMaxConnections
DOLT_TIMEOUT_MS = 300000


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def sqlite_file(root: Path, database: str) -> Path:
    return root / SQLITE_DIR / f"{database}.sqlite"


def metadata(database: str, endpoint: Any | None) -> dict[str, Any]:
    """`.beads/metadata.json`: bd's server settings (or gt-tui's SQLite demo variant)."""
    if endpoint is None:
        return {
            "database": "sqlite",
            "backend": "sqlite",
            "dolt_database": database,
            "sqlite_path": f"{SQLITE_DIR}/{database}.sqlite",
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


def write_town(
    root: Path,
    name: str,
    rigs: Mapping[str, tuple[str, Path]],
    endpoint: Any | None,
    databases: Mapping[str, str],
    when: datetime,
) -> None:
    """The town's own files. `rigs`: name -> (beads prefix, bare repo); `databases`: "hq"
    and each rig -> database name; `endpoint`: the SQL server, None for SQLite."""
    stamp = rfc3339(when)
    mayor = root / "mayor"
    write_json(
        mayor / "town.json",
        {
            "type": "town",
            "version": 2,
            "name": name,
            "owner": "mayor@tests.invalid",
            "created_at": stamp,
        },
    )
    entries = {
        rig: {
            "git_url": bare.as_uri(),
            "local_repo": str(bare),
            "added_at": stamp,
            "beads": {"repo": "local", "prefix": prefix},
        }
        for rig, (prefix, bare) in rigs.items()
    }
    write_json(mayor / "rigs.json", {"version": 1, "rigs": entries})
    patrols = {
        a: {"enabled": True, "interval": "5m", "agent": a}
        for a in ("deacon", "witness", "refinery")
    }
    daemon: dict[str, Any] = {
        "type": "daemon-patrol-config",
        "version": 1,
        "heartbeat": {"enabled": True, "interval": "3m"},
        "patrols": patrols,
    }
    if endpoint is not None:
        daemon["env"] = {"GT_DOLT_PORT": str(endpoint.port), "GT_DOLT_HOST": endpoint.host}
    write_json(mayor / "daemon.json", daemon)
    write_json(mayor / "config.json", {"type": "mayor-config", "version": 1})
    # TownSettings as `gt install` leaves it: the default agent (claude) for every role.
    town_settings = {"type": "town-settings", "version": 1, "default_agent": "claude"}
    write_json(root / "settings" / "config.json", town_settings)
    write_json(root / ".beads" / "metadata.json", metadata(databases["hq"], endpoint))
    routes = [{"prefix": "hq-", "path": "."}]
    routes += [{"prefix": f"{p}-", "path": f"{rig}/mayor/rig"} for rig, (p, _) in rigs.items()]
    (root / ".beads" / "routes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in routes))
    if endpoint is None:
        (root / SQLITE_DIR).mkdir(exist_ok=True)
    else:
        write_dolt_config(root, endpoint)
    (root / ".events.jsonl").touch()
    for folder in (".runtime/heartbeats", "daemon", "logs", "deacon/dogs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    beat = {
        "timestamp": stamp,
        "cycle": 0,
        "last_action": "town built",
        "healthy_agents": 0,
        "unhealthy_agents": 0,
    }
    write_json(root / "deacon" / "heartbeat.json", beat)


def write_rig(
    root: Path,
    rig: str,
    prefix: str,
    bare: Path,
    endpoint: Any | None,
    database: str,
    when: datetime,
) -> None:
    """A rig's `config.json`, settings, and its beads (`mayor/rig/.beads`, with a redirect)."""
    home = root / rig
    config = {
        "type": "rig",
        "version": 1,
        "name": rig,
        "git_url": bare.as_uri(),
        "local_repo": str(bare),
        "created_at": rfc3339(when),
        "beads": {"prefix": prefix},
        "default_branch": "main",
    }
    write_json(home / "config.json", config)
    write_json(home / "settings" / "config.json", {"type": "rig-settings", "version": 1})
    write_json(home / "mayor" / "rig" / ".beads" / "metadata.json", metadata(database, endpoint))
    (home / ".beads").mkdir(exist_ok=True)
    (home / ".beads" / "redirect").write_text("mayor/rig/.beads\n", encoding="utf-8")
    for folder in ("polecats", "crew", "witness", "refinery", ".runtime/locks"):
        (home / folder).mkdir(parents=True, exist_ok=True)


def write_dolt_config(root: Path, endpoint: Any) -> None:
    """The `.dolt-data/config.yaml` gt writes on each server start (its listener part)."""
    data = root / ".dolt-data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "config.yaml").write_text(
        "# Managed by Gas Town (gt dolt). Do not edit manually; changes are overwritten"
        " on each server start.\nlog_level: warning\n\nlistener:\n"
        f"  port: {endpoint.port}\n  host: {endpoint.host}\n"
        f"  max_connections: {DOLT_MAX_CONNECTIONS}\n"
        f"  read_timeout_millis: {DOLT_TIMEOUT_MS}\n  write_timeout_millis: {DOLT_TIMEOUT_MS}\n\n"
        f'data_dir: "{data}"\n\nbehavior:\n  dolt_transaction_commit: false\n',
        encoding="utf-8",
    )


def append_event(
    root: Path,
    type: str,
    actor: str,
    payload: dict[str, Any],
    ts: datetime,
    visibility: str = "feed",
) -> None:
    """One line of `.events.jsonl`, appended under gt's flock `.events.jsonl.lock`."""
    record = {
        "ts": rfc3339(ts),
        "source": "gt",
        "type": type,
        "actor": actor,
        "payload": payload,
        "visibility": visibility,
    }
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    with (root / ".events.jsonl.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with (root / ".events.jsonl").open("a", encoding="utf-8") as events:
                events.write(line)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
