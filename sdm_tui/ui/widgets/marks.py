"""Radio buttons, checkboxes and selection lists whose state shows as a mark, not colour.

Textual draws a chosen and an unchosen radio button with the same "●" and tells
them apart by colour only. On a shared screen, in high contrast or for someone
who does not see colour well, that is not enough: here a chosen item shows a
mark ("●" or "✓") and an unchosen one shows a blank.
"""

from __future__ import annotations

from typing import Generic

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._selection_list import SelectionType
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist


class Radio(RadioButton):
    """A radio button that shows ● only when chosen."""

    @property
    def _button(self) -> Content:
        content = ToggleButton._button.fget(self)  # type: ignore[attr-defined]
        if self.value:
            return content
        return Content.assemble(*[(span_text, style) for span_text, style in _pieces(content)])


class Tick(Checkbox):
    """A checkbox that shows ✓ only when ticked."""

    BUTTON_INNER = "✓"

    @property
    def _button(self) -> Content:
        content = ToggleButton._button.fget(self)  # type: ignore[attr-defined]
        if self.value:
            return content
        return Content.assemble(*[(span_text, style) for span_text, style in _pieces(content)])


def _pieces(content: Content) -> list[tuple[str, object]]:
    """The button's three parts, with the inner mark blanked."""
    plain = content.plain
    parts = []
    for span in content.spans:
        parts.append((plain[span.start : span.end], span.style))
    if len(parts) == 3:
        parts[1] = (" " * len(parts[1][0]), parts[1][1])
    return parts


class MarkedSelectionList(SelectionList[SelectionType], Generic[SelectionType]):
    """A selection list that shows ✓ beside chosen items and a blank beside the rest."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        mark = "✓" if selection.value in self._selected else " "
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
