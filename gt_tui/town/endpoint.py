"""Where a town's Dolt server listens and how long to wait for it: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Endpoint:
    """Where a town's Dolt server listens: TCP `host:port`, or a Unix `socket` when set.

    The password never appears in `str()` or `repr()`; `str()` stays `user@host:port`.
    """

    host: str = "127.0.0.1"
    port: int = 3307
    user: str = "root"
    password: str = field(default="", repr=False)
    tls: bool = False
    socket: str | None = None

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    @property
    def transport(self) -> str:
        """ "socket" when connections go through the Unix socket, else "tcp"."""
        return "socket" if self.socket else "tcp"


@dataclass(frozen=True)
class Timeouts:
    """PyMySQL's timeouts in seconds; PyMySQL 1.2 sets none for read and write by itself."""

    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
