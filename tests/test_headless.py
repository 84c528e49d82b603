"""The headless paths never load Textual: checked in a fresh interpreter, by import and by use."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from towns import build_town

HEADLESS = ["gt_tui.cli", "gt_tui.modes", "gt_tui.engine.engine", "gt_tui.export.json"]
if importlib.util.find_spec("gt_tui.export.text") is not None:
    HEADLESS.append("gt_tui.export.text")
TIMEOUT = 60.0


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_the_headless_modules_do_not_import_textual(tmp_path: Path) -> None:
    done = run_python(
        f"""
        import importlib, sys
        for name in {HEADLESS!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(len({HEADLESS!r}), loaded)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{len(HEADLESS)} []"


def test_the_check_itself_sees_textual_when_loaded(tmp_path: Path) -> None:
    # the same probe, on a module that does use Textual: proves the check can fail
    done = run_python("import sys, textual.app; print('textual' in sys.modules)", tmp_path)
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_snapshot_run_does_not_import_textual(tmp_path: Path, fmt: str) -> None:
    if fmt == "text" and "gt_tui.export.text" not in HEADLESS:
        pytest.skip("gt_tui/export/text.py is not written yet")
    built = build_town(tmp_path / "town", "sqlite")
    built.db.close()
    done = run_python(
        f"""
        import contextlib, io, sys
        from gt_tui.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--snapshot", "--town", {str(built.root)!r}, "--format", {fmt!r}])
        print(code, len(out.getvalue()) > 0, "textual" in sys.modules)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 True False"
