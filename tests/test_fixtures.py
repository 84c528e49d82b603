"""The shared fixtures themselves: a real git repository and a private tmux server."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from helpers import kill_tmux_server, run_git, tmux, tmux_socket_path


def test_git_repo_has_one_commit_on_main(git_repo: Path) -> None:
    assert run_git(git_repo, "log", "--format=%an|%s").splitlines() == ["gt-tui tests|init"]
    assert run_git(git_repo, "branch", "--show-current").strip() == "main"
    assert run_git(git_repo, "status", "--porcelain") == ""


def test_tmux_socket_is_a_private_server(tmux_socket: str) -> None:
    tmux(tmux_socket, "new-session", "-d", "-s", "probe")
    assert tmux(tmux_socket, "list-sessions", "-F", "#{session_name}").split() == ["probe"]
    socket_path = tmux(tmux_socket, "display-message", "-p", "#{socket_path}").strip()
    assert socket_path == str(tmux_socket_path(tmux_socket))


@pytest.mark.tmux
def test_kill_tmux_server_leaves_nothing() -> None:
    socket = f"gttui-test-{secrets.token_hex(4)}"
    try:
        tmux(socket, "new-session", "-d", "-s", "probe")
    finally:
        kill_tmux_server(socket)
    with pytest.raises(RuntimeError, match=r"no server running|error connecting"):
        tmux(socket, "list-sessions")
    assert not tmux_socket_path(socket).exists()
