"""Dialogs for issue #17 in a consultation: a preparation offered, concerns raised and
answered, and the plan if things get harder.

Every dialog follows the convention in confirm.py: the action first, the way back
last ("(Esc)"); dialogs with text boxes save with Ctrl+S.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    RadioSet,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from sdm_tui.core.concerns import concern_line
from sdm_tui.core.session import (
    CONCERN_KIND_TEXT,
    PLAN_PROMPTS,
    Concern,
    ConcernKind,
    Participant,
    Plan,
    Preparation,
    Session,
)
from sdm_tui.ui.screens.confirm import YesNo
from sdm_tui.ui.screens.dialog import SaveCancelDialog
from sdm_tui.ui.widgets.marks import Radio

RAISE_KEY = "ctrl+r"
NEW = "new"


class PlanAsked(Message):
    """Open the plan if things get harder (decision talk's button)."""


class OfferPreparation(YesNo):
    """A preparation was written for this reference: bring it in?"""

    action_label = "Yes, bring it in"
    back_label = "Not now (Esc)"

    def __init__(self, reference: str, preparation: Preparation) -> None:
        super().__init__()
        self.reference = reference
        self.preparation = preparation

    def body(self) -> ComposeResult:
        when = self.preparation.written
        day = f" on {when:%Y-%m-%d}" if when else ""
        yield Static("Written before the appointment", classes="heading", markup=False)
        yield Static(
            f"The service user wrote a preparation{day}, under {self.reference}. Bring it "
            "into this consultation? Their words show in team talk as they wrote them; "
            "nothing is changed.",
            markup=False,
        )


@dataclass(frozen=True)
class RaisedConcern:
    participant_id: str
    kind: ConcernKind
    words: str


class RaiseConcernScreen(SaveCancelDialog[RaisedConcern]):
    """Who is worried, what kind of worry, and their words."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", priority=True, show=False),
    ]

    def __init__(self, voices: tuple[Participant, ...], talk: str) -> None:
        super().__init__()
        self.voices = voices
        self.talk = talk

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="concern-dialog"):
            yield Static("Raise a concern", classes="heading", markup=False)
            yield Static(
                "Anyone here can say what worries them. It is kept in their words, and it "
                "needs a response before the consultation is finished. Ctrl+S saves; "
                "Escape closes without saving.",
                classes="hint",
                markup=False,
            )
            yield Label("Who is worried", markup=False)
            with RadioSet(id="concern-who"):
                for i, person in enumerate(self.voices):
                    yield Radio(person.display, value=i == 0, name=person.id)
            yield Label("It is about", markup=False)
            with RadioSet(id="concern-kind"):
                for kind, words in CONCERN_KIND_TEXT.items():
                    yield Radio(words, value=kind == ConcernKind.OTHER, name=kind.value)
            yield Label("What worries them, in their words", markup=False)
            yield TextArea(id="concern-words", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="concern-error", classes="error", markup=False)
            yield from self.save_cancel()

    def on_mount(self) -> None:
        self.query_one("#concern-who", RadioSet).focus()

    def action_save(self) -> None:
        words = self.query_one("#concern-words", TextArea).text
        if not words.strip():
            self.query_one("#concern-error", Static).update(
                "Write what the worry is, in the person's own words."
            )
            self.query_one("#concern-words", TextArea).focus()
            return
        who = self.query_one("#concern-who", RadioSet).pressed_button
        kind = self.query_one("#concern-kind", RadioSet).pressed_button
        if who is None or not who.name:
            self.query_one("#concern-error", Static).update("Choose who is worried.")
            return
        chosen = ConcernKind(kind.name) if kind is not None and kind.name else ConcernKind.OTHER
        self.dismiss(RaisedConcern(who.name, chosen, words))


class ConcernListScreen(ModalScreen[str | None]):
    """The concerns so far: choose one to respond to, or raise a new one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", show=False)]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        options = [Option("+ Raise a new concern", id=NEW)]
        for concern in self.session.concerns:
            options.append(Option(_concern_option(self.session, concern), id=concern.id))
        with VerticalScroll(classes="dialog", id="concern-list-dialog"):
            yield Static("Concerns", classes="heading", markup=False)
            yield Static(
                "Enter on a concern records the response; Escape goes back.",
                classes="hint",
                markup=False,
            )
            yield OptionList(*options, id="concern-list")
            with Horizontal(classes="buttons"):
                yield Button("Back (Esc)", id="cancel")

    def on_mount(self) -> None:
        listed = self.query_one("#concern-list", OptionList)
        listed.focus()
        waiting = next((c for c in self.session.concerns if not c.has_response()), None)
        listed.highlighted = 1 + self.session.concerns.index(waiting) if waiting else 0

    @on(OptionList.OptionSelected, "#concern-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def _concern_option(session: Session, concern: Concern) -> str:
    if concern.status == "answered" and concern.response:
        state = "✓ answered"
    elif concern.status == "open" and concern.follow_up:
        state = "open, followed up"
    else:
        state = "⚠ needs a response"
    words = concern.words.replace("\n", " ")
    if len(words) > 60:
        words = words[:59] + "…"
    return f"{concern.id[1:]}. {state} · {concern_line(session, concern)}: {words}"


@dataclass(frozen=True)
class ConcernResponse:
    concern_id: str
    response: str
    answered: bool
    follow_up: str


class RespondScreen(SaveCancelDialog[ConcernResponse]):
    """The response to one concern: what was agreed, or that it stays open and who
    follows it up."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", priority=True, show=False),
    ]

    def __init__(self, session: Session, concern: Concern) -> None:
        super().__init__()
        self.session = session
        self.concern = concern

    def compose(self) -> ComposeResult:
        c = self.concern
        with VerticalScroll(classes="dialog", id="respond-dialog"):
            yield Static(f"Concern {c.id[1:]}", classes="heading", markup=False)
            yield Static(
                f"About {CONCERN_KIND_TEXT[c.kind]}, raised by {concern_line(self.session, c)}:",
                markup=False,
            )
            yield Static(c.words, id="respond-words", markup=False)
            yield Label("The response: what we agreed, or what happens next", markup=False)
            yield TextArea(c.response, id="respond-text", soft_wrap=True, tab_behavior="focus")
            still_open = c.status == "open" and bool(c.follow_up)  # new ones: answered
            with RadioSet(id="respond-status"):
                yield Radio("Answered today", value=not still_open, name="answered")
                yield Radio("Still open", value=still_open, name="open")
            yield Label("If it stays open: who follows it up, and when", markup=False)
            yield Input(c.follow_up, max_length=200, id="respond-follow-up")
            yield Static("", id="respond-error", classes="error", markup=False)
            yield from self.save_cancel()

    def on_mount(self) -> None:
        self.query_one("#respond-text", TextArea).focus()

    def action_save(self) -> None:
        response = self.query_one("#respond-text", TextArea).text.strip()
        pressed = self.query_one("#respond-status", RadioSet).pressed_button
        answered = pressed is not None and pressed.name == "answered"
        follow_up = self.query_one("#respond-follow-up", Input).value.strip()
        error = self.query_one("#respond-error", Static)
        if answered and not response:
            error.update("Write what was agreed, or choose 'Still open'.")
            return
        if not answered and not follow_up:
            error.update("Say who follows it up (for example: the nurse, this week).")
            self.query_one("#respond-follow-up", Input).focus()
            return
        self.dismiss(ConcernResponse(self.concern.id, response, answered, follow_up))


class PlanScreen(SaveCancelDialog[dict[str, str]]):
    """My plan if things get harder, in the service user's words."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", priority=True, show=False),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="plan-dialog"):
            yield Static("My plan if things get harder", classes="heading", markup=False)
            yield Static(
                "In the service user's own words. It goes on the first page of the "
                "handout, with the review date. Tab moves on; Ctrl+S saves; Escape closes "
                "without changing anything.",
                classes="hint",
                markup=False,
            )
            for key, prompt in PLAN_PROMPTS.items():
                yield Label(prompt, markup=False)
                yield TextArea(
                    getattr(self.plan, key),
                    id=f"plan-{key.replace('_', '-')}",
                    classes="plan-box",
                    soft_wrap=True,
                    tab_behavior="focus",
                )
            yield from self.save_cancel()

    def on_mount(self) -> None:
        self.query(TextArea).first().focus()

    def action_save(self) -> None:
        self.dismiss(
            {
                key: self.query_one(f"#plan-{key.replace('_', '-')}", TextArea).text
                for key in PLAN_PROMPTS
            }
        )


# Flows, for the consultation screen (it owns the session; these only ask it) --------


def raise_concern_flow(screen) -> None:  # screen: ConsultationScreen
    """The raise form, then the concern recorded in the talk that is open."""
    from sdm_tui.core import concerns as c

    if screen.session.completed is not None:
        screen.apply(lambda s: s)  # says the record is finished
        return
    voices = screen.session.voices()
    if not voices:
        screen.notify("Add the people here in team talk first.", severity="warning")
        return
    talk = screen.current_talk()

    def raised(result: RaisedConcern | None) -> None:
        if result is None:
            return
        if screen.apply(
            lambda s: c.raise_concern(
                s, result.participant_id, result.words, kind=result.kind, talk=talk
            )
        ):
            number = screen.session.concerns[-1].id[1:]
            screen.notify(
                f"Concern {number} recorded. It needs a response before finishing "
                "(Ctrl+R lists the concerns).",
                markup=False,
            )

    screen.app.push_screen(RaiseConcernScreen(voices, talk), raised)


def concerns_flow(screen) -> None:
    """Ctrl+R: straight to the raise form when there are none; else the list."""
    if not screen.session.concerns:
        raise_concern_flow(screen)
        return

    def chosen(choice: str | None) -> None:
        if choice == NEW:
            raise_concern_flow(screen)
        elif choice:
            respond_flow(screen, choice)

    screen.app.push_screen(ConcernListScreen(screen.session), chosen)


def respond_flow(screen, concern_id: str = "") -> None:
    from sdm_tui.core import concerns as c

    concerns = screen.session.concerns
    concern = next((x for x in concerns if x.id == concern_id), None)
    if concern is None:
        concern = next((x for x in concerns if not x.has_response()), None)
    if concern is None:
        concerns_flow(screen)
        return
    if screen.session.completed is not None:
        screen.apply(lambda s: s)
        return

    def responded(result: ConcernResponse | None) -> None:
        if result is None:
            return
        screen.apply(
            lambda s: c.respond_to_concern(
                s,
                result.concern_id,
                response=result.response,
                answered=result.answered,
                follow_up=result.follow_up,
            )
        )

    screen.app.push_screen(RespondScreen(screen.session, concern), responded)


def plan_flow(screen) -> None:
    from sdm_tui.core import concerns as c

    if screen.session.completed is not None:
        screen.apply(lambda s: s)
        return

    def saved(texts: dict[str, str] | None) -> None:
        if texts is not None:
            screen.apply(lambda s: c.set_plan(s, **texts))

    screen.app.push_screen(PlanScreen(screen.session.plan), saved)


def offer_preparation(screen) -> None:
    """When the session's reference has a preparation and none is in the session yet,
    offer it once per reference (never in a finished record)."""
    from sdm_tui.core import concerns as c
    from sdm_tui.core.fsutil import StoreError

    session = screen.session
    reference = session.service_user_ref
    offered: set[str] = screen.offered_preparations
    if (
        not reference
        or reference in offered
        or session.preparation is not None
        or session.completed is not None
    ):
        return
    offered.add(reference)
    try:
        found = screen.store.load_preparation(reference)
    except StoreError as exc:
        screen.notify(str(exc), title="Preparation not read", severity="warning", markup=False)
        return
    if found is None or found.is_empty():
        return

    def answered(yes: bool | None) -> None:
        if yes and screen.session.service_user_ref == reference:
            screen.apply(lambda s: c.bring_preparation(s, found))

    screen.app.push_screen(OfferPreparation(reference, found), answered)
