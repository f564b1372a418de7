"""Team talk's widgets: the layout, one person's row, and the words they show.

The pane (panes/team.py) composes `team_widgets` and keeps the widgets in step with the
session; the ids here are the ones it queries. Everything people type is shown
literally (markup off, or Content built from plain strings).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, RadioSet, Static, TextArea
from textual.widgets.selection_list import Selection

from sdm_tui.core.grid import GridOption, OptionGrid, OptionKind
from sdm_tui.core.session import (
    INVOLVEMENT_TEXT,
    ROLE_NAMES,
    CarerConsent,
    Participant,
    Role,
    Session,
)
from sdm_tui.ui.widgets.marks import CursorSelect, MarkedSelectionList, Radio

LABEL_PLACEHOLDER = "Label, e.g. Me or Mum — not a full name"
REF_PLACEHOLDER = "e.g. SU-0042 — never a name"

CONSENT_TEXT: dict[CarerConsent, str] = {
    CarerConsent.NOT_ASKED: "Not asked yet",
    CarerConsent.YES: "Yes, the carer may take part",
    CarerConsent.NO: "No, the carer's views are not recorded",
}

ALWAYS = {OptionKind.NO_CHANGE: "no change", OptionKind.STOP: "stop"}


def person_text(session: Session, person: Participant) -> str:
    """`label (role)` plus whether their views are recorded; plain text, never markup."""
    text = person.display
    if person.role == Role.OBSERVER:
        text += " · watching, views not recorded"
    elif person.role == Role.CARER and not session.may_give_views(person):
        text += " · views not recorded"
    return text


def option_prompt(option: GridOption) -> Content:
    """One option for the list, one line: its name and tags, all literal."""
    parts: list[str | tuple[str, str]] = [(option.name, "bold")]
    if option.kind in ALWAYS:
        parts.append(("  · always available (" + ALWAYS[option.kind] + ")", "italic"))
    if option.note:
        parts.append(("  · note below", "dim"))
    return Content.assemble(*parts)


def option_note(option: GridOption) -> Content:
    """The highlighted option's note, shown under the list (nothing when it has none)."""
    if not option.note:
        return Content("")
    return Content.assemble((option.name, "bold"), ": " + option.note)


class PersonRow(Horizontal):
    """One person: `label (role)` and a Remove button."""

    def __init__(self, person_id: str, text: str) -> None:
        super().__init__(classes="team-person")
        self.person_id = person_id
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, classes="team-person-text", markup=False)
        button = Button("Remove", classes="team-remove", compact=True)
        button.tooltip = "Remove this person from the consultation"
        yield button


def team_widgets(grid: OptionGrid) -> ComposeResult:
    """Every widget of team talk, in order (TeamTalkPane.compose)."""
    with VerticalScroll(id="team-scroll", can_focus=False):
        with Horizontal(id="team-columns"):
            with Vertical(id="team-left", classes="team-col"):
                yield Static("Who is here", classes="heading")
                yield Static(
                    "Choose each person's role, then a short label you agree on "
                    "(e.g. Me, Mum, Care coordinator). Never a full name.",
                    classes="hint",
                )
                yield Vertical(id="team-people")
                with Horizontal(id="team-add"):
                    yield CursorSelect(
                        [(ROLE_NAMES[role], role) for role in Role],
                        value=Role.SERVICE_USER,
                        allow_blank=False,
                        id="team-role",
                        tooltip="Role of the person to add",
                    )
                    yield Input(placeholder=LABEL_PLACEHOLDER, max_length=24, id="team-label")
                    yield Button("Add", id="team-add-button", variant="primary")
                yield Static("", id="team-label-error", classes="error", markup=False)
                with Vertical(id="team-consent-box"):
                    yield Static("May the carer take part?", classes="heading")
                    yield Static("", id="team-consent-question", markup=False)
                    yield RadioSet(
                        *[
                            Radio(
                                CONSENT_TEXT[c],
                                value=c == CarerConsent.NOT_ASKED,
                                id=f"team-consent-{c.value}",
                            )
                            for c in CarerConsent
                        ],
                        id="team-consent",
                    )
                    yield Static(
                        "If you say no, nothing the carer says is recorded. "
                        "Until you say yes, the carer's views are not recorded.",
                        classes="hint",
                    )
                yield Static("Service user reference", classes="heading")
                yield Static(
                    "A code that is not a name, so the record stays private.", classes="hint"
                )
                yield Input(placeholder=REF_PLACEHOLDER, max_length=32, id="team-ref")
                yield Static("", id="team-ref-error", classes="error", markup=False)
            with Vertical(id="team-right", classes="team-col"):
                yield Static("The decision to make", classes="heading")
                yield Static(
                    "Option grid: " + grid.title,
                    id="team-grid-title",
                    classes="hint",
                    markup=False,
                )
                yield Input(
                    max_length=200,
                    id="team-decision",
                    placeholder="The decision, in plain words",
                )
                yield Static("Options to compare", classes="heading")
                yield MarkedSelectionList[str](
                    *[Selection(option_prompt(o), o.id) for o in grid.options],
                    id="team-options",
                )
                if any(o.note for o in grid.options):
                    yield Static(
                        "Move through the list to read each option's note here.",
                        id="team-option-note",
                        classes="hint",
                        markup=False,
                    )
                yield Static("", id="team-options-count", markup=False)
                # Written beforehand (issue #17): read-only, never reworded.
                yield Static("", id="team-prepared", markup=False)
                yield Static(
                    "What matters to the service user, in their own words", classes="heading"
                )
                yield TextArea(id="team-matters", soft_wrap=True, tab_behavior="focus")
                yield Static("How involved do you want to be in deciding?", classes="heading")
                yield RadioSet(
                    *[
                        Radio(text, id=f"team-inv-{inv.value}")
                        for inv, text in INVOLVEMENT_TEXT.items()
                    ],
                    id="team-involvement",
                )
        yield Static("", id="team-todo", markup=False)
        yield Button("Next: option talk ›", id="team-next", variant="primary")
