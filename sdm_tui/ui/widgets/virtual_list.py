"""A one-line-per-row list that draws only the rows in view (Textual's Line API).

A clinic's records folder may hold 100,000 records. A DataTable or OptionList
builds every row up front; this list knows only how many rows there are and
asks `fetch(offset, limit)` for a page of rows when a line in view needs one,
keeping a few pages in a small cache. `reset()` starts again after a new query.

Keys: up/down, page up/down, home/end move the cursor; Enter opens the row.
Mouse: the wheel scrolls; a click moves the cursor; a second click on the same
row (or a double click) opens it. The cursor row shows "▶", not colour alone.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

T = TypeVar("T")

Fetch = Callable[[int, int], Sequence[T]]
RenderRow = Callable[[T, int], Text]

CURSOR_MARK = "▶ "
NO_MARK = "  "


class VirtualList(ScrollView, Generic[T], can_focus=True):
    """Rows fetched a page at a time; only the visible lines are ever rendered."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-list--row",
        "virtual-list--cursor",
        "virtual-list--empty",
    }

    DEFAULT_CSS = """
    VirtualList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        & > .virtual-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .virtual-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-list--empty {
            color: $text-muted;
        }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=False, init=False)

    class Highlighted(Message):
        """The cursor moved to another row (row is None when the list is empty)."""

        def __init__(self, virtual_list: VirtualList, index: int, row: object | None) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.virtual_list

    class Selected(Message):
        """Enter, or a second click, on a row."""

        def __init__(self, virtual_list: VirtualList, index: int, row: object) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.virtual_list

    def __init__(
        self,
        fetch: Fetch[T],
        render_row: RenderRow[T],
        *,
        count: int = 0,
        page_size: int = 64,
        max_pages: int = 16,
        empty: str = "Nothing to show.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._fetch = fetch
        self._render_row = render_row
        self.count = max(0, count)
        self.page_size = page_size
        self.max_pages = max_pages
        self.empty = empty
        self._pages: OrderedDict[int, Sequence[T]] = OrderedDict()
        self.fetches = 0  # how many pages were fetched: tests check only rows in view are read

    # Data ------------------------------------------------------------------

    def reset(
        self, count: int, fetch: Fetch[T] | None = None, *, keep_cursor: bool = False
    ) -> None:
        """A new query: forget cached rows, set the row count, cursor to the top unless kept."""
        if fetch is not None:
            self._fetch = fetch
        self._pages.clear()
        self.count = max(0, count)
        self.virtual_size = Size(0, self.count)
        cursor = min(self.cursor, self.count - 1) if keep_cursor else 0
        cursor = max(cursor, 0)
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        if cursor != self.cursor:
            self.cursor = cursor
        else:
            self._announce()
        self.refresh()

    def set_empty(self, message: str) -> None:
        self.empty = message
        if not self.count:
            self.refresh()

    def row_at(self, index: int) -> T | None:
        """The row at `index`, fetching its page if it is not cached."""
        if not 0 <= index < self.count:
            return None
        number, within = divmod(index, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._fetch(number * self.page_size, self.page_size)
            self.fetches += 1
            self._pages[number] = page
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[within] if within < len(page) else None

    @property
    def current(self) -> T | None:
        return self.row_at(self.cursor) if self.count else None

    # Drawing ---------------------------------------------------------------

    def on_mount(self) -> None:
        self.virtual_size = Size(0, self.count)
        super().on_mount()

    def _on_resize(self, _event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.get_visual_style("virtual-list--row").rich_style
        if not self.count:
            if y == 0 and self.empty:
                text = Text(NO_MARK + self.empty)
                text.truncate(width, overflow="ellipsis", pad=True)
                style = self.get_visual_style("virtual-list--empty").rich_style
                return Strip(text.render(self.app.console), width).apply_style(style)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        at_cursor = index == self.cursor
        text = Text(CURSOR_MARK if at_cursor else NO_MARK, no_wrap=True)
        text.append_text(self._render_row(row, max(width - len(NO_MARK), 1)))
        text.truncate(width, overflow="ellipsis", pad=True)
        visual = self.get_visual_style("virtual-list--cursor" if at_cursor else "virtual-list--row")
        return Strip(text.render(self.app.console), width).apply_style(visual.rich_style)

    # Cursor ------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.count - 1)) if self.count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.cursor, self.current))

    def _scroll_cursor_into_view(self) -> None:
        if not self.count or not self.is_mounted:
            return
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def refresh_line(self, y: int) -> None:
        """Refresh one row (by its index in the list)."""
        width = max(self.scrollable_content_region.width, 1)
        self.refresh(Region(0, y - round(self.scroll_offset.y), width, 1))

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.count - 1

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, self.cursor, row))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_offset.y) + offset.y
        if not 0 <= index < self.count:
            return
        event.stop()
        if index == self.cursor or event.chain >= 2:
            self.cursor = index
            self.action_select()
        else:
            self.cursor = index
