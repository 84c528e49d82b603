"""Which process names mean "the agent is running" in a polecat's tmux pane, as gt decides.

gt writes `GT_PROCESS_NAMES` into each agent session's environment at start-up
(`internal/polecat/session_manager.go`), resolved from the agent the town configures:
`role_agents.polecat` of the rig, then of the town, then the rig's `agent`, then the town's
`default_agent`, then `claude` (`internal/config/loader.go`). Custom agents are
`agents{name: {command, ...}}` in either settings file; `settings/agents.json` registers
presets with their own `process_names`. The names follow `ResolveProcessNames`
(`internal/config/agents.go`): the preset's names when its command matches, else a preset
with the same command, else the command's basename. `GT_PROCESS_NAMES` in the console's own
environment overrides all of it. Unreadable settings count as absent, as in gt.

`polecat_names` lists the polecats themselves: gt gives each a `<rig>/polecats/<Name>/`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gt_tui.files import read_regular_text
from gt_tui.safe_text import safe_text
from gt_tui.town.heartbeats import IDLE, heartbeat_state
from gt_tui.town.layout import heartbeat_file
from gt_tui.town.model import Town

ROLE = "polecat"
DEFAULT_AGENT = "claude"
ENV_OVERRIDE = "GT_PROCESS_NAMES"

# gt's built-in presets (agents.go): name -> (command, process names).
PRESETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "claude": ("claude", ("node", "claude")),
    "gemini": ("gemini", ("gemini",)),
    "codex": ("codex", ("codex",)),
    "cursor": ("cursor-agent", ("cursor-agent", "agent")),
    "auggie": ("auggie", ("auggie",)),
    "amp": ("amp", ("amp",)),
    "opencode": ("opencode", ("opencode", "node", "bun")),
    "copilot": ("copilot", ("copilot",)),
    "pi": ("pi", ("pi", "node", "bun")),
    "omp": ("omp", ("omp", "node", "bun")),
    "vibe": ("vibe", ("vibe",)),
    "groq-compound": ("claude", ("node", "claude")),
}
# "agent" is too generic a name: gt drops it unless the session is Cursor's (tmux.go).
AMBIGUOUS = ("agent", "cursor-agent")


def _settings(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_regular_text(path))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _table(settings: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = settings.get(key)
    return value if isinstance(value, dict) else {}


def _registry(*paths: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The presets with `settings/agents.json` entries merged over them (later files win)."""
    merged = dict(PRESETS)
    for path in paths:
        for name, entry in _table(_settings(path), "agents").items():
            if not isinstance(entry, dict):
                continue
            command, names = merged.get(name, ("", ()))
            listed = entry.get("process_names")
            merged[name] = (
                str(entry.get("command") or command),
                tuple(map(str, listed)) if isinstance(listed, list) else names,
            )
    return merged


def resolve_names(
    agent: str, command: str, registry: Mapping[str, tuple[str, tuple[str, ...]]]
) -> tuple[str, ...]:
    """gt's `ResolveProcessNames(agent, command)` over a registry of presets."""
    base = os.path.basename(command)
    known = registry.get(agent)
    if known and known[1] and (not base or _same_command(known[0], base)):
        return known[1]
    if not base:
        return PRESETS[DEFAULT_AGENT][1]
    for preset_command, names in registry.values():
        if names and _same_command(preset_command, base):
            return names
    return (base,)


def _same_command(preset_command: str, base: str) -> bool:
    """Same binary by basename; gt also accepts its `gt-<command>` wrappers."""
    preset = os.path.basename(preset_command)
    return preset == base or (base.startswith("gt-") and preset == base[3:])


def _pick(rig: Mapping[str, Any], town: Mapping[str, Any]) -> str:
    for name in (
        _table(rig, "role_agents").get(ROLE),
        _table(town, "role_agents").get(ROLE),
        rig.get("agent"),
        town.get("default_agent"),
    ):
        if isinstance(name, str) and name:
            return name
    return DEFAULT_AGENT


def _command(name: str, rig: Mapping[str, Any], town: Mapping[str, Any], registry: Any) -> str:
    """The agent's command: a custom agent's (rig, then town), else its preset's, else claude."""
    for settings in (rig, town):
        custom = _table(settings, "agents").get(name)
        if isinstance(custom, dict):
            return str(custom.get("command") or DEFAULT_AGENT)
    return registry[name][0] if name in registry else DEFAULT_AGENT


def polecat_process_names(
    town_root: Path, rig_name: str, env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The process names that count as a live agent in this rig's polecat panes."""
    override = (os.environ if env is None else env).get(ENV_OVERRIDE, "")
    names = tuple(n.strip() for n in override.split(",") if n.strip())
    names = names or configured_names(town_root, town_root / rig_name)
    if AMBIGUOUS[1] not in names:
        names = tuple(n for n in names if n != AMBIGUOUS[0])
    return names


def configured_names(town_root: Path, rig_dir: Path) -> tuple[str, ...]:
    """The names gt would put in `GT_PROCESS_NAMES` for a polecat of this rig."""
    town = _settings(town_root / "settings" / "config.json")
    rig = _settings(rig_dir / "settings" / "config.json")
    registry = _registry(town_root / "settings/agents.json", rig_dir / "settings/agents.json")
    runtime = rig.get("runtime")  # a rig's deprecated direct runtime wins when set
    if isinstance(runtime, dict):
        return resolve_names("", str(runtime.get("command") or DEFAULT_AGENT), registry)
    agent = _pick(rig, town)
    return resolve_names(agent, _command(agent, rig, town, registry), registry)


def idle_polecats(town: Town, polecats: list[tuple[str, str]]) -> int:
    """How many of `polecats` (rig, Name) wait in the pool: their heartbeat says `idle`
    (gt writes that for a pooled polecat; taking one flips it to `working`)."""
    rigs = {rig.name: rig for rig in town.rigs}
    sessions = (rigs[r].session_name(n) for r, n in polecats if r in rigs)
    return sum(heartbeat_state(heartbeat_file(town.root, s)) == IDLE for s in sessions)


def polecat_names(town: Town) -> list[tuple[str, str]]:
    """(rig, Name) for each polecat directory `<rig>/polecats/<Name>/`."""
    found = []
    for rig in town.rigs:
        base = town.polecats_dir(rig)
        if base.is_dir():
            found += [
                (rig.name, safe_text(p.name))  # a directory name is town text too
                for p in sorted(base.iterdir())
                if p.is_dir() and not p.name.startswith(".")
            ]
    return found
