"""A table of multi-line cells with a cell cursor, drawn line by line (Textual's Line API).

Made for the option talk, where every key press changes a few cells (a rating, a
leaning, the person recorded) and the screen must follow within a frame. Textual's
DataTable draws each changed row again from its cells and, for every line, works out
its component styles by walking up the DOM; switching person (all importance cells)
took 30 ms a frame and sideways scrolling about as much (benchmarks/keys.py).

Here every cell is turned into strips once, and kept until its text, the cursor on it
or the styles change. A line on screen is its fixed cells joined to the scrolling
cells, cropped at the sideways scroll: no wrapping, no style work.

- The header (`header_height` lines) and the first `fixed_rows` rows stay at the top;
  the first `fixed_columns` columns stay at the left; the rest scroll.
- Cell text is a `rich.text.Text` split on "\\n" into at most the row's height lines,
  cut to the column's width (callers wrap it first). It is never read as markup.
- Keys: arrows, Home/End (first/last column), Page Up/Down, Ctrl+Home/End (first/last
  row), Enter selects. Mouse: a click moves the cursor, a click on the cursor's cell
  (or a double click) selects; the wheel scrolls.
- The cursor's cell is shaded and, while the grid has the focus, framed "▶ … ◀" in its
  padding on its first line, so it shows without colour (NO_COLOR, monochrome).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAD = 1  # blank cells either side of a cell's text
CURSOR_LEFT = "▶"  # either side of the focused cell (">" and "<" in ASCII mode)
CURSOR_RIGHT = "◀"


@dataclass(frozen=True)
class GridColumn:
    key: str
    label: Text
    width: int  # the text's width; the column takes PAD more on each side

    @property
    def render_width(self) -> int:
        return self.width + 2 * PAD


@dataclass(frozen=True)
class GridRow:
    key: str
    height: int


class GridView(ScrollView, can_focus=True):
    """Columns and rows of text cells; only changed cells are ever drawn again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Answer"),
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("home", "edge('first_column')", "First column", show=False),
        Binding("end", "edge('last_column')", "Last column", show=False),
        Binding("ctrl+home", "edge('first_row')", "First row", show=False),
        Binding("ctrl+end", "edge('last_row')", "Last row", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "grid-view--header",
        "grid-view--fixed",
        "grid-view--even-row",
        "grid-view--cursor",
    }

    DEFAULT_CSS = """
    GridView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .grid-view--header { background: $panel; text-style: bold; }
        & > .grid-view--fixed { background: $surface; }
        & > .grid-view--even-row { background: $surface-lighten-1 20%; }
        & > .grid-view--cursor {
            background: $block-cursor-blurred-background;
            color: $foreground;
        }
        &:focus > .grid-view--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    # repaint=False: the watcher redraws just the two rows the cursor left and entered
    cursor_coordinate: reactive[Coordinate] = reactive(
        Coordinate(0, 0), repaint=False, always_update=False, init=False
    )

    class CellSelected(Message):
        """Enter, or a click on the cell at the cursor."""

        def __init__(self, grid_view: GridView, row_key: str, column_key: str) -> None:
            super().__init__()
            self.grid_view = grid_view
            self.row_key = row_key
            self.column_key = column_key

        @property
        def control(self) -> GridView:
            return self.grid_view

    def __init__(
        self,
        *,
        header_height: int = 1,
        fixed_rows: int = 0,
        fixed_columns: int = 0,
        zebra_stripes: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.header_height = header_height
        self.fixed_rows = fixed_rows
        self.fixed_columns = fixed_columns
        self.zebra_stripes = zebra_stripes
        self.columns: list[GridColumn] = []
        self.rows: list[GridRow] = []
        self._cells: dict[tuple[str, str], Text] = {}
        self._row_index: dict[str, int] = {}
        self._column_index: dict[str, int] = {}
        self._lefts: list[int] = []  # each column's x: from 0 (fixed) or from the fixed edge
        self._tops: list[int] = []  # each row's y: under the header (fixed) or in the body
        self._fixed_width = 0
        self._top_height = header_height
        self._cell_cache: dict[tuple[int, int, str], list[Strip]] = {}
        self._fixed_cache: dict[tuple[int, int], Strip] = {}  # (row, line): fixed columns
        self._scroll_cache: dict[tuple[int, int], Strip] = {}  # (row, line): the others
        self._styles: dict[str, Style] = {}

    # Data ------------------------------------------------------------------

    def set_grid(self, columns: list[GridColumn], rows: list[tuple[GridRow, list[Text]]]) -> None:
        """Replace everything: the columns, and each row with one Text per column."""
        self.columns = list(columns)
        self.rows = [row for row, _ in rows]
        self._cells = {}
        for row, cells in rows:
            if len(cells) != len(columns):
                raise ValueError(f"row {row.key!r} has {len(cells)} cells for {len(columns)}")
            for column, value in zip(columns, cells, strict=True):
                self._cells[(row.key, column.key)] = value
        self._row_index = {row.key: i for i, row in enumerate(self.rows)}
        self._column_index = {column.key: i for i, column in enumerate(self.columns)}
        self._measure()
        self._forget()
        at_row, at_column = self.cursor_coordinate
        self.cursor_coordinate = self.validate_cursor_coordinate(Coordinate(at_row, at_column))
        self._scroll_to_cursor()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def get_cell(self, row_key: str, column_key: str) -> Text:
        return self._cells[(row_key, column_key)]

    def update_cell(self, row_key: str, column_key: str, value: Text) -> None:
        """Change one cell's text; only the lines of its row are drawn again."""
        if (row_key, column_key) not in self._cells:
            raise KeyError(f"no cell {row_key!r}, {column_key!r}")
        self._cells[(row_key, column_key)] = value
        self._redraw_cell(self._row_index[row_key], self._column_index[column_key])

    def cell_key_at(self, coordinate: Coordinate) -> tuple[str, str]:
        """(row key, column key) at `coordinate`, or ("", "") when the grid is empty."""
        if not self.rows or not self.columns:
            return "", ""
        return self.rows[coordinate.row].key, self.columns[coordinate.column].key

    def _measure(self) -> None:
        fixed = self.columns[: self.fixed_columns]
        self._fixed_width = sum(c.render_width for c in fixed)
        self._lefts = _starts([c.render_width for c in fixed]) + _starts(
            [c.render_width for c in self.columns[self.fixed_columns :]]
        )
        heights = [r.height for r in self.rows]
        self._tops = _starts(heights[: self.fixed_rows]) + _starts(heights[self.fixed_rows :])
        self._top_height = self.header_height + sum(heights[: self.fixed_rows])
        scrolling = sum(c.render_width for c in self.columns[self.fixed_columns :])
        self.virtual_size = Size(self._fixed_width + scrolling, self._top_height + sum(heights))

    def _forget(self) -> None:
        self._cell_cache.clear()
        self._fixed_cache.clear()
        self._scroll_cache.clear()
        self._styles.clear()

    # Drawing -----------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()  # a new theme or focus: every cell's colours change

    def _on_focus(self, event: events.Focus) -> None:
        self._forget()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._forget()
        self.refresh()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "cell":
                style = self.get_visual_style().rich_style
            else:
                style = self.get_visual_style(f"grid-view--{name}").rich_style
            self._styles[name] = style
        return style

    def _cell_style(self, row: int, column: int, at_cursor: bool) -> Style:
        if at_cursor:
            return self._style("cursor")
        if row < 0:
            return self._style("header")
        if row < self.fixed_rows or column < self.fixed_columns:
            return self._style("fixed")
        if self.zebra_stripes and row % 2 == 0:
            return self._style("even-row")
        return self._style("cell")

    def _cell_lines(self, row: int, column: int) -> list[Strip]:
        """The cell's lines, each exactly its column's render width (row -1: header)."""
        at_cursor = row >= 0 and (row, column) == tuple(self.cursor_coordinate)
        key = (row, column, "cursor" if at_cursor else "")
        lines = self._cell_cache.get(key)
        if lines is not None:
            return lines
        spec = self.columns[column]
        if row < 0:
            text, height = spec.label, self.header_height
        else:
            text, height = self._cells[(self.rows[row].key, spec.key)], self.rows[row].height
        style = self._cell_style(row, column, at_cursor)
        console = self.app.console
        pad = Segment(" " * PAD, style)
        # The focused cell is framed "▶ … ◀" on its first line, not shown by shading alone.
        marked = at_cursor and self.has_focus
        left = Segment(CURSOR_LEFT, style) if marked else pad
        right = Segment(CURSOR_RIGHT, style) if marked else pad
        parts = text.split("\n", allow_blank=True)[:height]
        lines = []
        for number, part in enumerate(parts):
            segments = Segment.apply_style(part.render(console), style)
            body = Strip(segments).adjust_cell_length(spec.width, style)
            first = number == 0
            lines.append(
                Strip([left if first else pad, *body, right if first else pad], spec.render_width)
            )
        blank = Strip.blank(spec.render_width, style)
        lines.extend(blank for _ in range(height - len(lines)))
        self._cell_cache[key] = lines
        return lines

    def _row_line(self, row: int, line: int) -> tuple[Strip, Strip]:
        """A whole line of a row (row -1: the header), as (fixed part, scrolling part).

        The parts are kept apart so that a change in a fixed column (the importance
        column, on every switch of person) leaves the scrolling part as it was.
        """
        key = (row, line)
        fixed = self._fixed_cache.get(key)
        if fixed is None:
            cells = [self._cell_lines(row, c)[line] for c in range(self.fixed_columns)]
            fixed = self._fixed_cache[key] = Strip.join(cells)
        scrolling = self._scroll_cache.get(key)
        if scrolling is None:
            columns = range(self.fixed_columns, len(self.columns))
            scrolling = Strip.join([self._cell_lines(row, c)[line] for c in columns])
            self._scroll_cache[key] = scrolling
        return fixed, scrolling

    def _locate_line(self, y: int) -> tuple[int, int] | None:
        """(row, line in it) drawn at line y of the view; row -1 is the header."""
        if y < self.header_height:
            return -1, y
        if y < self._top_height:
            fixed_y = y - self.header_height
            row = bisect_right(self._tops, fixed_y, 0, self.fixed_rows) - 1
            return row, fixed_y - self._tops[row]
        body_y = y - self._top_height + round(self.scroll_offset.y)
        if self.fixed_rows >= len(self.rows):
            return None
        row = bisect_right(self._tops, body_y, self.fixed_rows, len(self.rows)) - 1
        if row < self.fixed_rows or body_y - self._tops[row] >= self.rows[row].height:
            return None
        return row, body_y - self._tops[row]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        where = self._locate_line(y) if self.columns else None
        if where is None:
            return Strip.blank(width, self._style("cell"))
        fixed, scrolling = self._row_line(*where)
        left = round(self.scroll_offset.x)
        shown = scrolling.crop(left, left + max(width - self._fixed_width, 0))
        return Strip.join([fixed, shown]).adjust_cell_length(width, self._style("cell"))

    def _redraw_cell(self, row: int, column: int) -> None:
        """Forget how one cell was drawn, and draw it again where it is on screen.

        Only the cell's own rectangle is marked for a new frame, so switching person
        sends the terminal the importance column, not every line of the grid again.
        """
        for at_cursor in ("", "cursor"):
            self._cell_cache.pop((row, column, at_cursor), None)
        part = self._fixed_cache if column < self.fixed_columns else self._scroll_cache
        for line in range(self.rows[row].height):
            part.pop((row, line), None)
        x, y = self.cell_offset(row, column)
        view = self.scrollable_content_region.size
        region = Region(x, y, self.columns[column].render_width, self.rows[row].height)
        if column >= self.fixed_columns:
            region = region.intersection(
                Region(self._fixed_width, 0, max(view.width - self._fixed_width, 0), view.height)
            )
        if row >= self.fixed_rows:
            region = region.intersection(
                Region(0, self._top_height, view.width, max(view.height - self._top_height, 0))
            )
        region = region.intersection(Region(0, 0, view.width, view.height))
        if region:
            self.refresh(region)

    # Cursor ------------------------------------------------------------------

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        row = max(0, min(value.row, len(self.rows) - 1))
        column = max(0, min(value.column, len(self.columns) - 1))
        return Coordinate(row, column)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        for row, column in (old, new):
            if row < len(self.rows) and column < len(self.columns):
                self._redraw_cell(row, column)
        self._scroll_to_cursor()

    def move_cursor(self, *, row: int | None = None, column: int | None = None) -> None:
        here = self.cursor_coordinate
        self.cursor_coordinate = self.validate_cursor_coordinate(
            Coordinate(here.row if row is None else row, here.column if column is None else column)
        )

    def _scroll_to_cursor(self) -> None:
        if not self.rows or not self.columns or not self.is_mounted:
            return
        row, column = self.cursor_coordinate
        view = self.scrollable_content_region.size
        x, y = round(self.scroll_offset.x), round(self.scroll_offset.y)
        if column >= self.fixed_columns:
            x = _into_view(
                x, self._lefts[column], self.columns[column].render_width,
                view.width - self._fixed_width,
            )  # fmt: skip
        if row >= self.fixed_rows:
            y = _into_view(
                y, self._tops[row], self.rows[row].height, view.height - self._top_height
            )
        if (x, y) != (round(self.scroll_offset.x), round(self.scroll_offset.y)):
            self.scroll_to(x=x, y=y, animate=False, immediate=True)

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def action_move(self, rows: int, columns: int) -> None:
        row, column = self.cursor_coordinate
        self.move_cursor(row=row + rows, column=column + columns)

    def action_edge(self, which: str) -> None:
        last_row, last_column = len(self.rows) - 1, len(self.columns) - 1
        target = {
            "first_column": {"column": 0},
            "last_column": {"column": last_column},
            "first_row": {"row": 0},
            "last_row": {"row": last_row},
        }[which]
        self.move_cursor(**target)

    def action_page(self, step: int) -> None:
        """Move by about a screenful of rows."""
        row = self.cursor_coordinate.row
        room = self.scrollable_content_region.height - self._top_height
        height = self.rows[row].height if self.rows else 1
        self.move_cursor(row=row + step * max(1, room // max(height, 1)))

    def action_select(self) -> None:
        row_key, column_key = self.cell_key_at(self.cursor_coordinate)
        if row_key:
            self.post_message(self.CellSelected(self, row_key, column_key))

    # Mouse -------------------------------------------------------------------

    def cell_at(self, x: int, y: int) -> Coordinate | None:
        """The cell drawn at (x, y) of the view, or None (header, blank or scrollbar)."""
        where = self._locate_line(y) if self.columns else None
        if where is None or where[0] < 0:
            return None
        if x < self._fixed_width:
            column = bisect_right(self._lefts, x, 0, self.fixed_columns) - 1
        else:
            scroll_x = x - self._fixed_width + round(self.scroll_offset.x)
            column = bisect_right(self._lefts, scroll_x, self.fixed_columns, len(self.columns)) - 1
            if column < self.fixed_columns:
                return None
            if scroll_x >= self._lefts[column] + self.columns[column].render_width:
                return None
        return Coordinate(where[0], column)

    def cell_offset(self, row: int, column: int) -> tuple[int, int]:
        """Where cell (row, column) starts on screen now (for tests that click)."""
        if column < self.fixed_columns:
            x = self._lefts[column]
        else:
            x = self._fixed_width + self._lefts[column] - round(self.scroll_offset.x)
        if row < self.fixed_rows:
            y = self.header_height + self._tops[row]
        else:
            y = self._top_height + self._tops[row] - round(self.scroll_offset.y)
        return x, y

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        cell = self.cell_at(offset.x, offset.y)
        if cell is None:
            return
        event.stop()
        if cell == self.cursor_coordinate or event.chain >= 2:
            self.cursor_coordinate = cell
            self.action_select()
        else:
            self.cursor_coordinate = cell


def _starts(sizes: list[int]) -> list[int]:
    """Where each of `sizes` starts when laid end to end from 0."""
    starts, at = [], 0
    for size in sizes:
        starts.append(at)
        at += size
    return starts


def _into_view(offset: int, start: int, size: int, room: int) -> int:
    """The scroll offset nearest `offset` that shows [start, start + size) in `room`."""
    if start < offset:
        return start
    if room > 0 and start + size > offset + room:
        return max(start + size - room, 0) if size <= room else start
    return offset
