"""Golden pictures of fixed snapshots, so layout changes are seen in review.

Regenerate after an intended change with `GT_TUI_UPDATE_GOLDEN=1 pytest tests/test_ui_golden.py`
and look at the diff of the `.txt` files (the layout) and the `.svg` files (open them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from snapshots_fixtures import calm_snapshot, svg_text, trouble_snapshot

from gt_tui.ui.svg_export import normalise_svg, render_svg

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GT_TUI_UPDATE_GOLDEN") == "1"
CASES = {
    "console_trouble_120x40": (trouble_snapshot, {"width": 120, "height": 40}),
    "wall_calm_80x24": (calm_snapshot, {"width": 80, "height": 24, "wall": True}),
    "zoom_dolt_120x40": (trouble_snapshot, {"width": 120, "height": 40, "zoom": "dolt_latency"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_picture(name, tmp_path):
    build, options = CASES[name]
    svg = normalise_svg(render_svg(build(), **options))
    text = svg_text(svg)
    svg_file, text_file = GOLDEN / f"{name}.svg", GOLDEN / f"{name}.txt"
    if UPDATE:
        svg_file.write_text(svg, encoding="utf-8")
        text_file.write_text(text, encoding="utf-8")
    assert text_file.exists(), f"no golden picture: run with GT_TUI_UPDATE_GOLDEN=1 ({name})"
    (tmp_path / svg_file.name).write_text(svg, encoding="utf-8")
    assert text == text_file.read_text(encoding="utf-8"), f"layout changed; see {tmp_path}"
    assert svg == svg_file.read_text(encoding="utf-8"), f"styles changed; see {tmp_path}"


def test_the_same_snapshot_gives_the_same_picture():
    first = normalise_svg(render_svg(calm_snapshot(), width=100, height=30))
    assert first == normalise_svg(render_svg(calm_snapshot(), width=100, height=30))
    assert "gastown-demo" in svg_text(first)


def test_unknown_zoom_is_refused():
    with pytest.raises(ValueError, match="unknown metric"):
        render_svg(calm_snapshot(), zoom="nope")
