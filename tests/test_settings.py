"""Settings: the spec's defaults, parsing, refusals, TOML layers, and the `config` CLI."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gt_tui.config_cli import add_config_parser, run_config
from gt_tui.errors import MalformedFile, SettingError
from gt_tui.health import METRICS, Threshold
from gt_tui.setting_table import SETTINGS, SPEC_BY_NAME
from gt_tui.settings import (
    Settings,
    load_settings,
    save_setting,
    thresholds,
    town_config_path,
    user_config_path,
)
from gt_tui.town.pool import PoolLimits

GB, MB = 10**9, 10**6

# Every tunable the guide names, with its default as the typed value `get` returns.
SPEC_DEFAULTS = {
    "dolt.max_open_conns": 25,
    "dolt.max_idle_conns": 5,
    "dolt.conn_max_lifetime": 3600.0,
    "dolt.conn_max_idle_time": 600.0,
    "polecat.max_concurrent": 10,
    "bd.max_concurrent": 10,
    "sling.max_concurrent": 5,
    "rate.requests_per_second": 100.0,
    "rate.burst_size": 50,
    "sling.queue_size": 100,
    "cache.enabled": True,
    "cache.memory_size": 256 * MB,
    "cache.ttl": 300.0,
    "cache.l1_size": 1000,
    "cache.l2_ttl": 900.0,
    "cache.l2_size": 10_000,
    "tmux.max_sessions": 50,
    "tmux.history_limit": 1000,
    "tmux.status_interval": 5,
    "tmux.monitor_activity": False,
    "sling.parallelism": 3,
    "polecat.max_memory": 4 * GB,
    "polecat.max_cpu": 2.0,
    "pool.size": 10,
    "refinery.queue_size": 20,
    "refinery.parallelism": 3,
    "autotune.enabled": False,
    "autotune.interval": 3600.0,
    "autotune.scope": ("dolt", "cache", "concurrency"),
    "polecat.max_per_rig": 20,
    "rig.memory": 16 * GB,
    "rig.cpu": 8.0,
    "ui.refresh_interval": 2.0,
    "metrics.window": 900.0,
    "metrics.dolt_probes": 60,
    "history.retention": 604800.0,
}


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own XDG_CONFIG_HOME; the real ~/.config is never touched."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(call, *args) -> str:
    with pytest.raises(SettingError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- defaults


def test_every_spec_setting_has_its_default() -> None:
    settings = Settings.defaults()
    for name, default in SPEC_DEFAULTS.items():
        assert settings.get(name) == default, name
        assert type(settings[name]) is type(default), name
        assert settings.source(name) == "default"


def test_the_table_holds_the_spec_settings_and_the_thresholds_only() -> None:
    threshold_names = {
        f"threshold.{m.key}.{level}" for m in METRICS for level in ("warning", "danger")
    }
    assert set(SPEC_BY_NAME) == set(SPEC_DEFAULTS) | threshold_names
    assert len(SETTINGS) == len(SPEC_BY_NAME)


def test_threshold_defaults_come_from_health_metrics() -> None:
    settings = Settings.defaults()
    for metric in METRICS:
        assert settings[f"threshold.{metric.key}.warning"] == metric.threshold.warning
        assert settings[f"threshold.{metric.key}.danger"] == metric.threshold.danger


@pytest.mark.parametrize("spec", SETTINGS, ids=lambda spec: spec.name)
def test_every_default_is_valid_and_round_trips_through_text_and_toml(spec) -> None:
    assert spec.parse(spec.format(spec.default)) == spec.default
    assert spec.parse(spec.to_toml(spec.default)) == spec.default
    assert spec.description and spec.section in {*map(str, range(1, 11)), "console"}


def test_defaults_show_in_human_form() -> None:
    settings = Settings.defaults()
    shown = {
        "dolt.conn_max_lifetime": "1h",
        "dolt.conn_max_idle_time": "10m",
        "cache.memory_size": "256MB",
        "polecat.max_memory": "4GB",
        "rig.memory": "16GB",
        "cache.enabled": "true",
        "cache.ttl": "5m",
        "autotune.scope": "dolt,cache,concurrency",
        "ui.refresh_interval": "2",
    }
    assert {name: settings.text(name) for name in shown} == shown


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("1h", 3600.0),
        ("10m", 600.0),
        ("30s", 30.0),
        ("1h30m", 5400.0),
        ("300", 300.0),
        ("2.5", 2.5),
        ("1.5h", 5400.0),
        ("1m500ms", 60.5),
        (" 2H ", 7200.0),
        (90, 90.0),
    ],
)
def test_durations_parse_to_float_seconds(raw: object, seconds: float) -> None:
    value = SPEC_BY_NAME["dolt.conn_max_lifetime"].parse(raw)
    assert value == seconds and isinstance(value, float)


@pytest.mark.parametrize(
    ("seconds", "text"), [(3600.0, "1h"), (5400.0, "1h30m"), (90.0, "1m30s"), (0.5, "500ms")]
)
def test_durations_show_in_human_form(seconds: float, text: str) -> None:
    assert SPEC_BY_NAME["dolt.conn_max_lifetime"].format(seconds) == text


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        ("256MB", 256 * MB),
        ("4GB", 4 * GB),
        ("512KiB", 512 * 1024),
        ("512MiB", 512 * 2**20),
        ("1.5GB", 1_500_000_000),
        ("4 gb", 4 * GB),
        ("1048576", 1_048_576),
        (1_048_576, 1_048_576),
    ],
)
def test_sizes_parse_to_int_bytes(raw: object, size: int) -> None:
    value = SPEC_BY_NAME["cache.memory_size"].parse(raw)
    assert value == size and isinstance(value, int)


@pytest.mark.parametrize(
    ("size", "text"),
    [(256 * MB, "256MB"), (512 * 1024, "512KiB"), (2**30, "1GiB"), (1001, "1001B")],
)
def test_sizes_show_in_the_largest_exact_unit(size: int, text: str) -> None:
    assert SPEC_BY_NAME["cache.memory_size"].format(size) == text


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("cache.enabled", "off", False),
        ("cache.enabled", "YES", True),
        ("dolt.max_open_conns", " 40 ", 40),
        ("rate.requests_per_second", "12.5", 12.5),
        ("autotune.scope", "cache, dolt,cache", ("cache", "dolt")),
        ("autotune.scope", ["concurrency"], ("concurrency",)),
    ],
)
def test_other_kinds_parse(name: str, raw: object, value: object) -> None:
    assert SPEC_BY_NAME[name].parse(raw) == value


# ---------------------------------------------------------------- refusals


def test_a_bad_integer_is_refused_with_key_value_and_what_is_allowed() -> None:
    message = refusal(Settings.defaults().with_value, "dolt.max_open_conns", "abc")
    assert message == "dolt.max_open_conns: 'abc' is not allowed (an integer from 1 to 1000)"


@pytest.mark.parametrize(
    ("name", "raw", "allowed"),
    [
        ("dolt.max_open_conns", "0", "an integer from 1 to 1000"),
        ("dolt.max_open_conns", "2.5", "an integer from 1 to 1000"),
        ("dolt.max_open_conns", True, "an integer from 1 to 1000"),
        ("ui.refresh_interval", "0.1", "a number from 0.2 to 3600"),
        ("ui.refresh_interval", "nan", "a number from 0.2 to 3600"),
        ("cache.enabled", "maybe", "true or false"),
        ("dolt.conn_max_lifetime", "1x", "a duration from 1s to 24h"),
        ("dolt.conn_max_lifetime", "1h 30m", "a duration from 1s to 24h"),
        ("dolt.conn_max_lifetime", "-5", "a duration from 1s to 24h"),
        ("dolt.conn_max_lifetime", "500ms", "a duration from 1s to 24h"),
        ("cache.memory_size", "256 potatoes", "a size from 64KiB to 64GB"),
        ("cache.memory_size", "1.5B", "a size from 64KiB to 64GB"),
        ("autotune.scope", "dolt,disk", "a comma-separated list of one or more of dolt, cache"),
        ("autotune.scope", " , ", "a comma-separated list of one or more of dolt, cache"),
    ],
)
def test_each_kind_of_bad_value_is_refused(name: str, raw: object, allowed: str) -> None:
    message = refusal(Settings.defaults().with_value, name, raw)
    assert message.startswith(f"{name}: ") and "is not allowed (" in message
    assert allowed in message


def test_an_unknown_key_suggests_the_closest_known_one() -> None:
    settings = Settings.defaults()
    message = refusal(settings.with_value, "dolt.max_open_con", "3")
    assert message == "unknown setting 'dolt.max_open_con' (did you mean 'dolt.max_open_conns'?)"
    assert "did you mean 'cache.memory_size'" in refusal(settings.get, "cache.memory_sise")
    assert "did you mean" not in refusal(settings.get, "zzz")


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "dolt.max_idle_conns",
            "30",
            "dolt.max_idle_conns: 30 is not allowed (at most dolt.max_open_conns = 25)",
        ),
        (
            "dolt.max_open_conns",
            "3",
            "dolt.max_open_conns: 3 is not allowed (at least dolt.max_idle_conns = 5)",
        ),
        (
            "threshold.mail_lag.warning",
            "5",
            "threshold.mail_lag.warning: 5 is not allowed (below threshold.mail_lag.danger = 5)",
        ),
        (
            "threshold.dolt_latency.danger",
            "9",
            "threshold.dolt_latency.danger: 9 is not allowed "
            "(above threshold.dolt_latency.warning = 10)",
        ),
        (
            "polecat.max_memory",
            "32GB",
            "polecat.max_memory: 32GB is not allowed (at most rig.memory = 16GB)",
        ),
    ],
)
def test_cross_checks_refuse_with_one_message(name: str, raw: str, message: str) -> None:
    assert refusal(Settings.defaults().with_value, name, raw) == message


def test_a_refused_value_leaves_the_settings_as_they_were() -> None:
    settings = Settings.defaults().with_value("dolt.max_open_conns", "40")
    refusal(settings.with_value, "dolt.max_open_conns", "abc")
    assert settings["dolt.max_open_conns"] == 40
    assert settings == Settings.defaults().with_value("dolt.max_open_conns", 40)


def test_with_value_returns_a_new_object_and_the_old_one_cannot_change() -> None:
    before = Settings.defaults()
    after = before.with_value("cache.ttl", "10m")
    assert (before["cache.ttl"], after["cache.ttl"]) == (300.0, 600.0)
    assert after.source("cache.ttl") == "override"
    with pytest.raises(TypeError):
        before._values["cache.ttl"] = 1  # type: ignore[index]


# ---------------------------------------------------------------- files and layers


def test_the_user_file_follows_xdg_config_home(config_home: Path, monkeypatch) -> None:
    assert user_config_path() == config_home / "gt-tui" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(config_home.parent / "home"))
    assert user_config_path() == config_home.parent / "home" / ".config" / "gt-tui" / "config.toml"


def test_precedence_is_default_user_town_override(tmp_path: Path) -> None:
    write(
        user_config_path(),
        "[dolt]\nmax_open_conns = 30\nmax_idle_conns = 6\n[cache]\nttl = 60\n",
    )
    town = tmp_path / "town"
    write(town_config_path(town), '[dolt]\nmax_idle_conns = 7\n[cache]\nttl = "2m"\n')
    settings = load_settings(town, overrides={"cache.ttl": "3m"})
    assert (settings["dolt.max_open_conns"], settings.source("dolt.max_open_conns")) == (30, "user")
    assert (settings["dolt.max_idle_conns"], settings.source("dolt.max_idle_conns")) == (7, "town")
    assert (settings["cache.ttl"], settings.source("cache.ttl")) == (180.0, "override")
    assert (settings["rate.burst_size"], settings.source("rate.burst_size")) == (50, "default")
    assert load_settings()["dolt.max_idle_conns"] == 6  # no town given: the user file wins


def test_files_take_native_toml_types_and_nested_tables() -> None:
    write(
        user_config_path(),
        "[dolt]\nconn_max_lifetime = 5400\n[cache]\nmemory_size = 1048576\n"
        '[autotune]\nscope = ["cache"]\n[threshold.mail_lag]\nwarning = 2\n',
    )
    settings = load_settings()
    assert settings["dolt.conn_max_lifetime"] == 5400.0
    assert settings["cache.memory_size"] == 1_048_576
    assert settings["autotune.scope"] == ("cache",)
    assert settings["threshold.mail_lag.warning"] == 2.0


def test_a_bad_value_in_a_file_names_the_file_key_value_and_allowed() -> None:
    path = write(user_config_path(), '[dolt]\nmax_open_conns = "lots"\n')
    message = refusal(load_settings)
    assert (
        message == f"{path}: dolt.max_open_conns: 'lots' is not allowed (an integer from 1 to 1000)"
    )


def test_an_unknown_key_in_a_file_names_the_file_and_a_suggestion() -> None:
    path = write(user_config_path(), "[tmux]\nmax_session = 40\n")
    message = refusal(load_settings)
    assert message.startswith(f"{path}: unknown setting 'tmux.max_session'")
    assert "did you mean 'tmux.max_sessions'?" in message


def test_a_town_file_that_breaks_a_cross_check_is_blamed(tmp_path: Path) -> None:
    write(user_config_path(), "[dolt]\nmax_open_conns = 40\nmax_idle_conns = 10\n")
    town = tmp_path / "town"
    path = write(town_config_path(town), "[dolt]\nmax_open_conns = 8\n")
    message = refusal(load_settings, town)
    assert message == (
        f"{path}: dolt.max_open_conns: 8 is not allowed (at least dolt.max_idle_conns = 10)"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"[dolt\nmax_open_conns = 3\n", "not valid TOML"), (b"\xff\xfe[dolt]", "not UTF-8 text")],
)
def test_a_malformed_file_raises_malformed_file(content: bytes, reason: str) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(MalformedFile) as caught:
        load_settings()
    assert caught.value.path == path and reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}: {reason}") and "\n" not in str(caught.value)


def test_save_setting_writes_nested_toml_in_the_user_file() -> None:
    save_setting("dolt.max_open_conns", "30")
    settings = save_setting("dolt.conn_max_lifetime", "1h30m")
    document = tomllib.loads(user_config_path().read_text(encoding="utf-8"))
    assert document == {"dolt": {"max_open_conns": 30, "conn_max_lifetime": "1h30m"}}
    assert (
        settings["dolt.max_open_conns"] == 30 and settings.source("dolt.max_open_conns") == "user"
    )
    assert load_settings() == settings


def test_save_setting_can_replace_a_bad_value_already_in_the_file() -> None:
    write(user_config_path(), '[dolt]\nmax_open_conns = "lots"\n')
    assert save_setting("dolt.max_open_conns", "12")["dolt.max_open_conns"] == 12
    assert load_settings()["dolt.max_open_conns"] == 12


@pytest.mark.parametrize(
    ("name", "raw"),
    [("dolt.max_open_conns", "abc"), ("dolt.max_idle_conns", "26"), ("dolt.max_open_con", "3")],
)
def test_a_refused_save_leaves_the_file_bytes_unchanged(name: str, raw: str) -> None:
    save_setting("cache.ttl", "2m")
    path = user_config_path()
    before = path.read_bytes()
    refusal(save_setting, name, raw)
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == ["config.toml"]  # no temp file left behind


def test_a_refused_first_save_creates_no_file() -> None:
    refusal(save_setting, "cache.enabled", "perhaps")
    assert not user_config_path().exists()


def test_save_to_a_town_file_is_layered_over_the_user_file(tmp_path: Path) -> None:
    save_setting("dolt.max_open_conns", "40")
    user_bytes = user_config_path().read_bytes()
    town_file = town_config_path(tmp_path / "town")
    settings = save_setting("dolt.max_idle_conns", "30", town_file)  # fine: the user allows 40
    assert settings.source("dolt.max_idle_conns") == "town"
    assert tomllib.loads(town_file.read_text(encoding="utf-8")) == {"dolt": {"max_idle_conns": 30}}
    assert user_config_path().read_bytes() == user_bytes


# ---------------------------------------------------------------- views for other modules


def test_thresholds_map_the_settings_onto_health_thresholds() -> None:
    assert thresholds(Settings.defaults()) == {m.key: m.threshold for m in METRICS}
    tuned = Settings.defaults().with_value("threshold.mail_lag.warning", "2")
    assert thresholds(tuned)["mail_lag"] == Threshold(2.0, 5.0)
    assert thresholds(tuned)["mail_lag"].judge(1.5).value == "healthy"


def test_pool_limits_map_the_four_dolt_settings() -> None:
    assert PoolLimits.from_settings(Settings.defaults()) == PoolLimits(25, 5, 3600.0, 600.0)
    tuned = load_settings(overrides={"dolt.max_open_conns": "8", "dolt.conn_max_idle_time": "30s"})
    limits = PoolLimits.from_settings(tuned)
    assert (limits.max_open, limits.max_idle, limits.max_idle_time) == (8, 5, 30.0)


# ---------------------------------------------------------------- the config CLI


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gt-tui")
    add_config_parser(parser.add_subparsers(dest="command"))
    return run_config(parser.parse_args(argv))


def test_cli_set_get_list_round_trip(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["config", "set", "cache.memory_size", "512MiB", "--yes"]) == 0
    assert "cache.memory_size = 512MiB" in capsys.readouterr().out
    assert run(["config", "get", "cache.memory_size"]) == 0
    assert capsys.readouterr().out == "512MiB\n"
    assert run(["config", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "VALUE", "DEFAULT", "SOURCE", "DESCRIPTION"]
    row = next(line for line in lines if line.startswith("cache.memory_size "))
    assert row.split()[:4] == ["cache.memory_size", "512MiB", "256MB", "user"]
    assert len({line.index(" 512MiB") for line in lines if "512MiB" in line}) == 1


def test_cli_list_json_gives_typed_values(capsys: pytest.CaptureFixture[str]) -> None:
    save_setting("autotune.scope", "cache")
    assert run(["config", "list", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(SPEC_BY_NAME)
    assert rows["dolt.conn_max_lifetime"]["value"] == 3600.0
    assert rows["dolt.conn_max_lifetime"]["text"] == "1h"
    assert rows["autotune.scope"]["value"] == ["cache"]
    assert rows["autotune.scope"]["source"] == "user"
    assert rows["threshold.dolt_latency.warning"]["section"] == "1"


def test_cli_list_is_a_rich_table_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert run(["config", "list"]) == 0
    out = capsys.readouterr().out
    assert "gt-tui settings" in out and "┏" in out


def test_cli_refuses_a_bad_value_with_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["config", "set", "dolt.max_open_conns", "30", "--yes"]) == 0
    before = user_config_path().read_bytes()
    capsys.readouterr()
    assert run(["config", "set", "dolt.max_open_conns", "abc", "--yes"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "gt-tui: dolt.max_open_conns: 'abc' is not allowed (an integer from 1 to 1000)\n"
    )
    assert user_config_path().read_bytes() == before


def test_cli_get_of_an_unknown_key_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["config", "get", "tmux.max_sesions"]) == 2
    assert "did you mean 'tmux.max_sessions'?" in capsys.readouterr().err


def test_cli_reports_a_malformed_file_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    write(user_config_path(), "not = [toml\n")
    assert run(["config", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gt-tui: {user_config_path()}: not valid TOML") and err.count("\n") == 1


def test_cli_set_with_town_writes_the_town_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    town = tmp_path / "town"
    write(town / "mayor" / "town.json", "{}")
    argv = ["config", "set", "tmux.max_sessions", "80", "--town", str(town), "--scope", "town"]
    assert run([*argv, "--yes"]) == 0
    assert tomllib.loads(town_config_path(town).read_text())["tmux"]["max_sessions"] == 80
    assert not user_config_path().exists()
    capsys.readouterr()
    assert run(["config", "get", "tmux.max_sessions", "--town", str(town)]) == 0
    assert run(["config", "get", "tmux.max_sessions"]) == 0
    assert capsys.readouterr().out == "80\n50\n"


def test_cli_set_with_a_missing_town_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["config", "set", "tmux.max_sessions", "80", "--town", str(tmp_path / "nope")]
    assert run([*argv, "--yes"]) == 2
    assert capsys.readouterr().err.startswith("gt-tui: ")
    assert not (tmp_path / "nope").exists()


def test_the_config_cli_does_not_import_textual() -> None:
    code = "import sys, gt_tui.config_cli; print('textual' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
