"""Settings files: TOML with one table per dotted prefix (`[dolt]` then `max_open_conns = 25`).

`read_file` gives the raw values of a file by dotted name, for `gt_tui.settings` to validate;
`write_file` writes typed values back whole (durations and sizes in their human form).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from gt_tui.errors import GtTuiError, MalformedFile
from gt_tui.files import read_regular_text, write_atomically
from gt_tui.safe_text import safe_data
from gt_tui.setting_table import SETTINGS, SPEC_BY_NAME
from gt_tui.setting_values import Value

_HEADER = "# gt-tui settings (see `gt-tui config list`); rewritten by `gt-tui config set`.\n\n"


def read_file(path: Path) -> dict[str, object]:
    """The raw values in a settings file by dotted name ({} when there is no file); keys and
    text made safe to show, as a bad one is quoted in the error."""
    try:
        text = read_regular_text(Path(path))
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise MalformedFile(path, "not UTF-8 text") from None
    except OSError as err:
        raise MalformedFile(path, err.strerror or str(err)) from None
    try:
        raw = dict(_flatten(tomllib.loads(text)))
    except tomllib.TOMLDecodeError as err:
        raise MalformedFile(path, f"not valid TOML ({err})") from None
    except RecursionError:
        raise MalformedFile(path, "not valid TOML (nested too deeply)") from None
    safe: dict[str, object] = safe_data(raw)
    return safe


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in SPEC_BY_NAME:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def write_file(path: Path, values: Mapping[str, Value]) -> None:
    """Write the file whole (readers never see half of it), or one line saying why not."""
    try:
        write_atomically(path, _to_toml(values), durable=True)
    except OSError as err:
        raise GtTuiError(f"cannot write {path}: {err.strerror or err}") from None


def _to_toml(values: Mapping[str, Value]) -> str:
    document: dict[str, Any] = {}
    for spec in SETTINGS:
        if spec.name in values:
            *tables, leaf = spec.name.split(".")
            table = document
            for part in tables:
                table = table.setdefault(part, {})
            table[leaf] = spec.to_toml(values[spec.name])
    return _HEADER + tomli_w.dumps(document)
