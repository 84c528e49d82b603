"""Reading a town's files and the settings files safely: regular files only, never blocking.

A FIFO where a file is expected blocks a plain `open()` until some writer appears (forever,
in practice), and a device or a directory fails obscurely later. `open_regular` opens
without blocking (O_NONBLOCK), then checks the OPEN descriptor with fstat (so nothing can be
swapped in between a check and the open) and refuses anything but a regular file with a
one-line `NotRegularFile`. Every reader of a town or settings file goes through here.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from gt_tui.errors import MalformedFile

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(MalformedFile):
    """A path that should be a regular file is a FIFO, a directory, a device or a socket."""

    def __init__(self, path: object, mode: int) -> None:
        super().__init__(path, f"expected a regular file, found {file_kind(mode)}")


def file_kind(mode: int) -> str:
    """What a non-regular `st_mode` is, in words: "a FIFO", "a directory", ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for binary reading, or NotRegularFile; missing files raise OSError."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def refuse_non_regular(path: Path) -> None:
    """NotRegularFile when `path` exists and is not a regular file; nothing when it is missing.

    For files a library opens by path itself (SQLite): a check by stat, since it cannot
    be handed our descriptor. It still keeps a FIFO from hanging the library's open.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotRegularFile(path, mode)


def read_regular(path: Path) -> bytes:
    """The whole content of a regular file (see `open_regular` for what is refused)."""
    with open_regular(path) as handle:
        return handle.read()


def read_regular_text(path: Path) -> str:
    """A regular file's content as UTF-8 text; UnicodeDecodeError when it is not."""
    return read_regular(path).decode("utf-8")


def write_atomically(
    path: Path, text: str, *, mode: int | None = None, durable: bool = False
) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`.

    Readers never see half a file. The file gets `mode`, else the mode `path` has, else 0644
    (a bare temporary file would be 0600). `durable` fsyncs before the rename, for files a
    person would miss after a crash (settings), not for heartbeats rewritten every second.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
