"""Type a note, or a question to ask, in a person's own words."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from sdm_tui.ui.screens.dialog import SaveCancelDialog


class NoteScreen(SaveCancelDialog[str]):
    """Returns the text typed, or None when cancelled (Escape or Cancel)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    DEFAULT_CSS = """
    NoteScreen #note-text {
        height: 8;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, who: str, *, question: bool = False) -> None:
        super().__init__()
        self.who = who
        self.question = question

    def compose(self) -> ComposeResult:
        if self.question:
            title = f"A question to ask, in the words of {self.who}"
            hint = "Type the question as they say it. It goes in the record and the summary."
        else:
            title = f"A note in the words of {self.who}"
            hint = "Type what they say, in their own words. It goes in the record and the summary."
        with Vertical(classes="dialog", id="note-dialog"):
            yield Static(Text(title, style="bold"), id="note-title", markup=False)
            yield Static(hint, classes="hint", markup=False)
            yield TextArea(id="note-text", soft_wrap=True, tab_behavior="focus")
            yield from self.save_cancel()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Type something first, or press Escape to cancel.", severity="warning")
            return
        self.dismiss(text)
