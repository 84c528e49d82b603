"""The footer keeps the keys that matter at every width, and ctrl+c quits (Pilot, fake engine)."""

from __future__ import annotations

import pytest
from snapshots_fixtures import calm_snapshot, screen_text, wait_for
from test_ui_keys import make_app, started
from textual.widgets._footer import FooterKey

from gt_tui.ui import keymap

CORE_KEYS = ("r refresh", "space pause", "1-5 zoom", "m map", "? help", "q/^c quit")
ACTIONS = ("c clear", "w warm", "p pool", "f flush", "b bench", "t tmux")


@pytest.mark.parametrize(("width", "actions"), [(80, 2), (120, 6), (160, 6)])
async def test_footer_keeps_the_keys_that_matter(width, actions):
    """By rank: quit, help, pause, refresh, zoom, map always; then bench first, tmux last;
    never a key cut at the edge (at 80 columns every action vanished, at 120 `b` and `t`)."""
    app, _ = make_app(calm_snapshot())
    async with app.run_test(size=(width, 40)) as pilot:
        await started(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert [words for words in CORE_KEYS if words not in footer] == []
        by_rank = sorted(ACTIONS, key=lambda words: keymap.rank_of(f"act('{words[0]}')"))
        assert {words for words in ACTIONS if words in footer} == set(by_rank[:actions])
        assert all(key.region.right <= width for key in app.screen.query(FooterKey))
        await pilot.press("1")  # the zoom's footer adds `esc back`, and still fits
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "esc back" in footer and "q/^c quit" in footer and "b bench" in footer
        assert all(key.region.right <= width for key in app.screen.query(FooterKey))


async def test_footer_says_pause_or_resume_as_it_is():
    app, _ = make_app(calm_snapshot())
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("space")
        await wait_for(pilot, lambda: "space resume" in screen_text(app).splitlines()[-1])
        await pilot.press("space")
        await wait_for(pilot, lambda: "space pause" in screen_text(app).splitlines()[-1])


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q"])
async def test_ctrl_c_and_ctrl_q_quit_from_any_screen(key):
    for first in ((), ("question_mark",), ("2",)):
        app, _ = make_app(calm_snapshot())
        async with app.run_test() as pilot:
            await started(app, pilot)
            await pilot.press(*first)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert app.return_code == 0 and not app.is_running
