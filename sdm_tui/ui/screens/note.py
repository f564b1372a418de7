"""Type a note, or a question to ask, in a person's own words."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class NoteScreen(ModalScreen[str | None]):
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
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Type something first, or press Escape to cancel.", severity="warning")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
