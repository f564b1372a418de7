"""Asking before removing a person from the consultation (team talk)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmRemove(ModalScreen[bool]):
    """Remove `display` ("label (role)")? Anything they said is removed too."""

    BINDINGS = [
        ("escape", "dismiss(False)", "Keep"),
        ("left", "app.focus_previous", "Previous"),
        ("right", "app.focus_next", "Next"),
    ]

    def __init__(self, display: str) -> None:
        super().__init__()
        self.display_text = display

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-remove"):
            yield Static(
                "Remove " + self.display_text + " from this consultation?",
                classes="heading",
                markup=False,
            )
            yield Static(
                "Anything recorded for them in this session (ratings, leanings, "
                "notes, views) is removed too.",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep", id="keep", variant="primary")
                yield Button("Remove", id="remove", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "remove")
