"""'Recording for: <label> (<role>)', always visible, with a button per person.

Reusable by any talk that records one person's views at a time. Clicking a
person posts ActivePerson, which the ConsultationScreen handles; the screen then
calls every pane's show(), and the pane passes the new state back here with
`show(session, active)`. All user text is shown literally (never as markup).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from sdm_tui.core.session import ROLE_NAMES, Session
from sdm_tui.ui.messages import ActivePerson

NO_ONE = "no one yet. Add people in team talk first (F2)."
NARROW = 110  # below this many cells, shorten button labels and drop "Switch:"
SHORT_LABEL = 10


class PersonButton(Button):
    """A compact button for one person; its label is plain text, never markup."""

    def __init__(self, participant_id: str, label: str, *, focusable: bool = True) -> None:
        super().__init__(Content(label), compact=True, classes="person")
        self.participant_id = participant_id
        self.person_label = label
        self.can_focus = focusable

    def mark(self, active: bool, narrow: bool = False) -> None:
        label = self.person_label
        if narrow and len(label) > SHORT_LABEL:
            label = label[: SHORT_LABEL - 1] + "…"
        marker = "▶ " if active else "  "
        self.label = Content(marker + label)
        self.set_class(active, "-active")


class PersonBar(Horizontal):
    """Who is being recorded, and a quick way to switch (click, or p / P in the talk)."""

    DEFAULT_CSS = """
    PersonBar {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $boost;
    }
    PersonBar > .lead {
        width: auto;
        color: $text-muted;
    }
    PersonBar > .who {
        width: auto;
        margin-right: 2;
        text-style: bold;
        color: $text;
    }
    PersonBar > .switch {
        width: auto;
        margin-right: 1;
        color: $text-muted;
    }
    PersonBar > PersonButton {
        width: auto;
        min-width: 6;
        margin-right: 1;
    }
    PersonBar > PersonButton.-active {
        text-style: bold;
        background: $primary 40%;
    }
    PersonBar > .switch.-none, PersonBar.-narrow > .switch {
        display: none;
    }
    PersonBar > .extra {
        width: 1fr;
        min-width: 0;
        text-align: right;
        color: $text-muted;
    }
    """

    def __init__(
        self,
        *,
        lead: str = "Recording for: ",
        focusable: bool = True,
        id: str | None = None,
    ) -> None:
        """`focusable=False` keeps the keyboard focus where it is (say, a table) on a click."""
        super().__init__(id=id)
        self.lead = lead
        self.focusable_buttons = focusable
        self._people: tuple[tuple[str, str], ...] | None = None
        self._shown: tuple[str, str] | None = None
        self.who = NO_ONE  # the words after the lead, exactly as shown
        self._active = ""

    def compose(self) -> ComposeResult:
        yield Static(self.lead, classes="lead", markup=False)
        yield Static(NO_ONE, classes="who", markup=False)
        yield Static("Switch:", classes="switch", markup=False)
        yield Static("", classes="extra", markup=False)

    def show(self, session: Session, active: str, extra: str = "") -> None:
        """Show `active` as the person recorded; rebuild buttons only when people change."""
        voices = session.voices()
        people = tuple((p.id, p.label) for p in voices)
        if people != self._people:
            self._people = people
            for button in self.query(PersonButton):
                button.remove()
            extra_widget = self.query_one(".extra", Static)
            buttons = [
                PersonButton(pid, label, focusable=self.focusable_buttons) for pid, label in people
            ]
            if len(buttons) > 1:
                self.mount_all(buttons, before=extra_widget)
            self.query_one(".switch", Static).set_class(len(buttons) < 2, "-none")
            self._shown = None
        person = next((p for p in voices if p.id == active), None)
        who = f"{person.label} ({ROLE_NAMES[person.role]})" if person else NO_ONE
        self.who = who
        if (who, extra) != self._shown:
            self._shown = (who, extra)
            self.query_one(".who", Static).update(Text(who))
            self.query_one(".extra", Static).update(Text(extra))
        self._active = active
        self._mark()

    def _mark(self) -> None:
        narrow = self.has_class("-narrow")
        for button in self.query(PersonButton):
            button.mark(button.participant_id == self._active, narrow)

    def on_resize(self) -> None:
        narrow = 0 < self.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self._mark()

    @on(Button.Pressed, "PersonButton")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button
        if isinstance(button, PersonButton):
            self.post_message(ActivePerson(button.participant_id))
