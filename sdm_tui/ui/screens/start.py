"""Choose the option grid for a new consultation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.ui.widgets.cursor import CursorOptionList

if TYPE_CHECKING:
    from sdm_tui.ui.app import SdmApp


class ChooseGrid(ModalScreen[str | None]):
    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp
    BINDINGS = [("escape", "dismiss(None)", "Back")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Which decision are you making today?", classes="heading", markup=False)
            options = [
                Option(f"{grid.title}\n  {grid.decision}", id=grid.id)
                for grid in self.app.catalog.grids.values()
            ]
            yield CursorOptionList(*options, id="grid-choice")
            yield Static("Enter to choose · Escape to go back", classes="hint", markup=False)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
