"""TEMPORARY stand-in for `gt_tui.town.layout.locate_town` (branch `conventions`,
CONTRACT.md); removed once that branch is merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gt_tui.errors import TownNotFound
from gt_tui.town.layout import MARKER


@dataclass(frozen=True)
class TownLocation:
    root: Path
    how: str


def locate_town(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> TownLocation:
    if explicit is not None:
        if (explicit / MARKER).is_file():
            return TownLocation(explicit, "--town")
        raise TownNotFound(f"no {MARKER} in {explicit}")
    for root in reversed([cwd, *cwd.parents]):
        if (root / MARKER).is_file():
            return TownLocation(root, "current directory")
    for key in ("GT_TOWN_ROOT", "GT_ROOT"):
        if env.get(key) and (Path(env[key]) / MARKER).is_file():
            return TownLocation(Path(env[key]), key)
    home = Path(env.get("HOME", str(Path.home()))) / "gt"
    if (home / MARKER).is_file():
        return TownLocation(home, "~/gt")
    raise TownNotFound("no Gas Town found")
