"""The `gt-tui config` subcommand: list, get and set settings. Never imports Textual.

gt-tui config list [--format text|json] [--town PATH]
gt-tui config get KEY [--town PATH]
gt-tui config set KEY VALUE [--town PATH]   (the user file, or the town's with --town;
                                            refused under --read-only and --wall)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gt_tui.errors import GtTuiError, TownNotFound
from gt_tui.local_actions import LocalActions, cli_read_only
from gt_tui.setting_table import SETTINGS, SettingSpec
from gt_tui.settings import Settings, load_settings, town_config_path, user_config_path

_COLUMNS = ("name", "value", "default", "source", "description")


def add_config_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register `config list|get|set` (its `run` is `run_config`); returns `config`."""
    parser = subparsers.add_parser(
        "config", help="show or change settings", description="Show or change gt-tui settings."
    )
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("list", help="every setting: value, default, source")
    show.add_argument("--format", choices=("text", "json"), default="text")
    _town_option(show, "also read the town's settings/gt-tui.toml")
    get = actions.add_parser("get", help="print one setting's value")
    get.add_argument("key", metavar="KEY")
    _town_option(get, "also read the town's settings/gt-tui.toml")
    put = actions.add_parser("set", help="validate one value and save it")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    _town_option(put, "write the town's settings/gt-tui.toml instead of the user file")
    parser.set_defaults(run=run_config)
    return parser


def _town_option(parser: argparse.ArgumentParser, text: str) -> None:
    # A dest of its own: a top-level `--town` would otherwise be reset by the subparser.
    parser.add_argument("--town", dest="config_town", type=Path, metavar="PATH", help=text)


def run_config(args: argparse.Namespace) -> int:
    """Run a parsed `config` command: 0 when done, 2 with one line on stderr when refused."""
    try:
        _ACTIONS[args.config_action](args)
    except GtTuiError as err:
        print(f"gt-tui: {err}", file=sys.stderr)
        return 2
    return 0


def _town(args: argparse.Namespace) -> Path | None:
    town = getattr(args, "config_town", None)
    if town is not None and not town.is_dir():
        raise TownNotFound(f"{town}: not a directory (--town wants the town root)")
    return town


def _list(args: argparse.Namespace) -> None:
    settings = load_settings(town_root=_town(args))
    if args.format == "json":
        print(json.dumps([_json_row(settings, spec) for spec in SETTINGS], indent=2))
    elif sys.stdout.isatty():
        Console().print(_rich_table(settings))
    else:
        print(_plain_table(settings))


def _get(args: argparse.Namespace) -> None:
    settings = load_settings(town_root=_town(args))
    print(settings.text(args.key))


def _set(args: argparse.Namespace) -> None:
    """Through the guarded action: refused under --read-only/--wall, audited either way."""
    town = _town(args)
    path = town_config_path(town) if town is not None else user_config_path()
    label = town.name if town is not None else "(user settings)"
    actions = LocalActions(label, read_only=cli_read_only(args))
    result = actions.set_setting(args.key, args.value, path)
    if not result.ok:
        raise GtTuiError(result.summary)
    print(result.summary)


_ACTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "list": _list,
    "get": _get,
    "set": _set,
}


def _text_row(settings: Settings, spec: SettingSpec) -> tuple[str, ...]:
    value, default = settings.text(spec.name), spec.format(spec.default)
    return (spec.name, value, default, settings.source(spec.name), spec.description)


def _json_row(settings: Settings, spec: SettingSpec) -> dict[str, object]:
    value = settings[spec.name]
    return {
        "name": spec.name,
        "kind": str(spec.kind),
        "value": list(value) if isinstance(value, tuple) else value,
        "text": settings.text(spec.name),
        "default": list(spec.default) if isinstance(spec.default, tuple) else spec.default,
        "default_text": spec.format(spec.default),
        "source": settings.source(spec.name),
        "allowed": spec.allowed(),
        "section": spec.section,
        "description": spec.description,
    }


def _plain_table(settings: Settings) -> str:
    rows = [tuple(c.upper() for c in _COLUMNS)]
    rows += [_text_row(settings, spec) for spec in SETTINGS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    return "\n".join(_aligned(row, widths) for row in rows)


def _aligned(row: tuple[str, ...], widths: list[int]) -> str:
    """Pad every cell but the last (the description) to its column's width."""
    cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
    return "  ".join([*cells, row[-1]]).rstrip()


def _rich_table(settings: Settings) -> Table:
    table = Table(title="gt-tui settings", header_style="bold")
    for column in _COLUMNS:
        table.add_column(column, no_wrap=column != "description")
    for spec in SETTINGS:
        row = _text_row(settings, spec)
        changed = settings.source(spec.name) != "default"
        table.add_row(*row, style="bold" if changed else None)
    return table
