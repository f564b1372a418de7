"""Scaffold: replaced by the real pane."""

from __future__ import annotations

from textual.widgets import Static

from sdm_tui.ui.panes.base import Pane


class SummaryPane(Pane):
    def compose(self):  # noqa: ANN201
        yield Static("summary")

    def save(self) -> None:
        pass
