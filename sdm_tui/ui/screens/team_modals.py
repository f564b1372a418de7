"""Asking before removing a person from the consultation (team talk)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from sdm_tui.ui.screens.confirm import YesNo


class ConfirmRemove(YesNo):
    """Remove `display` ("label (role)")? Anything they said is removed too."""

    action_label = "Remove"
    action_variant = "error"
    back_label = "Keep"

    def __init__(self, display: str) -> None:
        super().__init__()
        self.display_text = display

    def body(self) -> ComposeResult:
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
