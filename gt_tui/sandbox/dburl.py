"""Parsing `mysql://user[:password]@host[:port]` into an Endpoint, never echoing the URL.

The user and password are percent-decoded (write `%25` for a literal `%`); the userinfo
ends at the LAST `@`, so a password holding `/`, `#`, `?` or `@` works written as is.
Errors name what is wrong, never any part of the URL: a mistyped URL may hold a password
in a place we cannot tell. Without a password in the URL, `GT_DOLT_PASSWORD` gives it
(`gt-tui --password-file` fills that variable from a 0600 file): neither is on argv.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from gt_tui.errors import GtTuiError
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.secret_env import PASSWORD_VAR

SCHEMES = ("mysql", "mariadb", "mysql+pymysql")
DEFAULT_PORT = 3307  # gt's Dolt port
SHAPE = "expected mysql://user[:password]@host[:port]"


class BadDatabaseURL(GtTuiError):
    """A database URL that cannot be used; the message never contains any of the URL."""


def parse_db_url(url: str, env: Mapping[str, str] | None = None) -> Endpoint:
    """An Endpoint from the URL; the password from the URL, else `GT_DOLT_PASSWORD` in
    `env` (default: ours), else none."""
    user, password, host, port = _split(url)
    if password is None:
        password = (os.environ if env is None else env).get(PASSWORD_VAR, "")
    return Endpoint(host=host, port=port, user=user or "root", password=password)


def url_has_password(url: str) -> bool:
    """Whether the URL itself carries a password (`user:password@`)."""
    return _split(url)[1] is not None


def _split(url: str) -> tuple[str, str | None, str, int]:
    """(user, password or None, host, port), decoded; BadDatabaseURL without any echo."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        raise BadDatabaseURL(f"bad database URL: {SHAPE}")
    if scheme.lower() not in SCHEMES:
        raise BadDatabaseURL(f"bad database URL: scheme must be one of {', '.join(SCHEMES)}")
    userinfo, _, hostport = rest.rpartition("@")
    hostport = hostport.removesuffix("/")
    if any(mark in hostport for mark in "/?#"):
        raise BadDatabaseURL(f"bad database URL: {SHAPE}, no database, query or fragment")
    try:
        parts = urlsplit(f"//{hostport}")
        port = parts.port
    except ValueError:
        raise BadDatabaseURL("bad database URL: the port must be a number 1-65535") from None
    if not parts.hostname:
        raise BadDatabaseURL(f"bad database URL: no host ({SHAPE})")
    if port == 0:
        raise BadDatabaseURL("bad database URL: the port must be a number 1-65535")
    user, colon, password = userinfo.partition(":")
    return unquote(user), unquote(password) if colon else None, parts.hostname, port or DEFAULT_PORT
