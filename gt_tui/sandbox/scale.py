"""Static sandbox towns at the spec's four scales, on SQLite or on a MySQL-protocol server.

Each tier has the spec's numbers of polecats and convoys (inside `health.SCALE_TIERS`) and
a beads history of a tier-sized row budget. On a shared server the builder makes its own
databases, `gttui_<6 hex>_hq` and `gttui_<6 hex>_<rig>`, records them in metadata.json
as gt records `dolt_database`, and `BuiltTown.drop()` drops exactly those.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gt_tui.errors import GtTuiError
from gt_tui.town.db import Database, MySQLDatabase
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.pool import PoolLimits
from gt_tui.town.sqlite_db import SQLiteDatabase

from .dburl import parse_db_url
from .history.context import Context, IdMint
from .history.plan import HistoryPlan, write_history
from .layout import HQ, MARKER, RigPlan, sqlite_relpath, write_town_files
from .schema import create_beads_schema, drop_database
from .sink import BulkSink
from .writer import BeadsWriter

DB_PREFIX = "gttui_"
RIGS = (
    ("gastown", "gt"),
    ("beads", "bd"),
    ("wyvern", "wy"),
    ("tallow", "tl"),
    ("citadel", "ci"),
    ("bullet", "bu"),
)
# gt's default namepool theme is Mad Max; gt caps a rig at 30 polecat dirs.
POLECAT_NAMES = (
    "Toast", "Nux", "Furiosa", "Slit", "Rictus", "Capable", "Cheedo", "Dag", "Angharad",
    "Toecutter", "Ace", "Keeper", "Morsov", "Valkyrie", "Corpus", "Organic", "Immortan",
    "Splendid", "Max", "Goose", "Fifi", "Jessie", "Bubba", "Savage", "Pappagallo", "Humungus",
    "Wez", "Feral", "Gyro", "Scrooloose",
)  # fmt: skip


@dataclass(frozen=True)
class TierPlan:
    """A scale tier's town: rigs, polecats, open convoys, history rows and history span."""

    name: str
    rigs: int
    polecats: int
    convoys: int
    history_rows: int
    span: timedelta


TIER_PLANS = {
    "small": TierPlan("small", 2, 5, 3, 1_000, timedelta(days=2)),
    "medium": TierPlan("medium", 2, 20, 10, 10_000, timedelta(days=7)),
    "large": TierPlan("large", 3, 60, 30, 100_000, timedelta(days=30)),
    "xlarge": TierPlan("xlarge", 6, 150, 80, 1_000_000, timedelta(days=90)),
}


