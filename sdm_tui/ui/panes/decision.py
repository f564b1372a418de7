"""Scaffold: replaced by the real pane."""

from __future__ import annotations

from textual.widgets import Static

from sdm_tui.ui.panes.base import Pane


class DecisionPane(Pane):
    def compose(self):  # noqa: ANN201
        yield Static("decision")
