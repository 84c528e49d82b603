"""Finding and reading a town exactly as gt does: discovery order, files, endpoint, tmux socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gt_tui.errors import MalformedFile, TownNotFound
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.layout import (
    find_town_root,
    load_town,
    resolve_endpoint,
)
from gt_tui.town.tmux import tmux_socket_name


def make_town(root: Path, name: str | None = "alpha", rigs: dict | None = None) -> Path:
    """The marker file (and rigs.json when given): the least that makes a town."""
    (root / "mayor").mkdir(parents=True)
    town = {"type": "town", "version": 2} | ({"name": name} if name else {})
    (root / "mayor" / "town.json").write_text(json.dumps(town))
    if rigs is not None:
        (root / "mayor" / "rigs.json").write_text(json.dumps({"version": 1, "rigs": rigs}))
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---- files --------------------------------------------------------------------------------


def test_rigs_prefixes_and_database_names(tmp_path: Path) -> None:
    root = make_town(
        tmp_path / "town",
        rigs={
            "gastown": {"beads": {"repo": "local", "prefix": "gt-"}},
            "beads": {"beads": {"prefix": "bd"}},
            "plain": {"git_url": "x"},
        },
    )
    write(root / ".beads" / "metadata.json", json.dumps({"dolt_database": "town_hq"}))
    write(root / "gastown/mayor/rig/.beads/metadata.json", json.dumps({"dolt_database": "gtdb"}))
    town = load_town(root, {})
    assert town.name == "alpha"
    assert town.hq_database == "town_hq"
    assert [(r.name, r.prefix, r.database) for r in town.rigs] == [
        ("beads", "bd", "beads"),
        ("gastown", "gt", "gtdb"),
        ("plain", "gt", "plain"),  # no beads.prefix: gt's default session prefix
    ]
    assert town.databases == ("town_hq", "beads", "gtdb", "plain")
    assert town.rig("gastown").session_name("Toast") == "gt-Toast"
    assert town.rig("plain").session_name("Rex") == "gt-Rex"  # not plain-Rex
    assert town.rig_by_prefix("gt-") == town.rig("gastown")
    assert not town.is_sqlite


def test_defaults_without_metadata_or_rigs(tmp_path: Path) -> None:
    town = load_town(make_town(tmp_path / "bare", name=None), {})
    assert (town.name, town.hq_database, town.rigs) == ("bare", "hq", ())
    assert town.endpoint == Endpoint("127.0.0.1", 3307, "root", "")


@pytest.mark.parametrize(
    ("relative", "text", "reason"),
    [
        ("mayor/town.json", "{not json", "not valid JSON"),
        ("mayor/town.json", "[1, 2]", "expected a JSON object"),
        ("mayor/rigs.json", '{"rigs": ', "not valid JSON"),
        ("mayor/rigs.json", '{"rigs": [1]}', "'rigs' must be an object"),
        ("mayor/rigs.json", '{"rigs": {"gastown": 3}}', "rig 'gastown' must be an object"),
        ("mayor/rigs.json", '{"rigs": {"gastown": {"beads": "gt"}}}', "'beads' must be an object"),
        (".beads/metadata.json", "nope", "not valid JSON"),
        ("gastown/mayor/rig/.beads/metadata.json", '"a string"', "expected a JSON object"),
        ("mayor/daemon.json", "{", "not valid JSON"),
    ],
)
def test_malformed_file_names_path_and_reason(
    tmp_path: Path, relative: str, text: str, reason: str
) -> None:
    root = make_town(tmp_path / "town", rigs={"gastown": {"beads": {"prefix": "gt-"}}})
    path = write(root / relative, text)
    with pytest.raises(MalformedFile) as caught:
        load_town(root, {})
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_file_that_is_not_utf8_is_malformed(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town")
    path = root / "mayor" / "rigs.json"
    path.write_bytes(b'{"rigs": {"\xff": {}}}')
    with pytest.raises(MalformedFile) as caught:
        load_town(root, {})
    assert caught.value.path == path and "not valid JSON" in caught.value.reason


def test_a_directory_named_town_json_is_no_town(tmp_path: Path) -> None:
    (tmp_path / "town" / "mayor" / "town.json").mkdir(parents=True)
    with pytest.raises(TownNotFound):
        find_town_root(tmp_path / "town", {}, tmp_path)


def test_sqlite_backend_files_from_metadata(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town", rigs={"gastown": {"beads": {"prefix": "gt"}}})
    meta = {"backend": "sqlite", "dolt_database": "hq", "sqlite_path": "db/hq.sqlite"}
    write(root / ".beads/metadata.json", json.dumps(meta))
    rig_meta = {"backend": "sqlite", "dolt_database": "gastown", "sqlite_path": "db/gt.sqlite"}
    write(root / "gastown/mayor/rig/.beads/metadata.json", json.dumps(rig_meta))
    town = load_town(root, {})
    assert town.is_sqlite
    assert town.sqlite_files == (("hq", root / "db/hq.sqlite"), ("gastown", root / "db/gt.sqlite"))
    del rig_meta["sqlite_path"]
    path = write(root / "gastown/mayor/rig/.beads/metadata.json", json.dumps(rig_meta))
    with pytest.raises(MalformedFile) as caught:
        load_town(root, {})
    assert caught.value.path == path and "sqlite_path" in caught.value.reason


# ---- the Dolt endpoint --------------------------------------------------------------------

CONFIG_YAML = """# Managed by Gas Town
log_level: warning
metrics:
  port: 9999
  host: 10.9.9.9
