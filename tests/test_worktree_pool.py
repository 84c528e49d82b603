"""The worktree pool on real git (a bare repo and its worktrees) and a private tmux socket."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from helpers import run_git, tmux

from gt_tui.engine.ops import worktree_pool as wp
from gt_tui.errors import GtTuiError
from gt_tui.settings import Settings
from gt_tui.town import polecat_pool as gp
from gt_tui.town import worktrees as gw
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.git import CommandFailed, CommandTimeout, run_bounded
from gt_tui.town.git import run_git as town_git
from gt_tui.town.heartbeats import write_heartbeat
from gt_tui.town.model import Rig, Town

RIG = Rig("gastown", "gt", "gastown")


def make_town(tmp_path: Path, source: Path, socket: str = "gttui-no-such-socket") -> Town:
    """A town laid out as gt lays it out: one rig with a bare `.repo.git` and rig beads."""
    root = tmp_path / "town"
    rig_dir = root / RIG.name
    (rig_dir / "mayor" / "rig" / ".beads").mkdir(parents=True)
    run_git(tmp_path, "clone", "-q", "--bare", str(source), str(rig_dir / ".repo.git"))
    return Town(root, "testtown", (RIG,), "hq", Endpoint(), socket)


def worktrees(town: Town) -> list[str]:
    """Paths git itself lists as worktrees of the rig's bare repo."""
    out = run_git(town.root / RIG.name / ".repo.git", "worktree", "list", "--porcelain")
    return [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("worktree ")]


@pytest.fixture
def town(tmp_path: Path, git_repo: Path) -> Town:
    return make_town(tmp_path, git_repo)


# ---------------------------------------------------------------- creating


def test_create_pool_makes_worktrees_the_way_gt_does(town: Town) -> None:
    done = wp.create_pool(town, "gastown", 3, prefer_gt=False)

    assert done.via == "git" and done.failed == () and done.existing == 0
    assert done.created == gw.NAMES[:3]
    listed = worktrees(town)
    for name in done.created:
        path = town.root / "gastown" / "polecats" / name / "gastown"
        assert str(path) in listed
        branch = run_git(path, "rev-parse", "--abbrev-ref", "HEAD").strip()
        assert branch.startswith(f"polecat/{name}-")
        assert (path / "README.md").is_file()
        redirect = (path / ".beads" / "redirect").read_text()
        assert redirect == "../../../../mayor/rig/.beads\n"
        assert (path / ".beads" / redirect.strip()).resolve() == (
            town.root / "gastown" / "mayor" / "rig" / ".beads"
        ).resolve()
        beat = json.loads(gw.heartbeat_path(town, f"gt-{name}").read_text())
        assert beat["state"] == "idle"
    assert not list((town.root / "gastown" / "polecats").glob("*.pending"))


def test_create_pool_counts_existing_polecats_and_skips_their_names(town: Town) -> None:
    (town.root / "gastown" / "polecats" / "Alder").mkdir(parents=True)  # someone else's

    first = wp.create_pool(town, "gastown", 3, prefer_gt=False)
    again = wp.create_pool(town, "gastown", 3, prefer_gt=False)
    more = wp.create_pool(town, "gastown", 4, prefer_gt=False)

    assert first.existing == 1 and first.created == ("Aspen", "Birch")
    assert again.created == () and again.existing == 3
    assert more.created == ("Bramble",)
    assert gw.polecat_names(town, RIG) == ["Alder", "Aspen", "Birch", "Bramble"]


def test_create_pool_respects_the_per_rig_cap(town: Town) -> None:
    settings = Settings.defaults().with_value("polecat.max_per_rig", 2)

    done = wp.create_pool(town, "gastown", 5, settings, prefer_gt=False)

    assert done.capped and done.target == 2 and len(done.created) == 2
    assert wp.rig_cap(Settings.defaults().with_value("polecat.max_per_rig", 500)) == 30


def test_names_overflow_to_gts_rig_number_form() -> None:
    taken = list(gw.NAMES)
    assert gw.new_names(RIG, taken, 2) == [
        f"gastown-{len(gw.NAMES) + 1}",
        f"gastown-{len(gw.NAMES) + 2}",
    ]


def test_branch_name_is_base36_millis() -> None:
    assert gw.branch_name("Toast", 36**3 + 35) == "polecat/Toast-100z"
    assert gw.branch_name("Toast", 0) == "polecat/Toast-0"


def test_bad_rig_size_and_missing_repo_are_one_line_errors(town: Town, tmp_path: Path) -> None:
    with pytest.raises(GtTuiError, match=r"no rig 'nope'.*rigs: gastown"):
        wp.create_pool(town, "nope", 2, prefer_gt=False)
    with pytest.raises(GtTuiError, match="at least 1"):
        wp.create_pool(town, "gastown", 0, prefer_gt=False)
    bare = Town(tmp_path / "empty", "e", (RIG,), "hq", Endpoint(), "x")
    with pytest.raises(GtTuiError, match="has no repository") as caught:
        wp.create_pool(bare, "gastown", 1, prefer_gt=False)
    assert "\n" not in str(caught.value)


def test_a_failed_worktree_add_leaves_nothing_behind(town: Town) -> None:
    with pytest.raises(CommandFailed, match=r"^git worktree add: fatal:"):
        gw.add_polecat(town, RIG, "Quill", start="no-such-ref")

    assert not (town.root / "gastown" / "polecats" / "Quill").exists()
    assert not (town.root / "gastown" / "polecats" / "Quill.pending").exists()
    assert len(worktrees(town)) == 1  # only the bare repo itself


