"""The history file's layout: one SQLite file, its schema, its format version, and opening it.

    meta(key, value)            the format version, and who wrote the file
    sample(id, value, at_us, subject, grp, detail)
                                every distinct metric sample, stored once: a window holds
                                the same samples refresh after refresh
    record(id, at_us, first_sample, base, body)
                                one per snapshot: the snapshot without its samples as
                                zstd-compressed JSON (gt_tui.history.codec), and for each
                                metric its samples as runs of sample ids; `first_sample` is
                                the lowest id it names, so pruning knows what is still used.
                                A keyframe (`base` NULL) every KEYFRAME_EVERY records; the
                                others are compressed with their keyframe's JSON as zstd's
                                dictionary (`base` its id): consecutive snapshots share
                                almost every byte, so a record keeps only what changed

WAL journal, `synchronous=NORMAL`: an append is one small transaction with no fsync of its
own, and a reader (`gt-tui report`) can read while a console records.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

FORMAT = 1  # bump when the layout or the record body changes incompatibly
KEYFRAME_EVERY = 16  # records per keyframe: 16 made the demo's records 4.5 times smaller
BUSY_TIMEOUT_MS = 2000

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sample (id INTEGER PRIMARY KEY, value REAL NOT NULL,"
    " at_us INTEGER NOT NULL, subject TEXT NOT NULL, grp TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS record (id INTEGER PRIMARY KEY, at_us INTEGER NOT NULL,"
    " first_sample INTEGER, base INTEGER, body BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS record_at ON record (at_us)",
)


class FormatError(Exception):
    """The file is a history of another format version."""


def open_for_append(path: Path) -> sqlite3.Connection:
    """The history at `path`, created (with its directory) if missing, ready to append.

    sqlite3.Error or OSError when it cannot be; FormatError for another format's file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
        check_format(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_for_read(path: Path) -> sqlite3.Connection:
    """The history at `path`, read-only (immutable when its directory cannot hold the WAL's
    shared-memory file); sqlite3.Error when it is not a database."""
    if not path.is_file():
        raise sqlite3.OperationalError("no such file")
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def check_format(conn: sqlite3.Connection) -> None:
    """FormatError unless the file says it is of FORMAT."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    found = row[0] if row else None
    if found != str(FORMAT):
        raise FormatError(f"history format {found}, this gt-tui reads format {FORMAT}")


_MAGIC = b"SQLite format 3\x00"


def open_salvaged(path: Path) -> sqlite3.Connection:
    """A damaged history (cut short, say) as an in-memory copy that SQLite reads up to where
    the damage starts: cut to whole pages, its size taken from the bytes there rather than its
    header (the header's size is trusted only while offset 92 matches the change counter at
    24), in the rollback journal mode, since a deserialised database has no WAL."""
    data = bytearray(path.read_bytes())
    if not data.startswith(_MAGIC) or len(data) < 100:
        raise sqlite3.DatabaseError("file is not a database")
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page & (page - 1):
        raise sqlite3.DatabaseError("file is not a database (bad page size)")
    del data[len(data) - len(data) % page :]
    counter = int.from_bytes(data[24:28], "big")
    data[92:96] = ((counter + 1) % 2**32).to_bytes(4, "big")
    data[18:20] = b"\x01\x01"
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.deserialize(bytes(data))
    return conn


def bytes_past_end(conn: sqlite3.Connection, path: Path) -> int:
    """How many bytes the file at `path` holds after the database's last page (garbage)."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    return max(0, path.stat().st_size - pages * page)
