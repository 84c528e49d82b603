"""`gt-tui config`: one town wherever `--town` stands, the layering every command uses, and
`set` as a guarded change (asks, `--yes`, read-only refusal, `--scope`, an audit line)."""

from __future__ import annotations

import io
import json
import sys
import tomllib
from pathlib import Path

import pytest
from towns import build_town

from gt_tui.cli import build_parser, main
from gt_tui.engine.audit import AuditLog
from gt_tui.modes import engine_session
from gt_tui.settings import town_config_path, user_config_path

KEY = "dolt.max_open_conns"


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private config home and HOME, no GT_* town variables, cwd outside any town."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("GT_TOWN_ROOT", "GT_ROOT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")


@pytest.fixture
def town(tmp_path: Path) -> Path:
    built = build_town(tmp_path / "town", "sqlite")
    built.close()
    return built.root


def gt(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def audit() -> list[dict[str, object]]:
    return AuditLog().entries()


def test_town_placed_anywhere_and_cwd_give_the_same_answer(
    town: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    town_config_path(town).write_text("[dolt]\nmax_open_conns = 30\n")
    places = [
        ["--town", str(town), "config", "get", KEY],
        ["config", "--town", str(town), "get", KEY],
        ["config", "get", "--town", str(town), KEY],
        ["config", "get", KEY, "--town", str(town)],
    ]
    answers = {gt(capsys, *argv)[:2] for argv in places}
    assert answers == {(0, "30\n")}
    assert gt(capsys, "config", "get", KEY)[:2] == (0, "25\n")  # no town here: the user file
    monkeypatch.chdir(town / "mayor")  # inside the town: found as gt finds it
    assert gt(capsys, "config", "get", KEY)[:2] == (0, "30\n")
    code, out, _ = gt(capsys, "config", "list", "--format", "json")
    row = next(r for r in json.loads(out) if r["name"] == KEY)
    assert (code, row["value"], row["source"]) == (0, 30, "town")


def test_a_directory_that_is_no_town_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = gt(capsys, "--town", str(tmp_path), "config", "get", KEY)
    assert (code, out) == (2, "") and "no Gas Town found" in err and err.count("\n") == 1


def test_get_reports_what_the_engine_then_uses(
    town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt(capsys, "config", "set", KEY, "40", "--yes")
    town_config_path(town).write_text("[dolt]\nmax_idle_conns = 3\n")
    argv = ["--town", str(town), "--set", "tmux.max_sessions=70"]
    for key in (KEY, "dolt.max_idle_conns", "tmux.max_sessions", "cache.memory_size"):
        code, out, _ = gt(capsys, *argv, "config", "get", key)
        args = build_parser().parse_args(argv)
        with engine_session(args, read_only=True) as engine:
            assert (code, out) == (0, engine.settings.text(key) + "\n")
    assert gt(capsys, *argv, "config", "get", "tmux.max_sessions")[1] == "70\n"


def test_set_writes_the_user_file_unless_town_scope_is_asked(
    town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = gt(capsys, "--town", str(town), "config", "set", KEY, "30", "--yes")
    assert code == 0 and out == f"set {KEY} = 30 in {user_config_path()} (user)\n"
    assert not town_config_path(town).exists()
    code, out, _ = gt(capsys, "config", "--town", str(town), "set", KEY, "35", "--scope", "town",
                      "--yes")  # fmt: skip
    assert code == 0 and out == f"set {KEY} = 35 in {town_config_path(town)} (town)\n"
    assert tomllib.loads(town_config_path(town).read_text())["dolt"]["max_open_conns"] == 35
    assert tomllib.loads(user_config_path().read_text())["dolt"]["max_open_conns"] == 30
    code, _, err = gt(capsys, "--town", str(town), "config", "set", KEY, "20", "--yes")
    assert code == 0 and "35 for this town: the town value wins" in err


def test_town_scope_without_a_town_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gt(capsys, "config", "set", KEY, "30", "--scope", "town", "--yes")
    assert code == 2 and "no Gas Town found" in err and not user_config_path().exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 2), ("\n", 2)])
def test_set_asks_on_a_terminal(
    answer: str, code: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    done, _, err = gt(capsys, "config", "set", KEY, "30")
    assert done == code
    assert f"Set {KEY} = 30 in {user_config_path()} (user)? [y/N]" in err
    assert user_config_path().exists() == (code == 0)


def test_set_off_a_terminal_needs_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, _, err = gt(capsys, "config", "set", KEY, "30")
    assert (
        code == 2 and err == "gt-tui: config set: refused without --yes (stdin is not a terminal)\n"
    )
    assert not user_config_path().exists()


def test_a_bad_value_is_refused_before_anything_is_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    code, _, err = gt(capsys, "config", "set", KEY, "abc")
    assert code == 2 and "[y/N]" not in err and "'abc' is not allowed" in err


@pytest.mark.parametrize("mode", ["--read-only", "--wall"])
def test_set_is_refused_and_audited_under_read_only(
    mode: str, town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in ([mode, "config", "set", KEY, "30"], ["config", "set", KEY, "30", mode]):
        code, _, err = gt(capsys, "--town", str(town), *argv)
        assert code == 2 and "read-only" in err
    assert not user_config_path().exists()
    assert [(e["action"], e["result"]["status"]) for e in audit()] == [  # type: ignore[index]
        ("config.set", "refused"),
        ("config.set", "refused"),
    ]


def test_set_writes_one_audit_line_with_the_town_root(
    town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt(capsys, "--town", str(town), "config", "set", KEY, "31", "--scope", "town", "--yes")
    gt(capsys, "--town", str(town), "config", "set", KEY, "32", "--yes")
    town_line, user_line = audit()
    assert (town_line["action"], town_line["town"], town_line["root"]) == (
        "config.set",
        town.name,
        str(town),
    )
    assert town_line["result"] == {  # type: ignore[comparison-overlap]
        "status": "ok",
        "summary": f"set {KEY} = 31 in {town_config_path(town)} (town)",
    }
    assert (user_line["town"], user_line["root"]) == ("(user settings)", None)
