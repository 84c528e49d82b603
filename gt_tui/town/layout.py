"""Finding a town and reading its files exactly as gt resolves them.

A town is marked by `mayor/town.json`. Rigs and prefixes come from `mayor/rigs.json`,
database names from `.beads/metadata.json`, the Dolt endpoint from `.dolt-data/config.yaml`,
`GT_DOLT_*` and `mayor/daemon.json`, in gt's order of precedence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from gt_tui.errors import MalformedFile, TownNotFound
from gt_tui.files import read_regular_text
from gt_tui.safe_text import safe_text
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Rig, Town
from gt_tui.town.tmux import tmux_socket_name

MARKER = Path("mayor") / "town.json"
DEFAULT_PORT = 3307
DEFAULT_PREFIX = "gt"  # gt's session prefix for a rig without `beads.prefix` (registry.go)


@dataclass(frozen=True)
class TownLocation:
    """Where the town is, as given (symlinks kept), and how it was found."""

    root: Path
    how: str  # "--town", "current directory", "GT_TOWN_ROOT", "GT_ROOT" or "~/gt"


def locate_town(
    explicit: Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> TownLocation:
    """gt's order (`internal/workspace/find.go`), after an explicit `--town`.

    The current directory and its parents, where the OUTERMOST `mayor/town.json` wins (rigs
    and worktrees may carry their own); then `GT_TOWN_ROOT`, `GT_ROOT`; then `~/gt`. Paths
    are made absolute without resolving symlinks, as gt does, so the tmux socket's name is
    derived from the path as given.
    """
    env = os.environ if env is None else env
    if explicit is not None:
        places = [("--town", _absolute(explicit.expanduser()))]
    else:
        here = _absolute(cwd) if cwd is not None else _working_dir(env)
        outermost = next((p for p in reversed([here, *here.parents]) if _is_town(p)), None)
        if outermost is not None:
            return TownLocation(outermost, "current directory")
        places = [(key, _absolute(Path(env[key]).expanduser())) for key in _ENV if env.get(key)]
        places.append(("~/gt", Path(env.get("HOME") or str(Path.home())) / "gt"))
    for how, root in places:
        if _is_town(root):
            return TownLocation(root, how)
    looked = [str(root) for _, root in places]
    if explicit is None:
        looked.insert(0, f"{here} and its parents")
    raise TownNotFound(
        f"no Gas Town found (looked for {MARKER} in {', '.join(looked)}); "
        "try --town PATH, or `gt-tui --demo` for a sandbox town"
    )


def find_town_root(
    explicit: Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path:
    """The town's root as `locate_town` finds it, or TownNotFound naming where we looked."""
    return locate_town(explicit, env, cwd).root


_ENV = ("GT_TOWN_ROOT", "GT_ROOT")  # gt falls back on these outside a town


def _is_town(root: Path) -> bool:
    return (root / MARKER).is_file()


def _absolute(path: Path) -> Path:
    """Absolute and lexically cleaned, symlinks kept (Go's `filepath.Abs`)."""
    return Path(os.path.abspath(path))


def _working_dir(env: Mapping[str, str]) -> Path:
    """Go's `os.Getwd`: `$PWD` where it names the current directory (keeping its symlinks)."""
    here = os.getcwd()
    pwd = env.get("PWD", "")
    if os.path.isabs(pwd):
        try:
            if os.path.samefile(pwd, here):
                return Path(pwd)
        except OSError:
            pass
    return Path(here)


def heartbeats_dir(root: Path) -> Path:
    """Where gt keeps session heartbeats: `<town>/.runtime/heartbeats/`."""
    return root / ".runtime" / "heartbeats"


def heartbeat_file(root: Path, session: str) -> Path:
    """A session's heartbeat, `<town>/.runtime/heartbeats/<session>.json`."""
    return heartbeats_dir(root) / f"{session}.json"


def read_json(path: Path) -> Any:
    """A JSON file's content, or MalformedFile with the path and the reason."""
    try:
        return json.loads(read_regular_text(path))
    except OSError as exc:
        raise MalformedFile(path, exc.strerror or str(exc)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedFile(path, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise MalformedFile(path, "not valid JSON (nested too deeply)") from None


def read_json_object(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise MalformedFile(path, "expected a JSON object")
    return data


def load_town(root: Path, env: Mapping[str, str] | None = None) -> Town:
    """Read a town's identity, rigs, databases and endpoints."""
    env = os.environ if env is None else env
    town_json = read_json_object(root / MARKER)
    name = safe_text(str(town_json.get("name") or root.name))
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
    dirs += [(rig.database, root / rig.directory / "mayor" / "rig" / ".beads") for rig in rigs]
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
    return read_json_object(path) if os.path.lexists(path) else {}


def read_rigs(root: Path) -> list[Rig]:
    """Rigs from `mayor/rigs.json`, each with its prefix and its database name."""
    path = root / "mayor" / "rigs.json"
    if not os.path.lexists(path):
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
    prefix = str(beads.get("prefix") or DEFAULT_PREFIX).rstrip("-")
    metadata = beads_metadata(root / name / "mayor" / "rig" / ".beads")
    database = str(metadata.get("dolt_database") or name)
    shown = safe_text(name)  # the directory keeps its name on disk; views get the safe one
    return Rig(shown, safe_text(prefix), database, "" if shown == name else name)


@dataclass(frozen=True)
class _Listener:
    host: str | None
    port: int | None


def _dolt_config_listener(root: Path, env: Mapping[str, str]) -> _Listener:
    """`listener.host`/`listener.port` from the managed `.dolt-data/config.yaml`.

    As gt's `readPortFromConfigYAML`: a file that is missing, unreadable or not valid YAML,
    or whose listener is not a mapping, counts as absent (gt falls back to its other
    sources, and so do we). `GT_DOLT_IGNORE_CONFIG=1`, gt's recovery hatch for a bad
    managed config, skips the file altogether.
    """
    path = root / ".dolt-data" / "config.yaml"
    if env.get("GT_DOLT_IGNORE_CONFIG") == "1" or not path.is_file():
        return _Listener(None, None)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return _Listener(None, None)
    listener = data.get("listener") if isinstance(data, dict) else None
    if not isinstance(listener, dict):
        return _Listener(None, None)
    host = listener.get("host")
    return _Listener(str(host) if host else None, _yaml_port(listener.get("port")))


def _yaml_port(value: Any) -> int | None:
    """A TCP port from YAML: a number, or digits in quotes; anything else is no port."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 65536 else None


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
    """gt's precedence: config.yaml, GT_DOLT_PORT, daemon.json env, then 3307.

    `GT_DOLT_IGNORE_CONFIG=1` leaves config.yaml out (its host as well as its port).
    """
    listener = _dolt_config_listener(root, env)
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
