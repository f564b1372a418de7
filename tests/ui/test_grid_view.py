"""GridView and PersonBar on their own: keys, clicks, scrolling, literal text, narrow bars."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate

from sdm_tui.core.session import Role, new_session
from sdm_tui.core.transitions import add_participant
from sdm_tui.ui.messages import ActivePerson
from sdm_tui.ui.widgets.grid_view import GridColumn, GridRow, GridView
from sdm_tui.ui.widgets.person_bar import PersonBar

MARKUP = "[@click=app.quit]x[/]"


def columns(n_options: int) -> list[GridColumn]:
    fixed = [GridColumn("q", Text("Question"), 10), GridColumn("i", Text("Matters"), 8)]
    return fixed + [GridColumn(f"o{n}", Text(f"Option {n}"), 12) for n in range(n_options)]


def rows(cols: list[GridColumn], n_rows: int, height: int = 2) -> list[tuple[GridRow, list]]:
    out = [(GridRow("lean", 1), [Text("") for _ in cols])]
    for r in range(n_rows):
        cells = [Text(f"r{r} {c.key}\nline two") for c in cols]
        out.append((GridRow(f"r{r}", height), cells))
    return out


class GridApp(App[None]):
    def __init__(self, n_options: int = 6, n_rows: int = 12) -> None:
        super().__init__()
        self.n_options, self.n_rows = n_options, n_rows
        self.selected: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield GridView(header_height=1, fixed_rows=1, fixed_columns=2, zebra_stripes=True)

    def on_mount(self) -> None:
        grid = self.query_one(GridView)
        cols = columns(self.n_options)
        grid.set_grid(cols, rows(cols, self.n_rows))
        grid.move_cursor(row=1, column=2)
        grid.focus()

    def on_grid_view_cell_selected(self, event: GridView.CellSelected) -> None:
        self.selected.append((event.row_key, event.column_key))


def screen_text(app: App) -> list[str]:
    """The lines of the grid as a terminal would show them."""
    grid = app.query_one(GridView)
    return [grid.render_line(y).text for y in range(grid.scrollable_content_region.height)]


async def test_arrows_and_edges_move_the_cursor_within_the_grid() -> None:
    app = GridApp()
    async with app.run_test(size=(60, 20)) as pilot:
        grid = app.query_one(GridView)
        assert grid.cursor_coordinate == Coordinate(1, 2)
        await pilot.press("down", "right")
        assert grid.cursor_coordinate == Coordinate(2, 3)
        await pilot.press("up", "up", "up", "left", "left", "left", "left")
        assert grid.cursor_coordinate == Coordinate(0, 0)  # stops at the edges
        await pilot.press("end", "ctrl+end")
        assert grid.cursor_coordinate == Coordinate(12, 7)
        await pilot.press("home", "ctrl+home")
        assert grid.cursor_coordinate == Coordinate(0, 0)
        await pilot.press("pagedown")
        assert grid.cursor_coordinate.row > 1


async def test_sideways_and_down_scrolling_keep_the_cursor_and_fixed_parts_in_view() -> None:
    app = GridApp()
    async with app.run_test(size=(60, 20)) as pilot:
        grid = app.query_one(GridView)
        await pilot.press(*["right"] * 5, *["down"] * 11)
        await pilot.pause()
        assert grid.cursor_coordinate == Coordinate(12, 7)
        assert grid.scroll_x > 0 and grid.scroll_y > 0
        lines = screen_text(app)
        assert lines[0].startswith(" Question    Matters ")  # the header stays
        assert "Option 5" in lines[0]
        assert any(line.startswith(" r11 q") for line in lines)  # fixed column stays
        assert any("r11 o5" in line for line in lines)  # the cursor's cell is in view
        assert all(len(line) == grid.scrollable_content_region.width for line in lines)


async def test_enter_and_a_click_on_the_cursor_select_a_click_elsewhere_moves() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 20)) as pilot:
        grid = app.query_one(GridView)
        await pilot.press("enter")
        assert app.selected == [("r0", "o0")]
        x, y = grid.cell_offset(3, 3)
        await pilot.click(grid, offset=(x + 2, y + 1))
        assert grid.cursor_coordinate == Coordinate(3, 3)
        assert app.selected == [("r0", "o0")]
        await pilot.click(grid, offset=(x + 2, y))
        assert app.selected[-1] == ("r2", "o1")
        assert grid.cell_at(x, 0) is None  # the header is not a cell


async def test_update_cell_changes_one_cell_and_text_is_never_markup() -> None:
    app = GridApp(n_options=2, n_rows=3)
    async with app.run_test(size=(80, 16)) as pilot:
        grid = app.query_one(GridView)
        grid.update_cell("r1", "i", Text(f"{MARKUP}\n😀 wide"))
        await pilot.pause()
        assert grid.get_cell("r1", "i").plain.startswith(MARKUP)
        lines = screen_text(app)
        shown = next(line for line in lines if line.startswith(" r1 q"))
        assert "[@click=" in shown  # cut to the column's width, shown as typed
        assert any("😀 wide" in line for line in lines)
        assert app.is_running
        assert all(len(Text(line).plain) <= 80 for line in lines)


class BarApp(App[None]):
    def __init__(self, labels: tuple[str, ...]) -> None:
        super().__init__()
        session = new_session(grid_ref=_grid_ref(), app_version="test")
        roles = (Role.SERVICE_USER, Role.CLINICIAN, Role.PEER_SUPPORT)
        for role, label in zip(roles, labels, strict=True):
            session = add_participant(session, role, label)
        self.session = session
        self.asked: list[str] = []

    def compose(self) -> ComposeResult:
        yield PersonBar()

    def on_mount(self) -> None:
        bar = self.query_one(PersonBar)
        bar.show(self.session, self.session.participants[0].id, "2 notes · 1 question to ask")

    def on_active_person(self, message: ActivePerson) -> None:
        self.asked.append(message.participant_id)


def _grid_ref():
    from sdm_tui.core.session import GridRef

    return GridRef(id="example-grid", version="1", content_hash="0" * 64)


async def test_person_bar_shortens_names_only_when_it_must_and_clicks_ask_for_a_person() -> None:
    labels = ("Service user Alpha", "Doctor Bravo Example", "Peer Charlie")
    app = BarApp(labels)
    async with app.run_test(size=(140, 3)) as pilot:
        bar = app.query_one(PersonBar)
        assert bar.labels() == ["▶ Service user Alpha", "  Doctor Bravo Example", "  Peer Charlie"]
        assert "Switch:" in str(bar.render())
        await pilot.resize_terminal(80, 3)
        await pilot.pause()
        assert bar.labels() == ["▶ Service u…", "  Doctor Br…", "  Peer Char…"]
        doctor = app.session.participants[1].id
        await pilot.click(bar, offset=bar.offset_of(doctor))
        assert app.asked == [doctor]
        await pilot.click(bar, offset=(0, 0))  # the lead is not a person
        assert app.asked == [doctor]


async def test_the_note_count_is_shown_whole_or_not_at_all() -> None:
    labels = ("Service user Alpha", "Doctor Bravo Example", "Peer Charlie")
    app = BarApp(labels)
    async with app.run_test(size=(200, 3)) as pilot:
        bar = app.query_one(PersonBar)
        assert str(bar.render()).rstrip().endswith("2 notes · 1 question to ask")
        for width in range(60, 200, 3):
            await pilot.resize_terminal(width, 3)
            await pilot.pause()
            drawn = str(bar.render()).rstrip()
            ends_whole = drawn.endswith("2 notes · 1 question to ask")
            assert ends_whole or ("note" not in drawn and not drawn.endswith("2")), drawn
