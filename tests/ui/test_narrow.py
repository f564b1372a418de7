"""Narrow screens: option talk keeps three options at 80x24 with long names cut by …,
never mid-letter; at 60x20 every talk still works (its tab shows when chosen, side by
side pages through the people so no one is left out, the key hints are shorter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow import make_app, open_pinned, pin, settle, shipped_grid, side_session
from test_cursor_marks import screen_lines
from textual.pilot import Pilot
from textual.widgets import Tabs

from sdm_tui.core import transitions as t
from sdm_tui.ui.panes.options import FIRST_OPTION_COL, OptionTalkPane
from sdm_tui.ui.panes.side import SideBySidePane

TALKS = {"f2": "Who is here", "f3": "Compare options", "f4": "Side by side", "f5": "Decide"}


def long_names_session(app):  # type: ignore[no-untyped-def]
    """Side by side's session, comparing three options with long names."""
    grid = shipped_grid(app)
    session = side_session(grid)
    long = [o.id for o in grid.options if len(o.name) > 20][:2]
    return pin(t.choose_options(session, [session.team_talk.options[0], *long])), grid


async def open_at(pilot: Pilot, session, key: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await open_pinned(pilot, session, key)
    await settle(pilot)


async def test_option_talk_at_80x24_shows_three_options_names_cut_with_an_ellipsis(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        session, grid = long_names_session(app)
        await open_at(pilot, session, "f3")
        table = app.screen.query_one(OptionTalkPane).table
        view = table.scrollable_content_region.width
        columns = table.columns[FIRST_OPTION_COL:]
        lefts = [table.cell_offset(1, FIRST_OPTION_COL + i)[0] for i in range(len(columns))]
        in_view = [c for c, x in zip(columns, lefts, strict=True) if x + c.render_width <= view]
        assert len(in_view) >= 3
        for column in columns:
            name = grid.option(column.key).name
            lines = column.label.plain.split("\n")
            assert all(len(line) <= column.width for line in lines)
            shown = " ".join(line for line in lines if not line.startswith("("))
            if shown != name:  # cut short: it says so, and is the name's own beginning
                assert shown.endswith("…") and name.startswith(shown[:-1])
        text = "\n".join(screen_lines(app))
        assert "Stay on my…" in text and "of my current…" in text  # as drawn


@pytest.mark.parametrize("key", list(TALKS))
async def test_at_60x20_each_talk_s_tab_and_its_keys_are_shown(tmp_path: Path, key) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await open_at(pilot, side_session(shipped_grid(app)), key)
        assert app.screen.has_class("-narrow")
        lines = screen_lines(app)
        assert TALKS[key] in lines[2]  # the chosen talk's tab is in view
        active = app.screen.query_one(Tabs).active_tab
        assert active is not None and TALKS[key] in str(active.label)
        assert lines[-1].rstrip().endswith("palette")  # Ctrl+P always in view: help, talks


async def test_at_60x20_side_by_side_pages_through_everyone(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        session = side_session(shipped_grid(app))
        await open_at(pilot, session, "f4")
        pane = app.screen.query_one(SideBySidePane)
        seen: list[str] = []
        for _ in range(3):
            text = "\n".join(screen_lines(app))
            assert "People " in text and "] next page" in text
            table = pane.query_one("#side-table")
            seen += [str(key.value) for key in table.columns if key.value.startswith("p")]
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert set(seen) == {p.id for p in session.voices()}
        assert pane._page == 1  # two pages of people, back to the second


async def test_at_120x40_side_by_side_shows_everyone_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        session = side_session(shipped_grid(app))
        await open_at(pilot, session, "f4")
        text = "\n".join(screen_lines(app))
        assert "People " not in text
        assert all(p.label in text for p in session.voices())
        assert "More people" not in screen_lines(app)[-1]  # the ] key is not offered
