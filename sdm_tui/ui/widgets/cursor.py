"""The cursor shown by a mark as well as shading, in option lists.

Textual shows the highlighted option by shading only, which NO_COLOR or a monochrome
screen removes. `CursorOptions` puts "▶ " before the highlighted option while the list
has focus (">" in ASCII mode, core/glyphs.py). Kept apart from marks.py so Home, the
first screen, imports no more of Textual than the option list it shows (and the command
palette, which Textual's App imports anyway).
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.command import CommandInput, CommandList, CommandPalette, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.strip import Strip
from textual.widgets import Button, LoadingIndicator, OptionList

CURSOR = "▶"  # the item where the keys go
GUTTER = 2  # "▶ " before the item at the cursor, two blanks before the others


def with_cursor(strip: Strip, marked: bool) -> Strip:
    """`strip` with "▶ " (or two blanks) in front, in the style of its first cell."""
    first = next(iter(strip), None)
    style = first.style if first is not None else None
    mark = f"{CURSOR} " if marked else " " * GUTTER
    return Strip([Segment(mark, style), *strip], strip.cell_length + GUTTER)


class CursorOptions:
    """For OptionList and its kin: "▶ " before the highlighted option while the list has
    focus. Put it first among the bases: it widens the gutter the list keeps on the left."""

    def _get_left_gutter_width(self) -> int:
        return super()._get_left_gutter_width() + GUTTER  # type: ignore[misc]

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)  # type: ignore[misc]
        return self._cursor_line(strip, y)

    def _cursor_line(self, strip: Strip, y: int) -> Strip:
        options: OptionList = self  # type: ignore[assignment]
        try:
            index, line = options._lines[options.scroll_offset.y + y]
        except IndexError:
            return strip  # a blank line under the last option: already full width
        marked = line == 0 and index == options.highlighted and self._cursor_shown()
        return with_cursor(strip, marked)

    def _cursor_shown(self) -> bool:
        """Where the keys go: the list with the focus."""
        return self.has_focus  # type: ignore[attr-defined]


class CursorOptionList(CursorOptions, OptionList):
    """An OptionList that marks the highlighted option with "▶" while focused."""


class CursorCommandList(CursorOptions, CommandList):
    """The command palette's list: its typing box keeps the focus and the arrows move
    the highlight here, so the highlighted command is always marked."""

    def _cursor_shown(self) -> bool:
        return True


class MarkedCommandPalette(CommandPalette):
    """Textual's command palette (8.2.8, compose copied) with `CursorCommandList`."""

    def compose(self) -> ComposeResult:
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield CommandInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield CursorCommandList()
                yield LoadingIndicator()
