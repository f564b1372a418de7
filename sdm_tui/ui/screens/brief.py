"""Role-play briefs (F7): choose whose brief to read, then read only that one.

Players share one screen, so a private brief is shown only when its player
asks, one at a time, and hidden again with the same key (F7) or Escape. Brief
text appears nowhere else in the app: not in the chooser, the preview, the
record or the debrief.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import ROLE_NAMES
from sdm_tui.ui.widgets.cursor import CursorOptionList

SETTING = "setting"


class BriefChooser(ModalScreen[str | None]):
    """Returns "setting", "role-N" (the scenario's N-th role), or None."""

    CSS_PATH = "training.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("f7", "dismiss(None)", "Close", priority=True),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        options = [Option("The setting: for everyone to read", id=SETTING)]
        options += [
            Option(f"{role.label} — {ROLE_NAMES[role.role]} (private)", id=f"role-{i}")
            for i, role in enumerate(self.scenario.roles)
        ]
        with Vertical(classes="dialog", id="brief-choice-dialog"):
            yield Static("Whose brief?", classes="heading", markup=False)
            yield Static(
                "A private brief is for its player only: everyone else, please look away "
                "before Enter.",
                classes="hint",
                markup=False,
            )
            yield CursorOptionList(*options, id="brief-choice")
            yield Static("Enter shows it · Escape or F7 goes back", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#brief-choice", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class BriefScreen(ModalScreen[None]):
    """One brief, shown until F7 or Escape hides it."""

    CSS_PATH = "training.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Hide"),
        Binding("f7", "dismiss(None)", "Hide", priority=True),
    ]

    def __init__(self, scenario: Scenario, choice: str) -> None:
        super().__init__()
        self.scenario = scenario
        self.choice = choice

    def _content(self) -> tuple[str, str, str]:
        """(title, who may read it, text) for the choice."""
        if self.choice == SETTING:
            return (
                f"The setting: {self.scenario.title}",
                "Everyone reads this.",
                self.scenario.setting,
            )
        role = self.scenario.roles[int(self.choice.removeprefix("role-"))]
        return (
            f"Private brief for {role.label} ({ROLE_NAMES[role.role]})",
            f"Only {role.label} should read this.",
            role.brief,
        )

    def compose(self) -> ComposeResult:
        title, who, text = self._content()
        with Vertical(classes="dialog", id="brief-dialog"):
            yield Static(Text(title, style="bold"), id="brief-title")
            yield Static(f"{who} ↑↓ scroll · F7 or Escape hides it.", classes="hint", markup=False)
            with VerticalScroll(id="brief-body"):
                yield Static(text, id="brief-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Hide (F7 or Esc)", id="hide", variant="primary", compact=True)

    def on_mount(self) -> None:
        # The text has the focus, so arrows and Page Down scroll a long brief.
        self.query_one("#brief-body", VerticalScroll).focus()

    @on(Button.Pressed, "#hide")
    def _hide(self) -> None:
        self.dismiss(None)
