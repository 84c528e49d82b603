"""Parsing `mysql://user[:password]@host[:port]` into an Endpoint, without echoing passwords."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from gt_tui.errors import GtTuiError
from gt_tui.town.db import Endpoint

SCHEMES = ("mysql", "mariadb", "mysql+pymysql")
DEFAULT_PORT = 3307  # gt's Dolt port


class BadDatabaseURL(GtTuiError):
    """A database URL that cannot be used; the message never contains the password."""


def parse_db_url(url: str) -> Endpoint:
    """An Endpoint from `mysql://user[:password]@host[:port]` (password percent-decoded)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BadDatabaseURL(f"bad database URL {_shown(url)}: {exc}") from None
    if parts.scheme not in SCHEMES:
        raise BadDatabaseURL(
            f"bad database URL {_shown(url)}: scheme must be one of {', '.join(SCHEMES)}"
        )
    if not parts.hostname:
        raise BadDatabaseURL(f"bad database URL {_shown(url)}: no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadDatabaseURL(
            f"bad database URL {_shown(url)}: expected mysql://user[:password]@host:port only"
        )
    return Endpoint(
        host=parts.hostname,
        port=port or DEFAULT_PORT,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
    )


def _shown(url: str) -> str:
    """The URL as it may be printed: any password replaced by ****."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return "'****'" if "@" in url else repr(url)
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return repr(url.strip())
    user = userinfo.split(":", 1)[0]
    return repr(f"{scheme}://{user}:****@{host}" if ":" in userinfo else url.strip())
