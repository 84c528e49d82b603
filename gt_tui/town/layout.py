"""Finding a town and reading its files exactly as gt resolves them.

A town is marked by `mayor/town.json`. Rigs and prefixes come from `mayor/rigs.json`,
database names from `.beads/metadata.json`, the Dolt endpoint from `.dolt-data/config.yaml`,
`GT_DOLT_*` and `mayor/daemon.json`, in gt's order of precedence.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gt_tui.errors import MalformedFile, TownNotFound
from gt_tui.town.db import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.tmux import tmux_socket_name

MARKER = Path("mayor") / "town.json"
DEFAULT_PORT = 3307
_PORT_LINE = re.compile(r"^\s+port:\s*['\"]?(\d+)['\"]?\s*$")
_HOST_LINE = re.compile(r"^\s+host:\s*['\"]?([^'\"\s#]+)['\"]?\s*$")


def candidate_roots(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> list[Path]:
    """Where to look, in order: --town, GT_TOWN_ROOT, GT_ROOT, cwd and its parents, ~/gt."""
    if explicit is not None:
        return [explicit.expanduser()]
    found = [Path(env[key]).expanduser() for key in ("GT_TOWN_ROOT", "GT_ROOT") if env.get(key)]
    found += [cwd, *cwd.parents]
    found.append(Path(env.get("HOME", str(Path.home()))) / "gt")
    return found


def find_town_root(
    explicit: Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path:
    """The first candidate holding `mayor/town.json`, or TownNotFound naming where we looked."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    candidates = candidate_roots(explicit, env, cwd)
    for root in candidates:
        if (root / MARKER).is_file():
            return root.resolve()
    looked = ", ".join(_summarise(candidates, cwd, explicit is not None))
    raise TownNotFound(
        f"no Gas Town found (looked for {MARKER} in {looked}); "
        "try --town PATH, or `gt-tui --demo` for a sandbox town"
    )


def _summarise(candidates: list[Path], cwd: Path, explicit: bool) -> list[str]:
    """Every place looked, with cwd's parents folded into one item to keep the line short."""
    if explicit:
        return [str(p) for p in candidates]
    at = len(candidates) - len(cwd.parents) - 2  # [env..., cwd, *parents, ~/gt]
    return [*map(str, candidates[:at]), f"{cwd} and its parents", str(candidates[-1])]


def heartbeats_dir(root: Path) -> Path:
    """Where gt keeps session heartbeats: `<town>/.runtime/heartbeats/`."""
    return root / ".runtime" / "heartbeats"


def heartbeat_file(root: Path, session: str) -> Path:
    """A session's heartbeat, `<town>/.runtime/heartbeats/<session>.json`."""
    return heartbeats_dir(root) / f"{session}.json"


def read_json(path: Path) -> Any:
    """A JSON file's content, or MalformedFile with the path and the reason."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MalformedFile(path, exc.strerror or str(exc)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedFile(path, f"not valid JSON ({exc})") from None


def read_json_object(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise MalformedFile(path, "expected a JSON object")
    return data


def load_town(root: Path, env: Mapping[str, str] | None = None) -> Town:
    """Read a town's identity, rigs, databases and endpoints."""
    env = os.environ if env is None else env
    town_json = read_json_object(root / MARKER)
    name = str(town_json.get("name") or root.name)
    metadata = beads_metadata(root / ".beads")
    rigs = tuple(read_rigs(root))
    hq = str(metadata.get("dolt_database") or "hq")
    return Town(
        root=root,
        name=name,
        rigs=rigs,
        hq_database=hq,
        endpoint=resolve_socket(
            resolve_endpoint(root, env, tls=_tls_wanted(metadata, env)), metadata, env
        ),
        tmux_socket=tmux_socket_name(root, env),
        sqlite_files=_sqlite_files(root, hq, rigs) if metadata.get("backend") == "sqlite" else (),
    )


def _sqlite_files(root: Path, hq: str, rigs: tuple[Rig, ...]) -> tuple[tuple[str, Path], ...]:
    """The demo town's SQLite files, from each `.beads/metadata.json`'s `sqlite_path`."""
    dirs = [(hq, root / ".beads")]
    dirs += [(rig.database, root / rig.name / "mayor" / "rig" / ".beads") for rig in rigs]
    files = []
    for database, beads_dir in dirs:
        relative = beads_metadata(beads_dir).get("sqlite_path")
        if not relative:
            raise MalformedFile(beads_dir / "metadata.json", "backend is sqlite but no sqlite_path")
        files.append((database, root / str(relative)))
    return tuple(files)


