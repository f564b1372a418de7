"""The one shape every Save / Cancel dialog shares.

The action button is on the left and saves (Ctrl+S or Enter on it); the way back
is on the right and closes without a change (Escape), as in every other dialog.
Subclasses compose their fields, end with `yield from self.save_cancel()` and
write `action_save`.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button

ResultT = TypeVar("ResultT")


class SaveCancelDialog(ModalScreen[ResultT | None]):
    def save_cancel(self, save: str = "Save (Ctrl+S)") -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(save, id="save", variant="primary")
            yield Button("Cancel (Esc)", id="cancel")

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
