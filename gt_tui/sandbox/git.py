"""git for the sandbox: the shared bounded runner, with our identity and no user config.

Every sandbox git call goes through `run_git`, which is `gt_tui.town.git.run_git` (timeout,
process group killed on expiry, one-line `CommandFailed`) with an environment of our own:
the sandbox identity, no global or system config, and no `GIT_*` leaking in from outside.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from gt_tui.town import git as town_git

GIT_TIMEOUT = 30.0
SANDBOX_IDENTITY = {
    "GIT_AUTHOR_NAME": "gt-tui sandbox",
    "GIT_AUTHOR_EMAIL": "sandbox@gt-tui.invalid",
    "GIT_COMMITTER_NAME": "gt-tui sandbox",
    "GIT_COMMITTER_EMAIL": "sandbox@gt-tui.invalid",
}


def sandbox_git_env() -> dict[str, str]:
    """Our environment minus any `GIT_*`, plus the sandbox identity and no user config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(SANDBOX_IDENTITY)
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return env


def run_git(
    args: Sequence[str],
    cwd: Path,
    timeout: float = GIT_TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> str:
    """`git <args>` in `cwd` as the sandbox; stdout, or CommandFailed/CommandTimeout."""
    return town_git.run_git(args, cwd, timeout, env=env, base_env=sandbox_git_env())
