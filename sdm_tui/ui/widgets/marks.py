"""Marks, not colour alone: chosen items, and the cursor.

Textual draws a chosen and an unchosen radio button with the same "●" and tells
them apart by colour only. On a shared screen, in high contrast or for someone
who does not see colour well, that is not enough: here a chosen item shows a
mark ("●" or "✓") and an unchosen one shows a blank.

Likewise the cursor (where the keys go): Textual shows it by shading only, which
NO_COLOR or a monochrome screen removes. Here the focused list's highlighted option,
the radio button at the cursor, a focused checkbox, a focused table's row and the
focused grid cell (grid_view.py) are marked "▶" as well as shaded.

Every symbol drawn here has an ASCII mark (core/glyphs.py), drawn instead on the
Linux console or with --ascii (ui/ascii.py). Option lists: widgets/cursor.py.
"""

from __future__ import annotations

from typing import Generic

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style as ContentStyle
from textual.widgets import Checkbox, DataTable, RadioButton, RadioSet, Select, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from sdm_tui.ui.textual_compat import (
    CellType,
    SelectCurrent,
    SelectionType,
    SelectOverlay,
    SelectType,
    ToggleButton,
    toggle_button_face,
)
from sdm_tui.ui.widgets.cursor import CURSOR, CursorOptions

# Chosen or not ---------------------------------------------------------------------


class Radio(RadioButton):
    """A radio button that shows ● only when chosen, and "▶" when it is the cursor of a
    focused radio set."""

    @property
    def _button(self) -> Content:
        content = toggle_button_face(self)
        if self.value:
            return content
        return Content.assemble(*[(span_text, style) for span_text, style in _pieces(content)])

    def render(self) -> Content:
        parent = self.parent
        at_cursor = (
            self.has_class("-selected") and isinstance(parent, RadioSet) and parent.has_focus
        )
        return _cursor_content(super().render(), at_cursor)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return super().get_content_width(container, viewport) + MARK_CELLS


class Tick(Checkbox):
    """A checkbox that shows ✓ only when ticked, and "▶" when focused."""

    BUTTON_INNER = "✓"

    @property
    def _button(self) -> Content:
        content = toggle_button_face(self)
        if self.value:
            return content
        return Content.assemble(*[(span_text, style) for span_text, style in _pieces(content)])

    def render(self) -> Content:
        return _cursor_content(super().render(), self.has_focus)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return super().get_content_width(container, viewport) + MARK_CELLS


MARK_CELLS = 1  # one cell, not two: radio sets laid out in a row (scores) stay narrow


def _cursor_content(content: Content, at_cursor: bool) -> Content:
    """The button with the cursor mark (or a blank) before it; the width counts it."""
    return Content.assemble(CURSOR if at_cursor else " ", content)


def _pieces(content: Content) -> list[tuple[str, ContentStyle | str]]:
    """The button's three parts, with the inner mark blanked."""
    plain = content.plain
    parts: list[tuple[str, ContentStyle | str]] = []
    for span in content.spans:
        parts.append((plain[span.start : span.end], span.style))
    if len(parts) == 3:
        parts[1] = (" " * len(parts[1][0]), parts[1][1])
    return parts


# The cursor in lists and tables ----------------------------------------------------


class MarkedSelectionList(CursorOptions, SelectionList[SelectionType], Generic[SelectionType]):
    """A selection list that shows ✓ beside chosen items and a blank beside the rest,
    and "▶" beside the highlighted one while focused."""

    def render_line(self, y: int) -> Strip:
        strip = SelectionList.render_line(self, y)
        segments = list(strip)
        if len(segments) >= 3 and segments[1].text == ToggleButton.BUTTON_INNER:
            try:
                selection = self.get_option_at_index(self.scroll_offset.y + y)
            except OptionDoesNotExist:
                return strip
            mark = "✓" if selection.value in self._selected else " "
            segments[1] = Segment(mark, segments[1].style)
            strip = Strip(segments, strip.cell_length)
        return self._cursor_line(strip, y)


class CursorSelectOverlay(CursorOptions, SelectOverlay):
    """The drop-down list of `CursorSelect`."""


class CursorSelect(Select[SelectType], Generic[SelectType]):
    """A Select whose open list marks the highlighted choice with "▶"."""

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield CursorSelectOverlay(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact
        )


class CursorDataTable(DataTable[CellType], Generic[CellType]):
    """A DataTable with a row cursor that marks that row "▶" (in the first cell's left
    padding) while focused."""

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        strip = super()._render_line(y, x1, x2, base_style)
        if self.cursor_type != "row" or not self.has_focus or not self.row_count:
            return strip
        try:
            row_key, line = self._get_offsets(y)
        except LookupError:
            return strip
        row = self._row_locations.get(row_key)
        if line or row != self.cursor_row or not strip.cell_length:
            return strip
        first = next(iter(strip.crop(0, 1)), None)
        style = first.style if first is not None else base_style
        return Strip([Segment(CURSOR, style), *strip.crop(1)], strip.cell_length)
