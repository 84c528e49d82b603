"""A failed `gt-tui sandbox build` removes what it wrote, and only that, so a retry works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlserver import free_port

from gt_tui.cli import main
from gt_tui.sandbox.layout import MARKER


def build(capsys: pytest.CaptureFixture[str], dir: Path, *extra: str) -> tuple[int, str]:
    code = main(["sandbox", "build", "--dir", str(dir), "--scale", "small", *extra])
    return code, capsys.readouterr().err


def unreachable() -> list[str]:
    """A server URL on a loopback port nothing listens on: the build fails part-way."""
    return ["--db", f"mysql://root@127.0.0.1:{free_port()}"]


def tree(dir: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(dir)): p.read_bytes() if p.is_file() else None for p in dir.rglob("*")
    }


def test_a_failed_build_into_a_new_directory_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "town"
    code, err = build(capsys, target, *unreachable())
    assert code == 2 and err.startswith("gt-tui: ")
    assert list(tmp_path.iterdir()) == []  # `new/` too: the build made it
    code, err = build(capsys, target)
    assert code == 0, err
    assert (target / MARKER).is_file()


def test_a_failed_build_keeps_what_the_directory_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "town"
    (target / "settings").mkdir(parents=True)
    (target / "notes.txt").write_text("mine\n")
    (target / "settings" / "mine.toml").write_text("x = 1\n")
    before = tree(target)
    code, _ = build(capsys, target, *unreachable())
    assert code == 2
    assert tree(target) == before
    assert build(capsys, target)[0] == 0
    assert (target / MARKER).is_file() and (target / "notes.txt").read_text() == "mine\n"
