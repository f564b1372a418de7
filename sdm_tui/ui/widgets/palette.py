"""The command palette with its highlighted command marked "▶" (see widgets/cursor.py).

Imported when the palette is first opened (Ctrl+P), not at start-up.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.command import CommandInput, CommandList, CommandPalette, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator

from sdm_tui.ui.widgets.cursor import CursorOptions


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
