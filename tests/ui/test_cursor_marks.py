"""The cursor shows as a mark, not by shading alone: with NO_COLOR set (so Textual drops
every colour), the highlighted option, the radio button and table row at the cursor and
the focused grid cell still carry "▶" (and the grid cell "◀") on the rendered screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input, RadioSet

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.widgets.cursor import CursorOptionList
from sdm_tui.ui.widgets.grid_view import GridColumn, GridRow, GridView
from sdm_tui.ui.widgets.marks import CursorDataTable, CursorSelect, MarkedSelectionList, Radio

DATA = Path(__file__).resolve().parent.parent / "data"


def screen_lines(app: App) -> list[str]:
    """The screen as the terminal gets it: every widget, every line filter applied."""
    update = app.screen._compositor.render_update(full=True)
    return ["".join(strip.text for strip in line) for line in update.strips]


def line_with(app: App, words: str) -> str:
    found = [line for line in screen_lines(app) if words in line]
    assert len(found) == 1, (words, screen_lines(app))
    return found[0]


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


async def test_home_marks_the_highlighted_action_without_colour(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    store.ensure()
    app = SdmApp(store, load_catalog(DATA))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        assert "▶ + Start a consultation" in line_with(app, "Start a consultation")
        assert "▶" not in line_with(app, "Resume an unfinished")
        await pilot.press("down")
        await pilot.pause()
        assert "▶" not in line_with(app, "Start a consultation")
        assert "▶ ↺ Resume an unfinished" in line_with(app, "Resume an unfinished")


class Widgets(App[None]):
    """One of each list and chooser, with an input to move the focus away to."""

    def compose(self) -> ComposeResult:
        yield Input(id="away")
        yield CursorOptionList("first choice", "second choice", id="options")
        yield MarkedSelectionList[str](("ticked one", "a", True), ("plain one", "b"), id="ticks")
        with RadioSet(id="radios"):
            yield Radio("radio one")
            yield Radio("radio two")
        yield CursorSelect([("pick one", 1), ("pick two", 2)], id="select")
        yield CursorDataTable(id="table", cursor_type="row")
        yield GridView(id="grid")

    def on_mount(self) -> None:
        table = self.query_one(CursorDataTable)
        table.add_columns("Name", "Value")
        table.add_rows([("row one", "1"), ("row two", "2")])
        grid = self.query_one(GridView)
        cols = [GridColumn("a", Text("A"), 8), GridColumn("b", Text("B"), 8)]
        grid.set_grid(cols, [(GridRow("r", 2), [Text("cell a\nmore"), Text("cell b\nmore")])])
        self.query_one("#away").focus()


async def test_lists_and_choosers_mark_the_cursor_only_where_the_focus_is() -> None:
    app = Widgets()
    async with app.run_test(size=(60, 50)) as pilot:
        await pilot.pause()
        for words in ("first choice", "ticked one", "radio one", "row one", "cell a"):
            assert "▶" not in line_with(app, words), words  # nothing focused there yet

        app.query_one("#options").focus()
        await pilot.pause()
        assert "▶ first choice" in line_with(app, "first choice")
        await pilot.press("down")
        assert "▶ second choice" in line_with(app, "second choice")
        assert "▶" not in line_with(app, "first choice")

        app.query_one("#ticks").focus()
        await pilot.pause()
        assert "▶ ▐✓▌ ticked one" in line_with(app, "ticked one")
        assert "✓" in line_with(app, "ticked one")
        assert "▶" not in line_with(app, "plain one")
        assert "▶" not in line_with(app, "second choice")  # the list left behind

        app.query_one("#radios").focus()
        await pilot.pause()
        assert "▶" in line_with(app, "radio one")
        await pilot.press("down")
        await pilot.pause()
        assert "▶" in line_with(app, "radio two")
        assert "▶" not in line_with(app, "radio one")

        app.query_one("#table").focus()
        await pilot.pause()
        assert "▶" in line_with(app, "row one")
        await pilot.press("down")
        await pilot.pause()
        assert "▶" in line_with(app, "row two")
        assert "▶" not in line_with(app, "row one")

        app.query_one("#grid").focus()
        await pilot.pause()
        assert line_with(app, "cell a").startswith("▶cell a  ◀ cell b ")
        assert "▶" not in line_with(app, "more")  # the frame is on the first line only
        await pilot.press("right")
        await pilot.pause()
        assert line_with(app, "cell a").startswith(" cell a   ▶cell b  ◀")

        select = app.query_one(CursorSelect)
        select.focus()
        await pilot.press("enter", "down")  # open the list; from the blank to the first
        await pilot.pause()
        assert "▶" in line_with(app, "pick one")
        await pilot.press("down")
        await pilot.pause()
        assert "▶" in line_with(app, "pick two")


def underlined(app: App) -> list[str]:
    """Underlined text on screen, line by line (underline survives NO_COLOR)."""
    update = app.screen._compositor.render_update(full=True)
    found = []
    for line in update.strips:
        text = "".join(s.text for strip in line for s in strip if s.style and s.style.underline)
        if text.strip():
            found.append(text.strip())
    return found


async def test_the_talk_shown_and_a_focused_drop_down_are_underlined(tmp_path: Path) -> None:
    from flow import open_consultation
    from textual.widgets import Select

    from sdm_tui.core.session import grid_ref, new_session

    store = RecordStore(tmp_path / "records")
    store.ensure()
    app = SdmApp(store, load_catalog(DATA))
    grid = app.catalog.get("example-grid")
    assert grid is not None
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_consultation(app, pilot, session, "f2")
        assert any("Who is here" in text for text in underlined(app))
        assert not any("Compare options" in text for text in underlined(app))
        select = app.screen.query_one("#team-role", Select)
        select.focus()
        await pilot.pause()
        assert app.focused is select, app.focused
        assert len(underlined(app)) == 2, underlined(app)  # the tab, the focused drop-down


async def test_the_command_palette_marks_the_highlighted_command(tmp_path: Path) -> None:
    from sdm_tui.ui.widgets.palette import CursorCommandList, MarkedCommandPalette

    store = RecordStore(tmp_path / "records")
    store.ensure()
    app = SdmApp(store, load_catalog(DATA))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, MarkedCommandPalette)
        await pilot.press(*"theme")
        found = app.screen.query_one(CursorCommandList)
        for _ in range(200):  # the palette searches in the background
            if found.option_count >= 2:
                break
            await pilot.pause(0.05)
        await pilot.press("down")
        await pilot.pause()
        marked = [line for line in screen_lines(app) if "▶" in line and "Theme" in line]
        assert len(marked) == 1, screen_lines(app)
        await pilot.press("down")
        await pilot.pause()
        again = [line for line in screen_lines(app) if "▶" in line and "Theme" in line]
        assert len(again) == 1 and again != marked  # the mark moved to the other theme
