"""The three ways to run gt-tui — console, wall, snapshot — over a live town or the demo.

Textual is imported only on the console path; the snapshot's text and JSON paths never load it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gt_tui.engine.engine import Engine
from gt_tui.engine.facade import Demo, EngineCore, EngineFacade, Recorder
from gt_tui.engine.snapshot import Snapshot
from gt_tui.errors import GtTuiError, SettingError
from gt_tui.health import Health
from gt_tui.local_actions import LocalActions, cli_read_only
from gt_tui.settings import Settings, load_settings
from gt_tui.town.connect import open_database
from gt_tui.town.layout import find_town_root, load_town

DEMO_SNAPSHOT_LIMIT_S = 30.0


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs as a mapping (each value is checked when the settings load)."""
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SettingError(f"--set {pair!r}: expected KEY=VALUE")
        found[key.strip()] = value.strip()
    return found


def _settings(args: argparse.Namespace, root: Path | None) -> Settings:
    return load_settings(root, parse_overrides(args.set))


def open_engine(root: Path, args: argparse.Namespace, *, mode: str, read_only: bool) -> Engine:
    """An engine over the town at `root`, with the user's and the town's settings."""
    town = load_town(root)
    settings = _settings(args, root)
    db = open_database(town, settings, read_only=read_only)
    return Engine(town, db, settings, mode=mode, read_only=read_only)


@dataclass
class DemoLoad:
    """The demo sandbox's load as the console's facade sees it (gt_tui.engine.facade.Demo)."""

    root: Path
    load: str
    levels: tuple[str, ...]


@contextmanager
def run_session(
    args: argparse.Namespace, *, read_only: bool
) -> Iterator[tuple[Engine, DemoLoad | None]]:
    """The engine for this run, over the demo sandbox (built and torn down here, and returned
    beside the engine) or a town."""
    if args.demo:
        from gt_tui.sandbox.demo import DemoTown
        from gt_tui.sandbox.load import LEVELS

        with DemoTown(args.demo_dir, args.demo_db, args.demo_load) as town:
            engine = open_engine(town.root, args, mode="demo", read_only=read_only)
            try:
                yield engine, DemoLoad(town.root, town.load, LEVELS)
            finally:
                engine.close()
        return
    engine = open_engine(find_town_root(args.town), args, mode="live", read_only=read_only)
    try:
        yield engine, None
    finally:
        engine.close()


@contextmanager
def engine_session(args: argparse.Namespace, *, read_only: bool) -> Iterator[Engine]:
    """The engine for this run: over the demo sandbox (built and torn down here) or a town."""
    with run_session(args, read_only=read_only) as (engine, _demo):
        yield engine


def console_facade(
    engine: EngineCore, demo: Demo | None = None, recorder: Recorder | None = None
) -> EngineFacade:
    """The console's one handle on the engine; on the demo, with the demo's load as the
    guarded, audited `sandbox.load` action that `gt-tui sandbox load` runs; with `--record`,
    appending every refresh to the history."""
    if demo is None:
        return EngineFacade(engine, recorder=recorder)
    sandbox = LocalActions(f"demo {demo.root}", read_only=engine.read_only, root=demo.root)
    return EngineFacade(engine, demo=demo, sandbox=sandbox, recorder=recorder)


def add_record_option(parser: argparse._ActionsContainer, *, suppress: bool = False) -> None:
    """`--record [FILE]`: append every refresh to a history file (FILE, or the town's in the
    XDG state directory). `suppress`: after a subcommand's name, absent there keeps the
    top-level value."""
    parser.add_argument(
        "--record",
        nargs="?",
        const="",
        default=argparse.SUPPRESS if suppress else None,
        metavar="FILE",
        help="append every refresh to a history file (default: the town's, in the XDG state dir)",
    )


@contextmanager
def recording(args: argparse.Namespace, engine: Engine) -> Iterator[Recorder | None]:
    """The history writer `--record` asks for (closed after), or None without it."""
    named = getattr(args, "record", None)
    if named is None:
        yield None
        return
    from gt_tui.history import HistoryWriter, default_history_path

    path = Path(named).expanduser() if named else default_history_path(engine.town.name)
    writer = HistoryWriter(path, engine.settings.number("history.retention"))
    try:
        yield writer
    finally:
        writer.close()


def run_replay(args: argparse.Namespace) -> int:
    """`--replay FILE`: the console over a recording, read whole before the app starts."""
    from gt_tui.history import read_history

    read = read_history(Path(args.replay).expanduser())
    if not read.snapshots:
        raise GtTuiError(read.warning or f"--replay {args.replay}: no snapshot recorded")
    if read.warning:
        print(f"gt-tui: {read.warning}", file=sys.stderr)
    from gt_tui.ui.replay import run_replay as run_app

    return run_app(read.snapshots, warning=read.warning, wall=args.wall)


def _first_refresh(engine: Engine, demo: bool) -> Snapshot:
    """One refresh; on the demo, refresh until every metric has a sample (30 s at most)."""
    snapshot = engine.refresh()
    deadline = time.monotonic() + DEMO_SNAPSHOT_LIMIT_S
    while demo and time.monotonic() < deadline and any(m.count == 0 for m in snapshot.metrics):
        time.sleep(0.5)
        snapshot = engine.refresh()
    return snapshot


def run_snapshot(args: argparse.Namespace) -> int:
    """Print one refresh; 1 when --fail-on is met, 2 when the database did not answer."""
    with engine_session(args, read_only=True) as engine:
        snapshot = _first_refresh(engine, args.demo)
    sys.stdout.write(_format(snapshot, args.format or "text"))
    sys.stdout.flush()
    if snapshot.dolt.error:
        print(f"gt-tui: {snapshot.dolt.endpoint}: {snapshot.dolt.error}", file=sys.stderr)
        return 2
    return 1 if _fails(snapshot, args.fail_on) else 0


def _format(snapshot: Snapshot, fmt: str) -> str:
    if fmt == "json":
        from gt_tui.export.json import render_json

        return render_json(snapshot) + "\n"
    if fmt == "svg":
        from gt_tui.ui.svg_export import render_svg

        return render_svg(snapshot)
    from gt_tui.export.text import render_text

    return render_text(snapshot, color=sys.stdout.isatty())


def _fails(snapshot: Snapshot, fail_on: str | None) -> bool:
    if fail_on is None:
        return False
    bar = Health(fail_on).rank
    return any(m.health.rank >= bar for m in snapshot.metrics)


def run_console(args: argparse.Namespace) -> int:
    """The interactive console, or the wall monitor (read-only) with --wall."""
    from gt_tui.ui.app import run_console as run_app

    with (
        run_session(args, read_only=cli_read_only(args)) as (engine, demo),
        recording(args, engine) as recorder,
    ):
        interval = args.refresh
        if interval is None:  # cli checked a given one against the setting's range
            interval = engine.settings.number("ui.refresh_interval")
        facade = console_facade(engine, demo, recorder)
        return run_app(facade, wall=args.wall, refresh_interval=interval)
