"""The virtual list draws only the rows in view, fetched a page at a time."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Footer

from sdm_tui.ui.widgets.virtual_list import VirtualList

COUNT = 100_000


class FakeSource:
    """Rows 0..count-1 as text; remembers every page asked for."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.asked: list[tuple[int, int]] = []

    def fetch(self, offset: int, limit: int) -> list[str]:
        self.asked.append((offset, limit))
        return [f"row {i}" for i in range(offset, min(offset + limit, self.count))]


def render_row(row: str, width: int) -> Text:
    return Text(row)


class ListApp(App[None]):
    def __init__(self, source: FakeSource) -> None:
        super().__init__()
        self.source = source
        self.highlighted: list[int] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield VirtualList(
            self.source.fetch, render_row, count=self.source.count, page_size=20, id="rows"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualList).focus()

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.highlighted.append(event.index)

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        self.selected.append(str(event.row))


def visible_text(app: ListApp) -> list[str]:
    rows = app.query_one(VirtualList)
    height = rows.scrollable_content_region.height
    return [rows.render_line(y).text.rstrip() for y in range(height)]


async def test_only_rows_in_view_are_fetched() -> None:
    source = FakeSource(COUNT)
    app = ListApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        rows = app.query_one(VirtualList)
        assert rows.virtual_size.height == COUNT
        lines = visible_text(app)
        assert lines[0] == "▶ row 0"
        assert lines[1] == "  row 1"
        # One screen of rows needs one page of 20; never the whole list.
        assert {offset for offset, _ in source.asked} == {0}
        await pilot.press("end")
        await pilot.pause()
        assert rows.cursor == COUNT - 1
        assert visible_text(app)[-1] == f"▶ row {COUNT - 1}"
        fetched = sum(limit for _, limit in source.asked)
        assert fetched <= 3 * 20
        assert app.highlighted[-1] == COUNT - 1


async def test_keys_move_the_cursor_and_enter_opens() -> None:
    source = FakeSource(200)
    app = ListApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        rows = app.query_one(VirtualList)
        height = rows.scrollable_content_region.height
        await pilot.press("down", "down", "up")
        assert rows.cursor == 1
        await pilot.press("pagedown")
        assert rows.cursor == 1 + height - 1
        await pilot.press("pageup", "pageup")
        assert rows.cursor == 0
        await pilot.press("up")  # stays at the top
        assert rows.cursor == 0
        await pilot.press("end", "enter")
        assert app.selected == ["row 199"]
        await pilot.press("home", "enter")
        assert app.selected == ["row 199", "row 0"]
        # The cursor row is always in view.
        await pilot.press(*["down"] * (height + 3))
        await pilot.pause()
        assert rows.scroll_offset.y == rows.cursor - height + 1
        assert visible_text(app)[-1] == f"▶ row {rows.cursor}"


async def test_mouse_click_moves_then_opens_and_wheel_scrolls() -> None:
    source = FakeSource(500)
    app = ListApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        rows = app.query_one(VirtualList)
        await pilot.click(VirtualList, offset=(5, 3))
        assert rows.cursor == 3
        assert app.selected == []
        await pilot.click(VirtualList, offset=(5, 3))  # the same row again opens it
        assert app.selected == ["row 3"]
        for _ in range(3):  # Pilot has no wheel: send what the terminal sends
            rows.post_message(events.MouseScrollDown(rows, 5, 3, 0, 1, 0, False, False, False))
        await pilot.pause()
        top = round(rows.scroll_offset.y)
        assert top > 0
        assert visible_text(app)[0].strip() == f"row {top}"


async def test_reset_starts_a_new_query_and_an_empty_list_says_so() -> None:
    source = FakeSource(300)
    app = ListApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        rows = app.query_one(VirtualList)
        await pilot.press("end")
        other = FakeSource(5)
        rows.reset(5, other.fetch)
        await pilot.pause()
        assert rows.cursor == 0
        assert rows.scroll_offset.y == 0
        assert visible_text(app)[:2] == ["▶ row 0", "  row 1"]
        assert rows.current == "row 0"
        rows.set_empty("No records match.")
        rows.reset(0)
        await pilot.pause()
        assert rows.current is None
        assert visible_text(app)[0] == "  No records match."
        await pilot.press("enter")  # nothing to open: no message, no error
        assert app.selected == []
