"""gt's agent liveness names (`GT_PROCESS_NAMES`), resolved from real settings files as
gt's `internal/config/loader.go` and `agents.go` resolve them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from gt_tui.sandbox.layout import town_settings
from gt_tui.town.agents import polecat_process_names


def write(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def names(root: Path, env: dict[str, str] | None = None) -> tuple[str, ...]:
    return polecat_process_names(root, "gastown", {} if env is None else env)


def test_claude_is_the_default(tmp_path: Path) -> None:
    assert names(tmp_path) == ("node", "claude")  # no settings at all
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "config.json").write_text("{not json")  # unreadable: as absent
    assert names(tmp_path) == ("node", "claude")


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("opencode", ("opencode", "node", "bun")),
        ("pi", ("pi", "node", "bun")),
        ("codex", ("codex",)),
    ],
)
def test_the_town_default_agent_preset(tmp_path: Path, preset: str, expected: tuple) -> None:
    write(tmp_path / "settings" / "config.json", {"default_agent": preset})
    assert names(tmp_path) == expected


def test_rig_and_role_settings_take_precedence(tmp_path: Path) -> None:
    write(tmp_path / "settings" / "config.json", {"default_agent": "opencode"})
    write(tmp_path / "gastown" / "settings" / "config.json", {"agent": "pi"})
    assert names(tmp_path) == ("pi", "node", "bun")  # the rig's agent beats the town default
    write(tmp_path / "settings" / "config.json", {"role_agents": {"polecat": "codex"}})
    assert names(tmp_path) == ("codex",)  # the town's polecat role beats the rig's agent
    write(
        tmp_path / "gastown" / "settings" / "config.json",
        {"agent": "pi", "role_agents": {"polecat": "gemini"}},
    )
    assert names(tmp_path) == ("gemini",)  # and the rig's polecat role beats the town's
    assert polecat_process_names(tmp_path, "other", {}) == ("codex",)  # other rigs: town's


def test_custom_agents_use_their_command(tmp_path: Path) -> None:
    agents = {
        "mine": {"command": "/opt/bin/my-agent"},
        "wrapped": {"command": "opencode"},  # a custom name over a known launcher
        "codex": {"command": "opencode"},  # shadows the codex preset with another binary
    }
    for name, expected in (
        ("mine", ("my-agent",)),
        ("wrapped", ("opencode", "node", "bun")),
        ("codex", ("opencode", "node", "bun")),
    ):
        write(tmp_path / "settings" / "config.json", {"default_agent": name, "agents": agents})
        assert names(tmp_path) == expected, name


def test_the_agent_registry_names_process_names(tmp_path: Path) -> None:
    registry = {"agents": {"mine": {"command": "run-me", "process_names": ["x", "y"]}}}
    write(tmp_path / "settings" / "agents.json", registry)
    write(tmp_path / "settings" / "config.json", {"default_agent": "mine"})
    assert names(tmp_path) == ("x", "y")


def test_gt_process_names_overrides_and_agent_is_kept_only_for_cursor(tmp_path: Path) -> None:
    write(tmp_path / "settings" / "config.json", {"default_agent": "opencode"})
    assert names(tmp_path, {"GT_PROCESS_NAMES": "sleep, python3"}) == ("sleep", "python3")
    assert names(tmp_path, {"GT_PROCESS_NAMES": "agent,foo"}) == ("foo",)
    write(tmp_path / "settings" / "config.json", {"default_agent": "cursor"})
    assert names(tmp_path) == ("cursor-agent", "agent")


def test_the_sandbox_names_its_python(tmp_path: Path) -> None:
    write(tmp_path / "settings" / "config.json", town_settings())
    assert names(tmp_path) == (os.path.basename(sys.executable),)
