"""The console's settings: one immutable object of typed values, layered from files and flags.

Values come in layers, later ones winning: defaults < user file < town file < overrides
(e.g. CLI flags). The user file is `$XDG_CONFIG_HOME/gt-tui/config.toml`; a town may
override it in `<town>/settings/gt-tui.toml` (the format: `gt_tui.setting_files`). A bad
value is refused with one line naming the key, the value and what is allowed, and nothing
changes. Durations are float seconds ("1h30m", "300"); sizes are int bytes ("256MB" = 256 *
1000**2, "512KiB" = 512 * 1024). The table of every setting is `gt_tui.setting_table`.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from gt_tui.errors import SettingError
from gt_tui.health import METRICS, Threshold
from gt_tui.setting_files import read_file, write_file
from gt_tui.setting_table import SETTINGS, SPEC_BY_NAME, SettingSpec, cross_check, spec_for
from gt_tui.setting_values import Value
from gt_tui.xdg import config_dir

# ---------------------------------------------------------------- the settings object


class Settings(Mapping[str, Value]):
    """An immutable set of typed values, one per SETTINGS entry, with where each came from.

    Nothing in it ever changes after construction, so any thread may read it without a
    lock; `with_value` returns a new object. Build one with `load_settings()` or
    `Settings.defaults()`. Read a value with a typed getter (`integer`, `number`, `flag`,
    `string`, `names`) or `settings[key]`; an unknown key is a SettingError, in `get` too
    (a misspelt name never quietly reads as the default).
    """

    __slots__ = ("_sources", "_values")

    def __init__(self, values: Mapping[str, Value], sources: Mapping[str, str]) -> None:
        self._values: Mapping[str, Value] = MappingProxyType(dict(values))
        self._sources: Mapping[str, str] = MappingProxyType(dict(sources))

    @classmethod
    def defaults(cls) -> Settings:
        """Every setting at its default."""
        return cls({s.name: s.default for s in SETTINGS}, dict.fromkeys(SPEC_BY_NAME, "default"))

    def __getitem__(self, key: str) -> Value:
        """The typed value of a setting (int, float seconds, int bytes, bool, str, tuple);
        SettingError naming the closest known setting for an unknown key."""
        return self._values[spec_for(key).name]

    # Typed reads for the consumers' configs: the table fixes each setting's kind, so a
    # mismatch here is a programming error (a setting read as the wrong kind), said in one line.

    def integer(self, key: str) -> int:
        """An int setting (counts, sizes in bytes)."""
        value = self[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"{key} is not an integer setting")
        return value

    def number(self, key: str) -> float:
        """A numeric setting as float (durations in seconds, thresholds, rates)."""
        value = self[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(f"{key} is not a numeric setting")
        return float(value)

    def flag(self, key: str) -> bool:
        """A boolean setting."""
        value = self[key]
        if not isinstance(value, bool):
            raise SettingError(f"{key} is not a boolean setting")
        return value

    def string(self, key: str) -> str:
        """A string setting (a choice or a name)."""
        value = self[key]
        if not isinstance(value, str):
            raise SettingError(f"{key} is not a string setting")
        return value

    def names(self, key: str) -> tuple[str, ...]:
        """A list setting, as a tuple of its names."""
        value = self[key]
        if not isinstance(value, tuple):
            raise SettingError(f"{key} is not a list setting")
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return self._values == other._values and self._sources == other._sources

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if self._sources[k] != "default"}
        return f"Settings({changed!r})"

    def items(self) -> ItemsView[str, Value]:
        """(name, value) pairs in table order."""
        return self._values.items()

    def source(self, key: str) -> str:
        """Where a value came from: "default", "user", "town" or "override"."""
        return self._sources[spec_for(key).name]

    def text(self, key: str) -> str:
        """The human form of a setting's value ("1h", "256MB")."""
        return spec_for(key).format(self[key])

    def with_value(self, key: str, raw: object, source: str = "override") -> Settings:
        """A copy with one setting changed; SettingError (and no copy) for a bad value."""
        return _layer(self, {key: raw}, source)


def _layer(base: Settings, raw: Mapping[str, object], source: str, where: str = "") -> Settings:
    """`base` with `raw` values on top; every value and cross-check validated first."""
    try:
        parsed = {name: spec.parse(value) for name, spec, value in _specs_of(raw)}
        values = {**base._values, **parsed}
        cross_check(values, set(parsed))
    except SettingError as err:
        if where:
            raise SettingError(f"{where}: {err}") from None
        raise
    return Settings(values, {**base._sources, **dict.fromkeys(parsed, source)})


def _specs_of(raw: Mapping[str, object]) -> Iterator[tuple[str, SettingSpec, object]]:
    for key, value in raw.items():
        spec = spec_for(key)
        yield spec.name, spec, value


# ---------------------------------------------------------------- files and layers


def user_config_path() -> Path:
    """`$XDG_CONFIG_HOME/gt-tui/config.toml`, or ~/.config/... when unset or relative."""
    return config_dir() / "config.toml"


def town_config_path(town_root: Path) -> Path:
    """Where a town overrides the user's settings."""
    return Path(town_root) / "settings" / "gt-tui.toml"


def _with_file(base: Settings, path: Path, source: str) -> Settings:
    return _layer(base, read_file(path), source, str(path))


def load_settings(
    town_root: Path | None = None, overrides: Mapping[str, str] | None = None
) -> Settings:
    """Defaults < user file < town file (when `town_root` is given) < `overrides`."""
    settings = _with_file(Settings.defaults(), user_config_path(), "user")
    if town_root is not None:
        settings = _with_file(settings, town_config_path(town_root), "town")
    return _layer(settings, overrides or {}, "override")


def save_setting(key: str, raw: object, path: Path | None = None) -> Settings:
    """Validate one value, then write it into a settings file atomically.

    `path` defaults to the user file. Any other path is treated as a town file and
    validated on top of the user file. Returns the settings that file chain now gives.
    Nothing is written when the value (or the rest of that file) is refused.
    """
    user = user_config_path().absolute()
    target = Path(path).absolute() if path is not None else user
    source = "user" if target == user else "town"
    base = (
        Settings.defaults() if source == "user" else _with_file(Settings.defaults(), user, "user")
    )
    name = spec_for(key).name
    kept = {k: v for k, v in read_file(target).items() if k != name}
    updated = _layer(base, kept, source, str(target)).with_value(name, raw, source)
    names = [*kept, name]
    write_file(target, {n: updated[n] for n in names})
    return updated


# ---------------------------------------------------------------- views for other modules


def thresholds(settings: Settings) -> dict[str, Threshold]:
    """The five metrics' thresholds by metric key, as configured."""
    return {
        m.key: Threshold(
            settings.number(f"threshold.{m.key}.warning"),
            settings.number(f"threshold.{m.key}.danger"),
        )
        for m in METRICS
    }
