"""The `gt-tui config` subcommand: list, get and set settings. Never imports Textual.

gt-tui config list [--format text|json]
gt-tui config get KEY
gt-tui config set KEY VALUE [--scope user|town] [--yes]

`--town PATH` may stand before `config`, after it or after the action: all three mean the
same town. Without it the town is found as every command finds it (cwd and parents,
GT_TOWN_ROOT, GT_ROOT, ~/gt; none found: the user file alone). `list` and `get` layer the
settings exactly as the console and every subcommand do (defaults < user < town < `--set`).
`set` writes the user file, or the town's `settings/gt-tui.toml` with `--scope town`; it
asks on a terminal (refused without `--yes` off one) and runs as the guarded `config.set`
action: refused under --read-only and --wall, one audit line either way.
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
from gt_tui.local_actions import LocalActions, cli_read_only, confirm_change
from gt_tui.modes import parse_overrides
from gt_tui.setting_table import SETTINGS, SettingSpec, spec_for
from gt_tui.settings import Settings, load_settings, town_config_path, user_config_path
from gt_tui.subcommands import Subparsers
from gt_tui.town.layout import locate_town

_COLUMNS = ("name", "value", "default", "source", "description")
SCOPES = ("user", "town")
_TOWN_HELP = "town root (default: found as every command finds it)"


def add_config_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `config list|get|set` (its `run` is `run_config`); returns `config`."""
    parser = subparsers.add_parser(
        "config", help="show or change settings", description="Show or change gt-tui settings."
    )
    _town_option(parser)
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("list", help="every setting: value, default, source")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    get = actions.add_parser("get", help="print one setting's value (as every command uses it)")
    get.add_argument("key", metavar="KEY", help="a setting's dotted name (see `config list`)")
    put = actions.add_parser("set", help="validate one value and save it")
    put.add_argument("key", metavar="KEY", help="a setting's dotted name (see `config list`)")
    put.add_argument("value", metavar="VALUE", help="its new value (durations 10m, sizes 256MB)")
    put.add_argument(
        "--scope",
        choices=SCOPES,
        default="user",
        help="write the user file (default) or the town's settings/gt-tui.toml",
    )
    put.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for action in (show, get, put):
        _town_option(action)
    parser.set_defaults(run=run_config)
    return parser


def _town_option(parser: argparse.ArgumentParser) -> None:
    # The top-level `--town`'s dest; SUPPRESS so that, absent here, a value given earlier stands.
    parser.add_argument(
        "--town", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=_TOWN_HELP
    )


def run_config(args: argparse.Namespace) -> int:
    """Run a parsed `config` command: 0 when done, 2 with one line on stderr when refused."""
    try:
        _ACTIONS[args.config_action](args)
    except GtTuiError as err:
        print(f"gt-tui: {err}", file=sys.stderr)
        return 2
    return 0


def _town(args: argparse.Namespace, *, required: bool = False) -> Path | None:
    """The town every command would use; None when none is found and `--town` was not given."""
    explicit: Path | None = getattr(args, "town", None)
    try:
        return locate_town(explicit).root
    except TownNotFound:
        if explicit is not None or required:
            raise
        return None


def _effective(args: argparse.Namespace, town: Path | None) -> Settings:
    """What the console and the subcommands load: defaults < user < town < --set."""
    return load_settings(town_root=town, overrides=parse_overrides(getattr(args, "set", [])))


def _list(args: argparse.Namespace) -> None:
    settings = _effective(args, _town(args))
    if args.format == "json":
        print(json.dumps([_json_row(settings, spec) for spec in SETTINGS], indent=2))
    elif sys.stdout.isatty():
        Console().print(_rich_table(settings))
    else:
        print(_plain_table(settings))


def _get(args: argparse.Namespace) -> None:
    print(_effective(args, _town(args)).text(args.key))


def _set(args: argparse.Namespace) -> None:
    """Through the guarded action: refused under --read-only/--wall, audited either way."""
    read_only = cli_read_only(args)
    town = _town(args, required=args.scope == "town" and not read_only)
    town_file = args.scope == "town" and town is not None
    path = town_config_path(town) if town_file and town else user_config_path()
    label, root = (town.name, town) if town_file and town else ("(user settings)", None)
    if not read_only:  # the facade refuses (and audits) at once: nothing to ask
        name, text = _checked(args.key, args.value)
        question = f"Set {name} = {text} in {path} ({args.scope})?"
        confirm_change("config set", question, yes=args.yes)
    actions = LocalActions(label, read_only=read_only, root=root)
    result = actions.set_setting(args.key, args.value, path)
    if not result.ok:
        raise GtTuiError(result.summary)
    print(result.summary)
    _note_if_overridden(args, town, spec_for(args.key).name, args.scope)


def _checked(key: str, value: str) -> tuple[str, str]:
    """The setting's name and the value's human form; SettingError before anything is asked."""
    spec = spec_for(key)
    return spec.name, spec.format(spec.parse(value))


def _note_if_overridden(args: argparse.Namespace, town: Path | None, name: str, scope: str) -> None:
    """Say so when a later layer (the town's file, `--set`) hides the value just saved."""
    settings = _effective(args, town)
    source = settings.source(name)
    if source != scope:
        print(
            f"gt-tui: note: {name} is {settings.text(name)} for this town: "
            f"the {source} value wins over the {scope} file",
            file=sys.stderr,
        )


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
