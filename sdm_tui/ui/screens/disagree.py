"""Modals for disagreements: each side's view in their own words, and naming a new one."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from sdm_tui.core.session import Disagreement, Participant
from sdm_tui.ui.screens.dialog import SaveCancelDialog
from sdm_tui.ui.widgets.marks import Tick


class DockedActions(Horizontal):
    """The docked row of buttons: drawn over the bottom of the dialog, last in Tab order.

    Textual orders Tab by position on the screen, so a docked row would come before
    any view box scrolled below it (with three people, Tab went from the second
    person's box to the buttons). Sorting it last keeps Tab going person to person.
    """

    @property
    def _focus_sort_key(self) -> tuple[int, int]:
        return (1 << 30, 0)


@dataclass(frozen=True)
class DisagreementViews:
    """What the room wrote: each person's view (by participant id) and the status."""

    disagreement_id: str
    views: dict[str, str]
    talked_through: bool


class DisagreementScreen(SaveCancelDialog[DisagreementViews]):
    """Each side's view of one disagreement; Save keeps them, Escape changes nothing."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", priority=True, show=False),
    ]

    def __init__(self, disagreement: Disagreement, voices: tuple[Participant, ...]) -> None:
        super().__init__()
        self.disagreement = disagreement
        self.voices = voices

    def compose(self) -> ComposeResult:
        item = self.disagreement
        status = "✓ talked through" if item.status == "talked-through" else "⚠ still open"
        with VerticalScroll(classes="dialog", id="disagree-dialog"):
            yield Static("Where we differ", classes="heading", markup=False)
            yield Static(f"{item.subject}  ({status})", id="disagree-subject", markup=False)
            yield Static(
                "Each person says, in their own words, how they see this. Tab moves on; "
                "Ctrl+S saves; Escape closes without changing anything.",
                classes="hint",
                markup=False,
            )
            if not self.voices:
                yield Static("Add people in team talk first.", markup=False)
            for person in self.voices:
                yield Label(f"{person.display} says:", classes="view-label", markup=False)
                area = TextArea(
                    item.views.get(person.id, ""),
                    id=f"view-{person.id}",
                    classes="view",
                    soft_wrap=True,
                    tab_behavior="focus",
                )
                yield area
            # Docked: always in view however many people there are.
            with DockedActions(classes="buttons", id="disagree-actions"):
                yield Tick(
                    "We have talked this through",
                    item.status == "talked-through",
                    id="talked-through",
                )
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        areas = self.query(TextArea)
        if areas:
            areas.first().focus()
        else:
            self.query_one("#talked-through", Checkbox).focus()

    def action_save(self) -> None:
        views = {p.id: self.query_one(f"#view-{p.id}", TextArea).text for p in self.voices}
        talked = self.query_one("#talked-through", Checkbox).value
        self.dismiss(DisagreementViews(self.disagreement.id, views, talked))


class NameDisagreementScreen(ModalScreen[str | None]):
    """Name a disagreement the rule did not find, in a few words."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="name-dialog"):
            yield Static("Name a disagreement", classes="heading", markup=False)
            yield Static(
                "In a few words, what do you see differently? Enter saves; Escape cancels.",
                classes="hint",
                markup=False,
            )
            yield Input(
                placeholder="for example: whether to stop for a while",
                max_length=200,
                id="subject",
            )
            yield Static("", id="name-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Add (Enter)", id="add", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        if not subject:
            self.query_one("#name-error", Static).update(
                "Say in a few words what the disagreement is about."
            )
            return
        self.dismiss(subject)

    @on(Input.Submitted, "#subject")
    def _submitted(self) -> None:
        self._submit()

    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        self._submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