def test_remove_polecat_removes_worktree_branch_and_heartbeat(town: Town) -> None:
    wp.create_pool(town, "gastown", 1, prefer_gt=False)
    path = gw.worktree_path(town, RIG, "Alder")
    branch = run_git(path, "rev-parse", "--abbrev-ref", "HEAD").strip()

    gw.remove_polecat(town, RIG, "Alder")

    assert str(path) not in worktrees(town)
    assert not path.parent.exists()
    assert run_git(town.root / "gastown" / ".repo.git", "branch", "--list", branch) == ""
    assert not gw.heartbeat_path(town, "gt-Alder").exists()


def test_create_pool_calls_gt_where_it_is_on_path(
    town: Town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gt is not installed here; a stand-in records how it is called and makes one polecat.
    bin_dir, calls = tmp_path / "bin", tmp_path / "gt-calls"
    bin_dir.mkdir()
    fake = bin_dir / "gt"
    fake.write_text(
        f'#!/bin/sh\necho "$PWD $*" >> {calls}\nmkdir -p "$PWD/gastown/polecats/Toast/gastown"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    done = wp.create_pool(town, "gastown", 4)

    expected = [str(town.root), "polecat", "pool-init", "gastown", "--size", "4"]
    assert calls.read_text().split() == expected
    assert done.via == "gt" and done.created == ("Toast",)


# ---------------------------------------------------------------- idle or in use


def test_list_pool_tells_idle_from_in_use(tmp_path: Path, git_repo: Path, tmux_socket: str) -> None:
    town = make_town(tmp_path, git_repo, tmux_socket)
    wp.create_pool(town, "gastown", 4, prefer_gt=False)  # Alder Aspen Birch Bramble
    tmux(tmux_socket, "new-session", "-d", "-s", "gt-Alder", "sleep 600")
    write_heartbeat(town, "gt-Aspen", "working", "test")
    stale = gw.heartbeat_path(town, "gt-Birch")
    stale.write_text(
        json.dumps({"timestamp": "2020-01-01T00:00:00.123456789Z", "state": "working"})
    )

    (pool,) = wp.list_pool(town)

    in_use = {p.name: p.reason for p in pool.in_use}
    assert in_use == {"Alder": "tmux session gt-Alder is live", "Aspen": "heartbeat says working"}
    assert [p.name for p in pool.idle] == ["Birch", "Bramble"]
    assert pool.cap == 20


def test_list_pool_uses_the_towns_stale_threshold(tmp_path: Path, git_repo: Path) -> None:
    town = make_town(tmp_path, git_repo)
    wp.create_pool(town, "gastown", 2, prefer_gt=False)  # Alder Aspen, idle heartbeats
    four_minutes_ago = datetime.now(UTC) - timedelta(minutes=4)
    stamp = four_minutes_ago.isoformat().replace("+00:00", "Z")
    for session in ("gt-Alder", "gt-Aspen"):  # stateless: gt's v1 heartbeat, working
        gw.heartbeat_path(town, session).write_text(json.dumps({"timestamp": stamp}))

    (pool,) = wp.list_pool(town)
    assert [p.name for p in pool.in_use] == []  # 4 min > gt's default 3 min: stale

    polecat = {"heartbeat_stale_threshold": "5m"}
    settings = town.root / "settings" / "config.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"operational": {"polecat": polecat}}))
    (pool,) = wp.list_pool(town)
    assert {p.name: p.reason for p in pool.in_use} == {
        "Alder": "heartbeat says working",
        "Aspen": "heartbeat says working",
    }


def test_take_from_pool_claims_each_worktree_once(
    tmp_path: Path, git_repo: Path, tmux_socket: str
) -> None:
    town = make_town(tmp_path, git_repo, tmux_socket)
    wp.create_pool(town, "gastown", 2, prefer_gt=False)

    first = gp.take_from_pool(town, "gastown")
    second = gp.take_from_pool(town, "gastown")
    third = gp.take_from_pool(town, "gastown")

    assert first is not None and second is not None and first != second
    assert {first.parent.name, second.parent.name} == {"Alder", "Aspen"}
    assert third is None
    gp.release_to_pool(town, "gastown", "Alder")
    assert gp.take_from_pool(town, "gastown") == gw.worktree_path(town, RIG, "Alder")


# ---------------------------------------------------------------- the git runner


def test_run_git_returns_stdout_and_fails_in_one_line(git_repo: Path) -> None:
    assert town_git(["rev-parse", "--abbrev-ref", "HEAD"], git_repo).strip() == "main"
    with pytest.raises(CommandFailed) as caught:
        town_git(["checkout", "no-such-branch"], git_repo)
    assert str(caught.value).startswith("git checkout no-such-branch: error: pathspec")
    assert "\n" not in str(caught.value)


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    script = f"sleep 60 & echo $! > {marker}; wait"
    with pytest.raises(CommandTimeout, match=r"did not finish within 0\.5s"):
        run_bounded(["sh", "-c", script], tmp_path, 0.5)

    child = int(marker.read_text())
    for _ in range(100):  # SIGKILL is asynchronous: give the kernel a moment to reap
        if not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie":
            break
        time.sleep(0.01)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"


def test_a_missing_program_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(GtTuiError, match="not installed"):
        run_bounded(["gttui-no-such-program"], tmp_path, 1.0)
