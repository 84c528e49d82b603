"""Nudges: a sender's "look at your mail now" to an agent, through a FIFO in the town.

gt's mail router, after the durable write, nudges the recipient's session (or leaves the
nudge in `<town>/.runtime/nudge_queue`). The sandbox does the same through one FIFO per
address in `<town>/.runtime/nudge/`: the recipient waits on it, so it reads its mail as
soon as it is nudged instead of polling the database. A nudge to an agent that is not
listening is simply dropped; the recipient still checks its inbox every few seconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
from pathlib import Path

NUDGE_DIR = Path(".runtime") / "nudge"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def nudge_path(root: Path, address: str) -> Path:
    """The FIFO of an address: `mayor/` -> `.runtime/nudge/mayor.fifo`."""
    name = _UNSAFE.sub("-", address.strip("/")) or "unnamed"
    return Path(root) / NUDGE_DIR / f"{name}.fifo"


def nudge(root: Path, address: str) -> bool:
    """Nudge an agent; False when nobody listens (no FIFO, no reader, or its pipe is full)."""
    try:
        fd = os.open(nudge_path(root, address), os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENXIO):
            return False
        raise
    try:
        os.write(fd, b"!")
    except BlockingIOError:
        return True  # the pipe is full of nudges already: the agent will wake anyway
    finally:
        os.close(fd)
    return True


class NudgeBox:
    """The receiving end: `wait(timeout)` returns True when nudged, False on timeout."""

    def __init__(self, root: Path, address: str) -> None:
        self.path = nudge_path(root, address)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkfifo(self.path, 0o600)
        # Read-write, so the FIFO never reports end-of-file when a sender closes it.
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)

    def wait(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        self._drain()
        return True

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._fd, 4096):
                pass

    def close(self) -> None:
        os.close(self._fd)
        self.path.unlink(missing_ok=True)
