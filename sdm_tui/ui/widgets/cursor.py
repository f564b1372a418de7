"""The cursor shown by a mark as well as shading, in option lists.

Textual shows the highlighted option by shading only, which NO_COLOR or a monochrome
screen removes. `CursorOptions` puts "▶ " before the highlighted option while the list
has focus (">" in ASCII mode, core/glyphs.py). Kept apart from marks.py so Home, the
first screen, imports no more of Textual than the option list it shows. The command
palette's list: widgets/palette.py.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import OptionList

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
