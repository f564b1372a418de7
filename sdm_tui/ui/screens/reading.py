"""The reading view: the chosen options question by question, in words.

For someone using a screen reader or a magnifier, or who would rather read than scan a
table: each question, each option's answer with its level in words, how much it
matters to each person, then each person's leaning on each option (core/linear.py, the
same text as `sdm-tui grids show --linear`). No symbols, no columns; it fills the
screen and wraps to its width. Opened from option talk with r; r or Escape goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.linear import render, session_blocks
from sdm_tui.core.session import Session
from sdm_tui.ui.widgets.footer import Footer

PAD = 2  # the text's margin either side


class ReadingScreen(Screen[None]):
    """Read-only: what the grid says and what each person said, question by question."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to the grid"),
        Binding("r", "dismiss(None)", "Back to the grid", show=False),
    ]
    DEFAULT_CSS = """
    ReadingScreen #reading-body { height: 1fr; padding: 0 2; }
    ReadingScreen #reading-text { width: 1fr; }
    """

    def __init__(self, session: Session, grid: OptionGrid) -> None:
        super().__init__()
        self.blocks = session_blocks(session, grid)
        self.sub_title = "reading view: question by question"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reading-body"):
            yield Static(self.text(), id="reading-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reading-body").focus()

    def on_resize(self) -> None:
        self.query_one("#reading-text", Static).update(self.text())

    def text(self, width: int | None = None) -> Text:
        """The reading text, wrapped to `width` (default: the screen's, less margins)."""
        if width is None:
            width = max(self.size.width - 2 * PAD - 1, 20) if self.size.width else None
        return Text(render(self.blocks, width))

    @property
    def plain(self) -> str:
        """The text as shown (for tests and for copying)."""
        return self.text().plain
