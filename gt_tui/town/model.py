"""What a town is, once found: its root, rigs, databases, Dolt endpoint and tmux socket."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gt_tui.town.endpoint import Endpoint


@dataclass(frozen=True)
class Rig:
    """A rig: its name, its beads prefix without the dash (`gt`), and its database name.

    `name` is safe to show (gt_tui/safe_text.py); `path_name` is the directory's name on
    disk where that differs (a name with control characters), for paths only.
    """

    name: str
    prefix: str
    database: str
    path_name: str = ""

    @property
    def directory(self) -> str:
        """The rig's directory under the town root, as on disk."""
        return self.path_name or self.name

    def session_name(self, polecat: str) -> str:
        """The tmux session of a polecat, as gt names it: `<prefix>-<Name>`."""
        return f"{self.prefix}-{polecat}"


@dataclass(frozen=True)
class Town:
    """A Gas Town on disk and the endpoints it uses."""

    root: Path
    name: str
    rigs: tuple[Rig, ...]
    hq_database: str
    endpoint: Endpoint
    tmux_socket: str
    sqlite_files: tuple[tuple[str, Path], ...] = ()

    @property
    def databases(self) -> tuple[str, ...]:
        """`hq` first, then each rig's database, without repeats."""
        names = [self.hq_database, *(rig.database for rig in self.rigs)]
        return tuple(dict.fromkeys(names))

    @property
    def is_sqlite(self) -> bool:
        """True for the demo town, whose beads live in SQLite files instead of Dolt."""
        return bool(self.sqlite_files)

    @property
    def events_file(self) -> Path:
        return self.root / ".events.jsonl"

    def rig(self, name: str) -> Rig:
        return next(rig for rig in self.rigs if rig.name == name)

    def rig_by_prefix(self, prefix: str) -> Rig | None:
        return next((rig for rig in self.rigs if rig.prefix == prefix.rstrip("-")), None)

    def polecats_dir(self, rig: Rig) -> Path:
        return self.root / rig.directory / "polecats"