listener:
  port: {port}
  host: {host}
  max_connections: 1000
data_dir: "/x"
"""


def endpoint_town(root: Path, yaml_port: int | None, daemon_port: str | None) -> Path:
    make_town(root)
    if yaml_port is not None:
        write(root / ".dolt-data/config.yaml", CONFIG_YAML.format(port=yaml_port, host="10.0.0.5"))
    if daemon_port is not None:
        env = {"GT_DOLT_PORT": daemon_port, "GT_DOLT_HOST": "10.0.0.7"}
        write(root / "mayor/daemon.json", json.dumps({"type": "daemon-patrol-config", "env": env}))
    return root


@pytest.mark.parametrize(
    ("yaml_port", "env_port", "daemon_port", "expected"),
    [
        (4001, "4002", "4003", 4001),  # config.yaml first
        (None, "4002", "4003", 4002),  # then GT_DOLT_PORT
        (None, None, "4003", 4003),  # then mayor/daemon.json env
        (None, None, None, 3307),  # then gt's default
    ],
)
def test_port_precedence(
    tmp_path: Path, yaml_port: int | None, env_port: str | None, daemon_port: str | None, expected
) -> None:
    root = endpoint_town(tmp_path / "town", yaml_port, daemon_port)
    env = {"GT_DOLT_PORT": env_port} if env_port else {}
    assert resolve_endpoint(root, env).port == expected


def test_host_user_password(tmp_path: Path) -> None:
    root = endpoint_town(tmp_path / "yaml", 4001, None)
    env = {"GT_DOLT_HOST": "10.0.0.6", "GT_DOLT_USER": "bob", "GT_DOLT_PASSWORD": "pw-77"}
    assert resolve_endpoint(root, env) == Endpoint("10.0.0.5", 4001, "bob", "pw-77")
    bare = endpoint_town(tmp_path / "bare", None, None)
    assert resolve_endpoint(bare, env).host == "10.0.0.6"
    assert resolve_endpoint(bare, {}) == Endpoint("127.0.0.1", 3307, "root", "")


def test_quoted_port_and_wildcard_host(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town")
    write(root / ".dolt-data/config.yaml", CONFIG_YAML.format(port='"4010"', host="0.0.0.0"))
    assert resolve_endpoint(root, {}) == Endpoint("127.0.0.1", 4010, "root", "")


def test_port_with_a_trailing_comment(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town")
    text = "listener:\n  port: 36306  # x\n  host: 10.0.0.9 # the server\n"
    write(root / ".dolt-data/config.yaml", text)
    assert resolve_endpoint(root, {}) == Endpoint("10.0.0.9", 36306, "root", "")


def test_ignore_config_skips_config_yaml(tmp_path: Path) -> None:
    root = endpoint_town(tmp_path / "town", 4001, "4003")
    env = {"GT_DOLT_IGNORE_CONFIG": "1", "GT_DOLT_PORT": "4002"}
    assert resolve_endpoint(root, env) == Endpoint("10.0.0.7", 4002, "root", "")  # host: daemon
    del env["GT_DOLT_PORT"]
    assert resolve_endpoint(root, env) == Endpoint("10.0.0.7", 4003, "root", "")  # daemon.json
    for value in ("", "0", "true"):  # gt takes only "1"
        assert resolve_endpoint(root, {"GT_DOLT_IGNORE_CONFIG": value}).port == 4001


@pytest.mark.parametrize(
    "text",
    [
        "listener:\n  port: [4001\n",  # not valid YAML
        "listener: 4001\n",  # listener not a mapping
        "- listener\n- port\n",  # not a mapping at all
        "listener:\n  port: many\n",
        "listener:\n  port: 99999\n",
        "listener:\n  port: true\n",
        "",
    ],
)
def test_unreadable_config_yaml_counts_as_absent(tmp_path: Path, text: str) -> None:
    # As gt's readPortFromConfigYAML: the next source decides, no error.
    root = make_town(tmp_path / "town")
    write(root / ".dolt-data/config.yaml", text)
    assert resolve_endpoint(root, {"GT_DOLT_PORT": "4002"}).port == 4002
    assert resolve_endpoint(root, {}).port == 3307


def test_config_yaml_that_is_not_utf8_counts_as_absent(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town")
    path = root / ".dolt-data" / "config.yaml"
    path.parent.mkdir()
    path.write_bytes(b"listener:\n  port: 4001 # \xff\n")
    assert resolve_endpoint(root, {}).port == 3307


def test_bad_port_variable_is_refused(tmp_path: Path) -> None:
    root = make_town(tmp_path / "town")
    with pytest.raises(MalformedFile) as caught:
        resolve_endpoint(root, {"GT_DOLT_PORT": "70000"})
    assert str(caught.value) == "GT_DOLT_PORT: not a TCP port: '70000'"


def test_password_never_in_str_or_repr(tmp_path: Path) -> None:
    root = endpoint_town(tmp_path / "town", 4001, None)
    town = load_town(root, {"GT_DOLT_PASSWORD": "hunter2-secret", "GT_DOLT_USER": "ann"})
    assert town.endpoint.password == "hunter2-secret"
    assert str(town.endpoint) == "ann@10.0.0.5:4001"
    for text in (str(town.endpoint), repr(town.endpoint), repr(town), str(town)):
        assert "hunter2-secret" not in text


# ---- the tmux socket ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/nonexistent/gt", "gt-afc583"),
        ("/nonexistent/My Town_1", "my-town-1-db09b7"),
        ("/nonexistent/___", "default-5c3615"),
    ],
)
def test_socket_name_derived_as_gt_does(path: str, expected: str) -> None:
    # sanitize(basename) + "-" + the first 6 hex digits of sha256(canonical path)
    assert tmux_socket_name(Path(path), {}) == expected


def test_socket_hash_is_of_the_canonical_path(tmp_path: Path) -> None:
    real = tmp_path / "real" / "gt"
    real.mkdir(parents=True)
    (tmp_path / "gt").symlink_to(real)
    via_link, direct = tmux_socket_name(tmp_path / "gt", {}), tmux_socket_name(real, {})
    assert via_link == direct  # both basenames are "gt"; the hash follows the symlink


@pytest.mark.parametrize("value", ["", "default", "auto"])
def test_socket_override_values_that_mean_derive(value: str) -> None:
    assert tmux_socket_name(Path("/nonexistent/gt"), {"GT_TMUX_SOCKET": value}) == "gt-afc583"


def test_socket_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert tmux_socket_name(Path("/nonexistent/gt"), {"GT_TMUX_SOCKET": "mine"}) == "mine"
    monkeypatch.setenv("GT_TMUX_SOCKET", "from-env")
    assert tmux_socket_name(Path("/nonexistent/gt")) == "from-env"
    root = make_town(tmp_path / "town")
    assert load_town(root, {"GT_TMUX_SOCKET": "given"}).tmux_socket == "given"
    assert load_town(root).tmux_socket == "from-env"


@pytest.mark.parametrize(
    ("metadata", "env", "expected"),
    [
        ({}, {}, False),
        ({"dolt_server_tls": True}, {}, True),
        ({"dolt_server_tls": False}, {"BEADS_DOLT_SERVER_TLS": "true"}, True),
        ({}, {"BEADS_DOLT_SERVER_TLS": "0"}, False),
    ],
)
def test_tls_is_off_unless_configured(tmp_path, metadata, env, expected):
    root = tmp_path / "town"
    (root / "mayor").mkdir(parents=True)
    (root / "mayor" / "town.json").write_text('{"name": "t"}')
    (root / ".beads").mkdir()
    (root / ".beads" / "metadata.json").write_text(json.dumps({"dolt_database": "hq", **metadata}))
    assert load_town(root, env).endpoint.tls is expected
