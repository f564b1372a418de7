"""ASCII mode: on the Linux console (TERM=linux) or with --ascii, every symbol the
screen shows (ours and Textual's borders, buttons and scroll bars) is drawn as its
ASCII mark from core/glyphs.py, one cell for one cell, so the layout is unchanged."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from sdm_tui.core.glyphs import to_ascii


class AsciiFilter(LineFilter):
    """Applied to every line drawn, after the widgets: symbols become ASCII marks."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.text.isascii()
            else Segment(to_ascii(segment.text), segment.style, segment.control)
            for segment in segments
        ]