@dataclass
class BuiltTown:
    """A built sandbox town: where it is, its databases, and how to open or drop them."""

    root: Path
    name: str
    scale: str
    variant: str
    databases: dict[str, str]  # "hq" and each rig name -> database name
    rigs: tuple[RigPlan, ...]
    endpoint: Endpoint | None
    row_counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    @property
    def polecats(self) -> int:
        return sum(len(rig.polecats) for rig in self.rigs)

    def sqlite_files(self) -> dict[str, Path]:
        """Each database's SQLite file (empty on a MySQL-protocol server)."""
        if self.endpoint is not None:
            return {}
        return {db: self.root / sqlite_relpath(db) for db in self.databases.values()}

    def open_db(self, read_only: bool = False, limits: PoolLimits | None = None) -> Database:
        """A Database over all the town's databases; the caller closes it."""
        if self.endpoint is None:
            return SQLiteDatabase(self.sqlite_files(), read_only=read_only)
        return MySQLDatabase(self.endpoint, limits=limits, read_only=read_only)

    def drop(self) -> None:
        """Remove this town's databases, and only them (files stay on disk otherwise)."""
        if self.endpoint is None:
            for path in self.sqlite_files().values():
                for suffix in ("", "-wal", "-shm", "-journal"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
            return
        db = MySQLDatabase(self.endpoint, limits=PoolLimits(max_open=1, max_idle=1))
        try:
            for name in self.databases.values():
                if name.startswith(DB_PREFIX):
                    drop_database(db, name)
        finally:
            db.close()


def tier_plan(scale: str) -> TierPlan:
    if scale not in TIER_PLANS:
        raise GtTuiError(f"unknown scale {scale!r}; use one of {', '.join(TIER_PLANS)}")
    return TIER_PLANS[scale]


def plan_rigs(plan: TierPlan) -> tuple[RigPlan, ...]:
    """The tier's rigs with its polecats dealt round-robin (at most 30 per rig, as gt)."""
    names: list[list[str]] = [[] for _ in range(plan.rigs)]
    for index in range(plan.polecats):
        names[index % plan.rigs].append(POLECAT_NAMES[index // plan.rigs])
    return tuple(RigPlan(n, p, tuple(names[i])) for i, (n, p) in enumerate(RIGS[: plan.rigs]))


def database_names(rigs: tuple[RigPlan, ...], endpoint: Endpoint | None) -> dict[str, str]:
    """gt's names on SQLite (`hq`, `<rig>`); our own unique names on a shared server."""
    keys = [HQ, *(rig.name for rig in rigs)]
    if endpoint is None:
        return {key: key for key in keys}
    token = secrets.token_hex(3)
    return {key: f"{DB_PREFIX}{token}_{key}" for key in keys}


def build_scale_town(
    dir: Path,
    scale: str,
    db_url: str | None = None,
    variant: str = "v1.0.0",
    *,
    seed: int = 0,
    now: datetime | None = None,
) -> BuiltTown:
    """Build a static town of `scale` in `dir` (which must not hold a town yet).

    Shapes are fixed by `seed`; timestamps run back from `now` (default: the current
    second), so the same seed and `now` give the same rows.
    """
    plan = tier_plan(scale)
    if (dir / MARKER).exists():
        raise GtTuiError(f"{dir} already holds a town; build into an empty directory")
    endpoint = parse_db_url(db_url) if db_url else None
    rigs = plan_rigs(plan)
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    town = BuiltTown(
        dir, f"sandbox-{scale}", scale, variant, database_names(rigs, endpoint), rigs, endpoint
    )
    born = when - plan.span - timedelta(days=1)
    undo = _Undo.before(dir)
    try:
        write_town_files(dir, town.name, list(rigs), endpoint, town.databases, created_at=born)
        town.row_counts = _fill(town, plan, seed, when)
    except BaseException:
        with contextlib.suppress(GtTuiError):  # the server may be why it failed: say that
            town.drop()
        undo.remove_new()
        raise
    return town


@dataclass(frozen=True)
class _Undo:
    """What a failed build removes: every path it made, and nothing that was there before."""

    dir: Path
    made: Path | None  # the outermost directory the build creates (None: `dir` exists)
    existing: frozenset[Path]  # what `dir` held before the build

    @classmethod
    def before(cls, dir: Path) -> _Undo:
        if not dir.exists():
            made = dir
            while not made.parent.exists():
                made = made.parent
            return cls(dir, made, frozenset())
        return cls(dir, None, frozenset(dir.rglob("*")))

    def remove_new(self) -> None:
        if self.made is not None:
            shutil.rmtree(self.made, ignore_errors=True)
            return
        # Shallowest first: a new directory goes whole, and its paths are then gone already.
        for path in sorted(set(self.dir.rglob("*")) - self.existing, key=lambda p: len(p.parts)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _fill(town: BuiltTown, plan: TierPlan, seed: int, now: datetime) -> dict[tuple[str, str], int]:
    db = town.open_db()
    try:
        _create_schemas(db, town.databases, town.rigs, town.variant)
        rng = random.Random(seed)
        # Ids and UUIDs draw from their own source, so shapes do not depend on the variant.
        uuids = random.Random(f"{seed}:uuids")
        writer = BeadsWriter(db, hq=town.databases[HQ], variant=town.variant, rng=uuids)
        sink = BulkSink(writer)
        ctx = Context(sink, rng, IdMint(rng), town.rigs, town.databases, now, plan.convoys)
        write_history(ctx, HistoryPlan.for_budget(plan.history_rows, plan.span))
        return dict(sink.counts)
    finally:
        db.close()


def _create_schemas(
    db: Database, databases: Mapping[str, str], rigs: tuple[RigPlan, ...], variant: str
) -> None:
    prefixes = {HQ: "hq", **{rig.name: rig.prefix for rig in rigs}}
    for key, name in databases.items():
        create_beads_schema(db, name, variant, prefix=prefixes[key])
