"""Secrets kept out of children and off command lines: the one list, and the password file.

`is_secret_name` is THE predicate for "this name holds a secret": environment variables
stripped from every child (git, gt, tmux, the sandbox's agents) and argument keys masked
in the audit log. `read_password_file` takes a password from a file only when nobody
else can read it (`--password-file`); `write_password_file` makes such a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from gt_tui.errors import GtTuiError

# Named secrets (also caught by the markers below, listed so a reader sees them).
SECRET_VARS = ("GT_DOLT_PASSWORD", "BEADS_DOLT_PASSWORD", "MYSQL_PWD")
SECRET_MARKERS = ("PASS", "SECRET", "TOKEN")  # PASSWORD, PASSWD, *_SECRET_*, *_TOKEN
PASSWORD_VAR = "GT_DOLT_PASSWORD"


def is_secret_name(name: str) -> bool:
    """Whether a variable or key called `name` holds a secret (case-insensitive)."""
    upper = name.upper()
    return upper in SECRET_VARS or any(marker in upper for marker in SECRET_MARKERS)


def without_secrets(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of `env` (default: ours) with every secret variable removed, for a child."""
    source = os.environ if env is None else env
    return {key: value for key, value in source.items() if not is_secret_name(key)}


class PasswordFileRefused(GtTuiError):
    """A password file that is missing, readable by others or not ours."""


def read_password_file(path: Path) -> str:
    """The password in `path` (first line, no newline). Refused unless the file is ours
    and no one else may read or write it (mode 0600 or stricter)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise PasswordFileRefused(f"password file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PasswordFileRefused(f"password file {path}: not a regular file")
        if info.st_uid != os.getuid():
            raise PasswordFileRefused(f"password file {path}: not owned by you")
        if info.st_mode & 0o077:
            mode = stat.S_IMODE(info.st_mode)
            raise PasswordFileRefused(
                f"password file {path}: mode {mode:04o}, want 0600 or stricter (chmod 600)"
            )
        try:
            text = file.read().decode("utf-8")
        except UnicodeDecodeError:
            raise PasswordFileRefused(f"password file {path}: not UTF-8 text") from None
    return text.splitlines()[0] if text else ""


def write_password_file(path: Path, password: str) -> Path:
    """Write `password` to `path`, created 0600 (replacing any old file); returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return path