def beads_metadata(beads_dir: Path) -> dict[str, Any]:
    """`.beads/metadata.json`, or an empty mapping where the file is absent."""
    path = beads_dir / "metadata.json"
    return read_json_object(path) if path.is_file() else {}


def read_rigs(root: Path) -> list[Rig]:
    """Rigs from `mayor/rigs.json`, each with its prefix and its database name."""
    path = root / "mayor" / "rigs.json"
    if not path.is_file():
        return []
    rigs = read_json_object(path).get("rigs") or {}
    if not isinstance(rigs, dict):
        raise MalformedFile(path, "'rigs' must be an object")
    return [_rig(root, path, name, entry) for name, entry in sorted(rigs.items())]


def _rig(root: Path, path: Path, name: str, entry: Any) -> Rig:
    if not isinstance(entry, dict):
        raise MalformedFile(path, f"rig '{name}' must be an object")
    beads = entry.get("beads") or {}
    if not isinstance(beads, dict):
        raise MalformedFile(path, f"rig '{name}': 'beads' must be an object")
    prefix = str(beads.get("prefix") or name).rstrip("-")
    metadata = beads_metadata(root / name / "mayor" / "rig" / ".beads")
    return Rig(name=name, prefix=prefix, database=str(metadata.get("dolt_database") or name))


@dataclass(frozen=True)
class _Listener:
    host: str | None
    port: int | None


def _dolt_config_listener(root: Path) -> _Listener:
    """`listener.host`/`listener.port` from the managed `.dolt-data/config.yaml`.

    The file is written by gt in a fixed shape, so a line reader suffices and spares
    a YAML dependency; anything it cannot read counts as absent.
    """
    path = root / ".dolt-data" / "config.yaml"
    if not path.is_file():
        return _Listener(None, None)
    host = port = None
    in_listener = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line and not line[0].isspace():
            in_listener = line.split("#")[0].strip() == "listener:"
        elif in_listener and (match := _PORT_LINE.match(line)):
            port = int(match.group(1))
        elif in_listener and (match := _HOST_LINE.match(line)):
            host = match.group(1)
    return _Listener(host, port)


def _daemon_env(root: Path) -> dict[str, str]:
    path = root / "mayor" / "daemon.json"
    if not path.is_file():
        return {}
    env = read_json_object(path).get("env") or {}
    return {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}


def _tls_wanted(metadata: Mapping[str, Any], env: Mapping[str, str]) -> bool:
    """TLS only where configured, as bd does: `dolt_server_tls` or BEADS_DOLT_SERVER_TLS."""
    flag = env.get("BEADS_DOLT_SERVER_TLS", "")
    return metadata.get("dolt_server_tls") is True or flag.lower() in ("1", "true", "yes")


def resolve_endpoint(root: Path, env: Mapping[str, str], *, tls: bool = False) -> Endpoint:
    """gt's precedence: config.yaml port, GT_DOLT_PORT, daemon.json env, then 3307."""
    listener = _dolt_config_listener(root)
    daemon_env = _daemon_env(root)
    port = listener.port or _port(env, "GT_DOLT_PORT") or _port(daemon_env, "GT_DOLT_PORT")
    host = listener.host or env.get("GT_DOLT_HOST") or daemon_env.get("GT_DOLT_HOST")
    if host in (None, "", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return Endpoint(
        host=host,
        port=port or DEFAULT_PORT,
        user=env.get("GT_DOLT_USER") or "root",
        password=env.get("GT_DOLT_PASSWORD") or "",
        tls=tls,
    )


def _port(env: Mapping[str, str], key: str) -> int | None:
    value = env.get(key, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise MalformedFile(key, f"not a TCP port: {value!r}")
    return int(value)


LOOPBACK = frozenset({"", "127.0.0.1", "localhost", "::1"})
SOCKET_DIR = Path("/tmp")


def resolve_socket(
    endpoint: Endpoint,
    metadata: Mapping[str, Any],
    env: Mapping[str, str],
    socket_dir: Path = SOCKET_DIR,
) -> Endpoint:
    """The endpoint with the Unix socket bd and newer gt would use, if any.

    bd's order: `BEADS_DOLT_SERVER_SOCKET`, then `dolt_server_socket` in `.beads/metadata.json`;
    otherwise, for a loopback host, gt's `/tmp/mysql.<port>.sock` when it exists. TCP else.
    """
    configured = env.get("BEADS_DOLT_SERVER_SOCKET") or metadata.get("dolt_server_socket")
    if configured:
        return replace(endpoint, socket=str(Path(str(configured)).expanduser()))
    default = socket_dir / f"mysql.{endpoint.port}.sock"
    if endpoint.host in LOOPBACK and default.is_socket():
        return replace(endpoint, socket=str(default))
    return endpoint
