"""Decision talk: outcome, reason, stances, next steps, review date, certainty, feedback.

Every control compares what it would store with the session before asking for a
change, so setting a widget from a new session never loops back as an edit.
Per-person controls are rebuilt only when the people taking part change.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.events import DescendantBlur
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
    TextArea,
)

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    Answer3,
    Outcome,
    Participant,
    Session,
    SessionError,
    Stance,
)
from sdm_tui.core.text import clean, clean_line
from sdm_tui.core.transitions import (
    missing_for_completion,
    propose_review_date,
    set_certainty,
    set_decision,
    set_feedback,
    set_next_steps,
    set_stance,
)
from sdm_tui.ui.messages import Transition
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.textual_compat import clear_radio_set
from sdm_tui.ui.widgets.marks import Radio

OUTCOMES: list[tuple[Outcome, str]] = [
    (Outcome.CHOSEN, "We chose an option"),
    (Outcome.DEFERRED, "We will decide later"),
    (Outcome.NO_AGREEMENT, "We did not agree"),
]
STANCES: list[tuple[str, Stance]] = [
    ("Agree", Stance.AGREE),
    ("Go along with it", Stance.GO_ALONG),
    ("Disagree", Stance.DISAGREE),
]
ANSWERS: list[tuple[Answer3, str]] = [
    (Answer3.YES, "Yes"),
    (Answer3.UNSURE, "Unsure"),
    (Answer3.NO, "No"),
]
DATE_HELP = "Type the date as YYYY-MM-DD, for example 2027-03-14."


def _steps(text: str) -> tuple[str, ...]:
    return tuple(s for s in (clean_line(line, max_length=200) for line in text.splitlines()) if s)


def parse_review_date(text: str) -> date:
    """A date typed as YYYY-MM-DD, or SessionError with the fix."""
    text = text.strip()
    if not text:
        raise SessionError("Type a review date. " + DATE_HELP)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        raise SessionError(f"{text} is not a real date. " + DATE_HELP)
    raise SessionError(DATE_HELP)


def _set_radio(radio_set: RadioSet, index: int | None) -> None:
    """Press button `index` (None: none) without it counting as an edit twice."""
    if index == radio_set.pressed_index or (index is None and radio_set.pressed_index < 0):
        return
    buttons = list(radio_set.query(RadioButton))
    if index is None:
        pressed = radio_set.pressed_button
        if pressed is not None:
            with pressed.prevent(RadioButton.Changed):
                pressed.value = False
            clear_radio_set(radio_set)
        return
    buttons[index].value = True  # the handler sees it equals the session and stops


class DecisionPane(Pane):
    """What was decided, who stands where, and how sure everyone feels."""

    def __init__(self, grid: OptionGrid, *, id: str | None = None) -> None:
        super().__init__(grid, id=id)
        self._people: tuple = ()
        self._options: tuple = ()
        self._default_applied = False
        self._building = False
        self._drawn_date = ""
        self._missing_text = ""
        self._shown_plan: str | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="decision-scroll"):
            yield Static("What did you decide?", classes="heading", markup=False)
            with RadioSet(id="outcome"):
                for outcome, words in OUTCOMES:
                    yield Radio(words, id=f"outcome-{outcome.value}")
            yield Label("Which option was chosen", classes="field-label", markup=False)
            yield Select[str]([], prompt="Choose the option", id="chosen-option", disabled=True)
            yield Label("Why, in the service user's own words", classes="field-label", markup=False)
            yield TextArea(id="reason", soft_wrap=True, tab_behavior="focus")
            yield Static("Where each person stands", classes="heading", markup=False)
            yield Vertical(id="stances")
            yield Label("Next steps (one per line)", classes="field-label", markup=False)
            yield TextArea(id="next-steps", soft_wrap=True, tab_behavior="focus")
            yield Label(
                "Review date (YYYY-MM-DD; Enter or Tab checks it)",
                classes="field-label",
                markup=False,
            )
            yield Input(id="review-date", placeholder="YYYY-MM-DD", max_length=10)
            yield Static("", id="review-error", classes="error", markup=False)
            # Issue #17: the service user's plan, in their words (PlanScreen edits it).
            yield Static("My plan if things get harder", classes="heading", markup=False)
            yield Static("", id="plan-shown", markup=False)
            yield Button("Write the plan if things get harder", id="plan-open")
            yield Static("How sure does each person feel?", classes="heading", markup=False)
            yield Static(
                "Each person answers for themselves: yes, unsure or no.",
                classes="hint",
                markup=False,
            )
            yield Vertical(id="certainty")
            yield Static("How involved did the service user feel?", classes="heading", markup=False)
            yield Vertical(id="feedback")
            yield Static("", id="missing", markup=False)
            with Horizontal(id="decision-actions"):
                yield Button("Next: summary ›", id="to-summary", variant="primary")

    def on_mount(self) -> None:
        # Tab goes control to control; the scroll follows the focus.
        self.query_one("#decision-scroll", VerticalScroll).can_focus = False
        if self.session is not None:
            self._draw()

    def focus_first(self) -> None:
        self.focus_on(self.query_one("#outcome", RadioSet))

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        if self.is_mounted:
            self._draw()
        if (
            not self._default_applied
            and session.decision.review_date is None
            and session.completed is None
        ):
            self._default_applied = True
            self.change(propose_review_date)  # six weeks on, from today in UTC
        elif session.decision.review_date is not None:
            self._default_applied = True

    # Drawing -------------------------------------------------------------

    def _draw(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            self._draw_decision(session)
        except NoMatches:
            return
        people = tuple((p.id, p.display, p.role) for p in session.voices())
        if people != self._people:
            self._people = people
            self.call_later(self._rebuild_people)
        elif not self._building:
            self._draw_people(session)
        self._draw_plan(session)
        missing = missing_for_completion(session)
        text = (
            "Still to do before finishing:\n" + "\n".join(f"• {m}" for m in missing)
            if missing
            else "✓ Everything needed is here. Ctrl+S finishes and saves (it asks first)."
        )
        if text != self._missing_text:  # an update lays the talk out again
            self._missing_text = text
            self.query_one("#missing", Static).update(text)

    def _draw_decision(self, session: Session) -> None:
        decision = session.decision
        outcome_set = self.query_one("#outcome", RadioSet)
        index = next((i for i, (o, _) in enumerate(OUTCOMES) if o == decision.outcome), None)
        _set_radio(outcome_set, index)
        select = self.query_one("#chosen-option", Select)
        compared = session.team_talk.options or tuple(session.grid.options)
        if decision.option and decision.option not in compared:
            compared = (*compared, decision.option)
        options = tuple((session.grid.options.get(o, o), o) for o in compared)
        if options != self._options:
            self._options = options
            select.set_options(options)
        wanted = decision.option or Select.NULL
        if select.value != wanted:
            select.value = wanted
        select.disabled = decision.outcome != Outcome.CHOSEN
        self.put_text(
            self.query_one("#reason", TextArea),
            decision.reason,
            lambda shown, stored: clean(shown).strip() == stored,
        )
        self.put_text(
            self.query_one("#next-steps", TextArea),
            "\n".join(decision.next_steps),
            lambda shown, _: _steps(shown) == decision.next_steps,
        )
        stored = decision.review_date.isoformat() if decision.review_date else ""
        if stored != self._drawn_date:  # only when the stored date moves: keep what is typed
            self._drawn_date = stored
            review = self.query_one("#review-date", Input)
            review.value = stored
            review.remove_class("invalid")
            self.query_one("#review-error", Static).update("")

    async def _rebuild_people(self) -> None:
        session = self.session
        if session is None:
            return
        self._building = True
        try:
            stances = self.query_one("#stances", Vertical)
            certainty = self.query_one("#certainty", Vertical)
            feedback = self.query_one("#feedback", Vertical)
            await stances.remove_children()
            await certainty.remove_children()
            await feedback.remove_children()
            voices = session.voices()
            if not voices:
                await stances.mount(
                    Static("Add people in team talk first.", classes="hint", markup=False)
                )
            for person in voices:
                await stances.mount(self._stance_row(person, session))
                await certainty.mount(self._certainty_block(person))
            await feedback.mount_all(self._feedback_widgets(session))
        finally:
            self._building = False
        if self.session is not None:
            self._draw_people(self.session)

    def _stance_row(self, person: Participant, session: Session) -> Widget:
        stance = session.decision.stances.get(person.id)
        row = Horizontal(
            Label(person.display, classes="person", markup=False),
            Select[Stance](
                STANCES,
                prompt="Not said yet",
                id=f"stance-{person.id}",
                value=stance if stance is not None else Select.NULL,
            ),
            classes="stance-row",
        )
        return row

    def _certainty_block(self, person: Participant) -> Widget:
        rows = []
        for item, words in CERTAINTY_ITEMS.items():
            buttons = [
                Radio(text, id=f"cert-{person.id}-{item}-{answer.value}")
                for answer, text in ANSWERS
            ]
            rows.append(
                Horizontal(
                    Static(words, classes="item", markup=False),
                    RadioSet(*buttons, id=f"cert-{person.id}-{item}", classes="answers"),
                    classes="item-row",
                )
            )
        return Vertical(
            Label(person.display, classes="person", markup=False), *rows, classes="person-block"
        )

    def _feedback_widgets(self, session: Session) -> list[Widget]:
        person = session.service_user()
        if person is None or not session.may_give_views(person):
            return [
                Static("Add the service user in team talk first.", classes="hint", markup=False)
            ]
        widgets: list[Widget] = [
            Static(
                f"{person.display} answers, from 'not at all' (0) to 'completely' (4).",
                classes="hint",
                markup=False,
            )
        ]
        for item, words in FEEDBACK_ITEMS.items():
            buttons = [
                Radio(text, id=f"fb-{item}-{value}") for value, text in FEEDBACK_SCALE.items()
            ]
            widgets.append(Static(words, classes="item", markup=False))
            widgets.append(RadioSet(*buttons, id=f"fb-{item}", classes="scale"))
        return widgets

    def _draw_people(self, session: Session) -> None:
        for person in session.voices():
            try:
                select = self.query_one(f"#stance-{person.id}", Select)
            except NoMatches:
                continue
            stance = session.decision.stances.get(person.id)
            wanted = stance if stance is not None else Select.NULL
            if select.value != wanted:
                select.value = wanted
            for item in CERTAINTY_ITEMS:
                answer = person.certainty.get(item)
                index = next((i for i, (a, _) in enumerate(ANSWERS) if a == answer), None)
                _set_radio(self.query_one(f"#cert-{person.id}-{item}", RadioSet), index)
        for item in FEEDBACK_ITEMS:
            try:
                radio_set = self.query_one(f"#fb-{item}", RadioSet)
            except NoMatches:
                continue
            _set_radio(radio_set, session.feedback.get(item))

    # Edits ---------------------------------------------------------------

    @on(RadioSet.Changed)
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        session = self.session
        if session is None:
            return
        set_id = event.radio_set.id or ""
        button_id = event.pressed.id or ""
        if set_id == "outcome":
            outcome = Outcome(button_id.removeprefix("outcome-"))
            if session.decision.outcome != outcome:
                self.change(lambda s: set_decision(s, outcome=outcome))
        elif set_id.startswith("cert-"):
            _, person_id, item = set_id.split("-", 2)
            answer = Answer3(button_id.removeprefix(f"{set_id}-"))
            try:
                current = session.participant(person_id).certainty.get(item)
            except KeyError:
                return
            if current != answer:
                self.change(lambda s: set_certainty(s, person_id, item, answer))
        elif set_id.startswith("fb-"):
            item = set_id.removeprefix("fb-")
            value = int(button_id.rsplit("-", 1)[1])
            if session.feedback.get(item) != value:
                self.change(lambda s: set_feedback(s, item, value))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        session = self.session
        if session is None:
            return
        select_id = event.select.id or ""
        value = event.value
        if select_id == "chosen-option":
            option = "" if value == Select.NULL else str(value)
            if option != session.decision.option and (
                option or session.decision.outcome == Outcome.CHOSEN
            ):
                self.change(lambda s: set_decision(s, option=option))
        elif select_id.startswith("stance-"):
            person_id = select_id.removeprefix("stance-")
            stance = None if value == Select.NULL else Stance(str(value))
            if session.decision.stances.get(person_id) != stance:
                self.change(lambda s: set_stance(s, person_id, stance))

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if event.text_area.id == "reason":
            self.typed(event.text_area, self._reason_change)
        elif event.text_area.id == "next-steps":
            self.typed(event.text_area, self._steps_change)

    @staticmethod
    def _reason_change(text: str) -> Transition:
        def change(s: Session) -> Session:
            same = clean(text, max_length=4000).strip() == s.decision.reason
            return s if same else set_decision(s, reason=text)

        return change

    @staticmethod
    def _steps_change(text: str) -> Transition:
        def change(s: Session) -> Session:
            same = _steps(text) == s.decision.next_steps
            return s if same else set_next_steps(s, text.splitlines())

        return change

    def _check_review_date(self) -> None:
        session = self.session
        if session is None:
            return
        field = self.query_one("#review-date", Input)
        error = self.query_one("#review-error", Static)
        try:
            wanted = parse_review_date(field.value)
            set_decision(session, review_date=wanted)  # validate only; pure
        except SessionError as exc:
            error.update(f"⚠ {exc}")
            field.add_class("invalid")
            return
        error.update("")
        field.remove_class("invalid")
        if wanted != session.decision.review_date:
            self.change(lambda s: set_decision(s, review_date=wanted))

    def pending(self) -> list[Transition]:
        """Typed text, and a review date typed but not yet checked (Ctrl+S straight
        from the field)."""
        typed = super().pending()
        return typed + self._pending_date()

    def _pending_date(self) -> list[Transition]:
        session = self.session
        if session is None or not self.is_mounted:
            return []
        try:
            wanted = parse_review_date(self.query_one("#review-date", Input).value)
            set_decision(session, review_date=wanted)
        except (SessionError, NoMatches):
            return []
        if wanted == session.decision.review_date:
            return []
        return [lambda s: set_decision(s, review_date=wanted)]

    @on(Input.Submitted, "#review-date")
    def _date_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._check_review_date()

    @on(DescendantBlur)
    def _blurred(self, event: DescendantBlur) -> None:
        if getattr(event.widget, "id", None) == "review-date":
            self._check_review_date()

    def _draw_plan(self, session: Session) -> None:
        from sdm_tui.core.session import PLAN_PROMPTS, Outcome

        plan = session.plan
        if plan.is_empty():
            change = session.decision.outcome in (Outcome.DEFERRED, Outcome.NO_AGREEMENT) or (
                session.decision.option in ("lower-dose", "switch", "stop-slowly", "stop-suddenly")
            )
            text = (
                "Not written yet. With a change or a wait, write the service user's early "
                "warning signs, what helps, and who to contact."
                if change
                else "Not written yet."
            )
        else:
            text = "\n".join(
                f"{prompt}: {getattr(plan, key)}"
                for key, prompt in PLAN_PROMPTS.items()
                if getattr(plan, key)
            )
        if self._shown_plan != text:
            self._shown_plan = text
            self.query_one("#plan-shown", Static).update(text)

    @on(Button.Pressed, "#plan-open")
    def _plan_open(self, event: Button.Pressed) -> None:
        from sdm_tui.ui.screens.concerns import PlanAsked

        event.stop()
        self.post_message(PlanAsked())

    @on(Button.Pressed, "#to-summary")
    def _to_summary(self, event: Button.Pressed) -> None:
        event.stop()
        self.go("summary")
