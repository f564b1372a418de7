"""Choose a training role-play scenario, with its public parts previewed.

The preview shows what every player may see (the title, the grid and options,
who plays whom, the setting and the learning goals), never a private brief.
Choosing one starts the role-play session (sdm_tui.core.training) and returns
it; Home opens it like any other consultation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui import __version__
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import ROLE_NAMES, Session, SessionError
from sdm_tui.core.training import start_role_play
from sdm_tui.ui.widgets.cursor import CursorOptionList
from sdm_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from sdm_tui.ui.app import SdmApp

VALIDATE = "sdm-tui scenarios validate"
MAX_PROBLEMS = 4


def preview(scenario: Scenario, grid: OptionGrid | None) -> Text:
    """The public parts of a scenario as Text (never markup)."""
    text = Text()
    text.append(scenario.title, style="bold")
    text.append("\n")
    names = {o.id: o.name for o in grid.options} if grid else {}
    text.append("Grid: ", style="bold")
    text.append(grid.title if grid else scenario.grid)
    text.append("\nOptions: ", style="bold")
    text.append(", ".join(names.get(o, o) for o in scenario.options))
    text.append("\nPlayers: ", style="bold")
    text.append(", ".join(f"{r.label} ({ROLE_NAMES[r.role]})" for r in scenario.roles))
    if any(r.role.value == "carer" for r in scenario.roles):
        text.append("\nThe carer may take part: ", style="bold")
        text.append("yes, agreed before" if scenario.carer_consent else "to be asked in the play")
    text.append("\n\nThe setting (everyone reads this)\n", style="bold underline")
    text.append(scenario.setting)
    text.append("\n\nLearning goals (the observer marks them)\n", style="bold underline")
    for goal in scenario.goals:
        text.append(f"• {goal.text}\n")
    return text


class ChooseScenario(Screen[Session | None]):
    """Returns the new role-play session, or None (Escape)."""

    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp

    CSS_PATH = "training.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def compose(self) -> ComposeResult:
        app = self.app
        scenarios = app.scenarios.scenarios.values()
        yield Header()
        with Vertical(id="scenario-choice"):
            yield Static("◎ Training role-play: choose a scenario", classes="heading")
            yield Static(
                "A practice consultation with invented people. It is saved as training, "
                "apart from clinical records. ↑↓ to look · Tab to read more · Enter starts · "
                "Escape goes back.",
                classes="hint",
                markup=False,
            )
            yield CursorOptionList(
                *[Option(s.title, id=s.id) for s in scenarios],
                id="scenario-list",
            )
            with VerticalScroll(id="scenario-preview"):
                yield Static("", id="scenario-text", markup=False)
            yield Static("", id="scenario-problems", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        listing = self.query_one("#scenario-list", OptionList)
        problems = self.app.scenarios.problems
        folder = self.app.scenarios_dir
        note = self.query_one("#scenario-problems", Static)
        if listing.option_count:
            listing.highlighted = 0
            listing.focus()
            if problems:
                files = sorted({p.file for p in problems})
                note.update(
                    f"⚠ {len(files)} scenario file(s) could not be used. Run "
                    f"'{VALIDATE} {folder}' to see why."
                )
            else:
                note.display = False
            return
        listing.display = False
        lines = [
            f"No role-play scenario can be used from {folder}.",
            f"Run '{VALIDATE} {folder}' to see what is wrong, or start sdm-tui with "
            "--scenarios DIR to use another folder.",
        ]
        if problems:
            lines += ["", *(f"• {p}" for p in problems[:MAX_PROBLEMS])]
            if len(problems) > MAX_PROBLEMS:
                lines.append(f"… and {len(problems) - MAX_PROBLEMS} more.")
        self.query_one("#scenario-text", Static).update("\n".join(lines))
        note.display = False

    @on(OptionList.OptionHighlighted, "#scenario-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        scenario = self.app.scenarios.get(event.option.id or "")
        if scenario is None:
            return
        grid = self.app.catalog.get(scenario.grid)
        self.query_one("#scenario-text", Static).update(preview(scenario, grid))
        self.query_one("#scenario-preview", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#scenario-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        scenario = self.app.scenarios.get(event.option.id or "")
        grid = self.app.catalog.get(scenario.grid) if scenario else None
        if scenario is None or grid is None:
            self.notify("This scenario's grid is not available.", severity="error")
            return
        try:
            session = start_role_play(scenario, grid, app_version=__version__)
        except SessionError as exc:
            self.notify(str(exc), title="Cannot start", severity="error", markup=False)
            return
        self.dismiss(session)
