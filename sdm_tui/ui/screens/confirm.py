"""Asking before quitting an unfinished consultation."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmQuit(ModalScreen[bool]):
    BINDINGS = [
        ("escape", "dismiss(False)", "Stay"),
        ("left", "app.focus_previous", "Previous"),
        ("right", "app.focus_next", "Next"),
    ]

    def __init__(self, save_error: str = "") -> None:
        super().__init__()
        self.save_error = save_error

    def compose(self) -> ComposeResult:
        if self.save_error:
            text = (
                "Your latest changes could NOT be saved:\n"
                + self.save_error
                + "\n\nIf you quit now they will be lost. Stay, and save to another folder "
                "from the Summary talk."
            )
        else:
            text = (
                "This consultation is not finished. It is saved as a draft, so you can "
                "resume it from Home next time. Quit now?"
            )
        with Vertical(classes="dialog"):
            yield Static(text, markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Stay", id="stay", variant="primary")
                yield Button(
                    "Quit anyway" if self.save_error else "Quit",
                    id="quit",
                    variant="error" if self.save_error else "default",
                )

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
