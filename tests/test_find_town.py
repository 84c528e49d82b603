"""Finding the town as gt does (`internal/workspace/find.go`): order, outermost, paths as given."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from test_layout import make_town

from gt_tui.errors import TownNotFound
from gt_tui.town.layout import TownLocation, find_town_root, load_town, locate_town


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """Five towns, one per place gt looks, and a plain directory to stand in."""
    found = {key: make_town(tmp_path / key) for key in ("flag", "town_root", "gt_root", "cwd")}
    found["home_gt"] = make_town(tmp_path / "home" / "gt")
    found["elsewhere"] = tmp_path / "elsewhere"
    found["elsewhere"].mkdir()
    return found


def test_explicit_town_wins_over_everything(places: dict[str, Path]) -> None:
    env = {"GT_TOWN_ROOT": str(places["town_root"]), "GT_ROOT": str(places["gt_root"])}
    assert locate_town(places["flag"], env, places["cwd"]) == TownLocation(places["flag"], "--town")
    assert find_town_root(places["flag"], env, places["cwd"]) == places["flag"]


def test_current_directory_beats_the_environment(places: dict[str, Path]) -> None:
    # gt (find.go): GT_TOWN_ROOT / GT_ROOT are only a fallback outside any town.
    env = {"GT_TOWN_ROOT": str(places["town_root"]), "GT_ROOT": str(places["gt_root"])}
    deep = places["cwd"] / "gastown" / "polecats" / "Toast" / "gastown"
    deep.mkdir(parents=True)
    assert locate_town(None, env, places["cwd"]) == TownLocation(places["cwd"], "current directory")
    assert locate_town(None, env, deep) == TownLocation(places["cwd"], "current directory")


def test_gt_town_root_then_gt_root_then_home_gt(places: dict[str, Path]) -> None:
    env = {
        "GT_TOWN_ROOT": str(places["town_root"]),
        "GT_ROOT": str(places["gt_root"]),
        "HOME": str(places["home_gt"].parent),
    }
    away = places["elsewhere"]
    assert locate_town(None, env, away) == TownLocation(places["town_root"], "GT_TOWN_ROOT")
    env["GT_TOWN_ROOT"] = ""  # empty means unset
    assert locate_town(None, env, away) == TownLocation(places["gt_root"], "GT_ROOT")
    env["GT_TOWN_ROOT"] = str(places["elsewhere"])  # set but no town there: look further
    assert locate_town(None, env, away) == TownLocation(places["gt_root"], "GT_ROOT")
    del env["GT_TOWN_ROOT"], env["GT_ROOT"]
    assert locate_town(None, env, away) == TownLocation(places["home_gt"], "~/gt")


def test_the_outermost_town_wins(tmp_path: Path) -> None:
    # A rig's canonical clone may carry its own mayor/town.json: the town is further up.
    outer = make_town(tmp_path / "outer")
    inner = make_town(outer / "gastown" / "mayor" / "rig")
    work = inner / "src"
    work.mkdir()
    assert locate_town(None, {}, work) == TownLocation(outer, "current directory")
    assert locate_town(None, {}, inner) == TownLocation(outer, "current directory")


def test_paths_are_kept_as_given_not_resolved(tmp_path: Path) -> None:
    real = make_town(tmp_path / "data" / "town42")
    link = tmp_path / "gt"
    link.symlink_to(real)
    assert locate_town(link, {}, tmp_path).root == link  # --town through a symlink
    assert locate_town(None, {}, link / "mayor").root == link  # cwd through it
    assert locate_town(None, {"GT_ROOT": str(link)}, tmp_path).root == link
    town = load_town(link, {})
    assert town.root == link
    # The socket as gt derives it: the basename as given, the hash of the real path.
    digest = hashlib.sha256(str(real).encode()).hexdigest()[:6]
    assert town.tmux_socket == f"gt-{digest}"


def test_logical_working_directory_from_pwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Go's os.Getwd keeps $PWD (symlinks and all) when it names the current directory.
    real = make_town(tmp_path / "data" / "town42")
    link = tmp_path / "gt"
    link.symlink_to(real)
    monkeypatch.chdir(link / "mayor")
    assert locate_town(None, {"PWD": str(link / "mayor")}).root == link
    assert locate_town(None, {"PWD": str(tmp_path)}).root == real  # PWD is elsewhere: getcwd
    assert locate_town(None, {}).root == real
    monkeypatch.chdir(tmp_path)
    assert locate_town(Path("gt"), {}).root == Path(os.getcwd()) / "gt"  # absolute, as given


def test_not_found_names_every_place_and_hints_demo(tmp_path: Path) -> None:
    cwd = tmp_path / "work" / "dir"
    cwd.mkdir(parents=True)
    env = {
        "GT_TOWN_ROOT": str(tmp_path / "a"),
        "GT_ROOT": str(tmp_path / "b"),
        "HOME": str(tmp_path / "home"),
    }
    with pytest.raises(TownNotFound) as caught:
        find_town_root(None, env, cwd)
    message = str(caught.value)
    assert "mayor/town.json" in message
    for place in (tmp_path / "a", tmp_path / "b", f"{cwd} and its parents", tmp_path / "home/gt"):
        assert str(place) in message
    assert "--demo" in message and "--town" in message
    assert "\n" not in message


def test_not_found_with_explicit_town_names_only_it(tmp_path: Path) -> None:
    with pytest.raises(TownNotFound) as caught:
        find_town_root(tmp_path / "nope", {"HOME": str(tmp_path)}, tmp_path)
    assert f"in {tmp_path / 'nope'});" in str(caught.value)
    assert "--demo" in str(caught.value)
