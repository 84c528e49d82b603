"""Helpers for the report tests: a run of hand-built snapshots, a hostile one, headless
Chromium (a real browser, killed on timeout) and a PNG decoded with zlib alone.

Chromium is Debian's `chromium`: missing, the browser tests skip with the reason, except
under CI=true, where they fail (helpers.missing).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import struct
import subprocess
import zlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from helpers import missing
from snapshots_fixtures import calm_snapshot, trouble_snapshot

from gt_tui.engine.snapshot import Snapshot

BROWSER_TIMEOUT = 120.0  # a bound on a hang, not a timing assertion
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;"\''
STEP_S = 30
# Anything a page could load at view time: a src/href (or CSS url/@import) to a network
# address, or a <link> to another document.
NETWORK_LOAD = re.compile(
    r"""(?:\b(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import|<link\b|<iframe\b""",
    re.IGNORECASE,
)


def run_of_snapshots(count: int = 12, trouble: tuple[int, ...] = (5, 6, 7)) -> list[Snapshot]:
    """`count` snapshots STEP_S apart, calm but for the `trouble` ones (the database slow,
    spawns and mail in danger: the bottleneck moves)."""
    calm, bad = calm_snapshot(), trouble_snapshot()
    start = calm.generated_at - timedelta(seconds=STEP_S * (count - 1))
    return [
        replace(bad if i in trouble else calm, generated_at=start + timedelta(seconds=STEP_S * i))
        for i in range(count)
    ]


def hostile_snapshot() -> Snapshot:
    """A calm snapshot whose town name and every sample's subject and detail are hostile."""
    calm = calm_snapshot()
    metrics = tuple(
        replace(m, samples=tuple(replace(s, subject=HOSTILE, detail=HOSTILE) for s in m.samples))
        for m in calm.metrics
    )
    return replace(calm, town=replace(calm.town, name=HOSTILE), metrics=metrics)


# ---------------------------------------------------------------- headless Chromium


def chromium() -> str:
    """The browser's path; skip (fail under CI) when it is not installed."""
    found = shutil.which("chromium") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None
    )
    if found is None:
        missing("chromium is not installed (Debian package chromium)")
    return found


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless Chromium over a local file, in its own session with a private profile; the
    whole process group is killed if it outlives BROWSER_TIMEOUT."""
    argv = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
        f"--user-data-dir={profile}", *args, page.resolve().as_uri(),
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        # Chromium's helpers (zygote, GPU, renderer) may outlive the browser: end the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


# ---------------------------------------------------------------- PNG, with zlib alone


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit truecolour PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
    channels = 3 if colour == 2 else 4
    return width, height, _unfilter(zlib.decompress(bytes(idat)), width * channels, channels)


def _unfilter(raw: bytes, stride: int, bpp: int) -> list[bytes]:
    rows, previous = [], bytearray(stride)
    for start in range(0, len(raw), stride + 1):
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def colour_census(data: bytes) -> tuple[int, int, int, float]:
    """(width, height, distinct colours, share of pixels that are not white) of a PNG."""
    width, height, rows = png_pixels(data)
    channels = len(rows[0]) // width
    colours: set[bytes] = set()
    ink = 0
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = row[x : x + 3]
            colours.add(pixel)
            ink += pixel != b"\xff\xff\xff"
    return width, height, len(colours), ink / (width * height)
