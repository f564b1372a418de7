"""Team talk: who is here, carer consent, reference, decision, options, what matters.

Everything people type is shown literally (markup off, or Content built from
plain strings). `show` copies the session into the widgets only where the
session value has changed since it was last shown, and never over a text field
someone is typing in, so a programmatic update never feeds back as a change.
The widgets themselves, and the words they show, are in team_layout.py.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.widgets import (
    Button,
    Input,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CarerConsent,
    Involvement,
    Role,
    Session,
    SessionError,
    check_reference,
)
from sdm_tui.core.text import clean, clean_line
from sdm_tui.core.transitions import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    add_participant,
    choose_options,
    missing_for_completion,
    remove_participant,
    set_carer_consent,
    set_reference,
    set_team_talk,
)
from sdm_tui.ui.messages import Transition
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.panes.team_layout import (
    ALWAYS,
    PersonRow,
    option_note,
    person_text,
    team_widgets,
)
from sdm_tui.ui.panes.team_layout import CONSENT_TEXT as CONSENT_TEXT  # tests/ui/flow.py

WIDE = 140  # columns from which the talk is shown in two columns side by side


def default_role(session: Session) -> Role:
    """The role most likely to be added next: service user, clinician, then carer."""
    roles = {p.role for p in session.participants}
    if Role.SERVICE_USER not in roles:
        return Role.SERVICE_USER
    if Role.CLINICIAN not in roles:
        return Role.CLINICIAN
    return Role.CARER


def set_error(label: Static, message: str) -> None:
    """An inline error, shown literally; hidden when there is none."""
    label.update(Content(message))
    label.display = bool(message)


class TeamTalkPane(Pane):
    """The first talk. See the module docstring for how `show` avoids loops."""

    def __init__(self, grid: OptionGrid, *, id: str | None = None) -> None:
        super().__init__(grid, id=id)
        self._shown: dict[str, Any] = {}
        self._people_key: Any = None
        self._ready = False

    # Layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from team_widgets(self.grid)

    def on_mount(self) -> None:
        self._ready = True
        self._set_width(self.size.width or self.app.size.width)
        if self.session is not None:
            self._sync(self.session)
        # No focus taken here: the screen opens the talk where a draft was left and
        # focuses it. A focus asked for here arrived after that, and focus inside this
        # talk switched the tabs back to it (a resumed draft opened at team talk).

    def on_resize(self, event: Resize) -> None:
        self._set_width(event.size.width)

    def _set_width(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")

    def focus_first(self) -> None:
        self.focus_on(self.query_one("#team-label", Input))

    def pending(self) -> list[Transition]:
        """Typed text, and a valid reference typed but not yet entered (Ctrl+S
        straight from the field)."""
        typed = super().pending()
        if self.session is None or not self.is_mounted:
            return typed
        try:
            reference = check_reference(self.query_one("#team-ref", Input).value)
        except SessionError:
            return typed
        if reference == self.session.service_user_ref:
            return typed
        return [*typed, lambda s: set_reference(s, reference)]

    # Session -> widgets ----------------------------------------------------

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        if self._ready:
            self._sync(session)

    def _update(self, label: Static, text: str) -> None:
        """Show `text` (literally) in `label`; not again when it already shows it, since
        each update lays the talk out again (redraws come with typed text, too)."""
        key = f"label:{label.id}"
        if self._shown.get(key) != text:
            self._shown[key] = text
            label.update(Content(text))

    def _changed(self, key: str, value: Any) -> bool:
        return key not in self._shown or self._shown[key] != value

    def _sync(self, session: Session) -> None:
        self._sync_people(session)
        self._sync_consent(session)
        self._sync_input("ref", self.query_one("#team-ref", Input), session.service_user_ref)
        self._sync_input(
            "decision", self.query_one("#team-decision", Input), session.team_talk.decision
        )
        self._sync_options(session)
        self._sync_matters(session)
        self._sync_involvement(session)
        self._sync_todo(session)
        self._sync_prepared(session)

    def _sync_prepared(self, session: Session) -> None:
        from sdm_tui.core.concerns import preparation_text

        text = preparation_text(session)
        label = self.query_one("#team-prepared", Static)
        label.display = bool(text)
        self._update(label, text)

    def _sync_people(self, session: Session) -> None:
        people = tuple((p.id, person_text(session, p)) for p in session.participants)
        if people == self._people_key:
            return
        first = self._people_key is None
        ids_before = None if first else tuple(i for i, _ in self._people_key)
        self._people_key = people
        self.call_later(self._rebuild_people, people)
        if first or ids_before != tuple(i for i, _ in people):
            self.query_one("#team-role", Select).value = default_role(session)

    async def _rebuild_people(self, people: tuple[tuple[str, str], ...]) -> None:
        box = self.query_one("#team-people", Vertical)
        lost_focus = self.app.focused is not None and box in self.app.focused.ancestors
        async with self.batch():
            await box.remove_children()
            if people:
                await box.mount_all(PersonRow(pid, text) for pid, text in people)
            else:
                await box.mount(
                    Static("No one added yet. Start with the service user.", classes="hint")
                )
        if lost_focus or self.app.focused is None:
            self.query_one("#team-label", Input).focus()

    def _sync_consent(self, session: Session) -> None:
        carers = [p for p in session.participants if p.role == Role.CARER]
        self.query_one("#team-consent-box").display = bool(carers)
        names = ", ".join(p.label for p in carers)
        question = (
            "Service user: do you agree that " + names + " may take part? "
            "Your answer is yours to give."
        )
        self._update(self.query_one("#team-consent-question", Static), question)
        if self._changed("consent", session.carer_consent):
            self._shown["consent"] = session.carer_consent
            self.query_one(f"#team-consent-{session.carer_consent.value}", RadioButton).value = True

    def _sync_input(self, key: str, widget: Input, value: str) -> None:
        # Someone typing here keeps their text until they leave the field (put_text).
        if self._changed(key, value) and self.put_text(widget, value):
            self._shown[key] = value

    def _sync_matters(self, session: Session) -> None:
        value = session.team_talk.what_matters
        area = self.query_one("#team-matters", TextArea)
        if self._changed("matters", value) and self.put_text(area, value, _same_matters):
            self._shown["matters"] = value

    def _sync_options(self, session: Session) -> None:
        chosen = session.team_talk.options
        widget = self.query_one("#team-options", SelectionList)
        if self._changed("options", chosen):
            self._shown["options"] = chosen
            with widget.prevent(SelectionList.SelectedChanged):
                for option in self.grid.options:
                    if option.id in chosen:
                        widget.select(option.id)
                    else:
                        widget.deselect(option.id)
        self._show_count(session)

    def _show_count(self, session: Session, problem: str = "") -> None:
        widget = self.query_one("#team-options", SelectionList)
        count = len(widget.selected)
        always = [o.name for o in self.grid.options if o.kind in ALWAYS]
        text = f"{count} chosen. Compare {MIN_OPTIONS} to {MAX_OPTIONS} options."
        if always:
            text += " " + " and ".join(always) + " can always be chosen."
        saved = session.team_talk.options
        names = ", ".join(session.grid.options.get(o, o) for o in saved)
        bad = bool(problem) or count > MAX_OPTIONS or 0 < count < MIN_OPTIONS
        if problem:
            text = problem + " " + text
        elif count == 0:
            text = "None chosen yet (Space or click to choose). " + text.removeprefix("0 chosen. ")
        elif count < MIN_OPTIONS:
            text = f"{count} chosen: choose at least {MIN_OPTIONS} to compare."
        if bad and saved:
            text += " Still saved: " + names + "."
        label = self.query_one("#team-options-count", Static)
        self._update(label, text)
        label.set_class(bool(bad), "error")
        label.set_class(not bad, "hint")

    def _sync_involvement(self, session: Session) -> None:
        value = session.team_talk.involvement
        if not self._changed("involvement", value):
            return
        self._shown["involvement"] = value
        if value is not None:
            self.query_one(f"#team-inv-{value.value}", RadioButton).value = True

    def _sync_todo(self, session: Session) -> None:
        todo = [
            m.replace(" in team talk", "")
            for m in missing_for_completion(session)
            if "team talk" in m
        ]
        if todo:
            text = "Still needed here before the record can be finished: " + " ".join(todo)
        else:
            text = "✓ Team talk has what the record needs. Next, look at the options together."
        label = self.query_one("#team-todo", Static)
        self._update(label, text)
        label.set_class(not todo, "done")

    # Widgets -> transitions ---------------------------------------------

    @on(Button.Pressed, "#team-add-button")
    @on(Input.Submitted, "#team-label")
    def _add(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        if self.session is None:
            return
        role = str(self.query_one("#team-role", Select).value)
        label_input = self.query_one("#team-label", Input)
        label = label_input.value
        error = self.query_one("#team-label-error", Static)
        try:
            add_participant(self.session, Role(role), label)  # check first: error inline
        except SessionError as exc:
            set_error(error, str(exc))
            label_input.focus()
            return
        set_error(error, "")
        label_input.value = ""
        label_input.focus()
        self.change(lambda s: add_participant(s, Role(role), label))

    @on(Button.Pressed, ".team-remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = next((a for a in event.button.ancestors if isinstance(a, PersonRow)), None)
        if row is None or self.session is None:
            return
        person_id = row.person_id
        try:
            display = self.session.participant(person_id).display
        except KeyError:
            return
        from sdm_tui.ui.screens.team_modals import ConfirmRemove

        def done(remove: bool | None) -> None:
            if remove:
                self.change(lambda s: remove_participant(s, person_id))

        self.app.push_screen(ConfirmRemove(display), done)

    @on(RadioSet.Changed, "#team-consent")
    def _consent(self, event: RadioSet.Changed) -> None:
        event.stop()
        button_id = event.pressed.id or ""
        consent = CarerConsent(button_id.removeprefix("team-consent-"))
        if self.session is not None and consent != self.session.carer_consent:
            self._shown["consent"] = consent
            self.change(lambda s: set_carer_consent(s, consent))

    @on(Input.Changed, "#team-ref")
    def _ref_typed(self, event: Input.Changed) -> None:
        """Not applied while typing (half-typed codes are not saved); errors clear early."""
        event.stop()
        try:
            check_reference(event.value)
        except SessionError:
            return
        set_error(self.query_one("#team-ref-error", Static), "")

    @on(Input.Submitted, "#team-ref")
    @on(Input.Blurred, "#team-ref")
    def _ref_done(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        self._apply_reference(event.value)

    def _apply_reference(self, value: str) -> None:
        if self.session is None:
            return
        error = self.query_one("#team-ref-error", Static)
        if not value.strip() and not self.session.service_user_ref:
            set_error(error, "")
            return
        try:
            reference = check_reference(value)
        except SessionError as exc:
            message = str(exc)
            if self.session.service_user_ref:
                message += (
                    " Not saved: the reference is still " + self.session.service_user_ref + "."
                )
            else:
                message += " Not saved."
            set_error(error, message)
            return
        set_error(error, "")
        if reference != self.session.service_user_ref:
            self._shown["ref"] = reference
            self.change(lambda s: set_reference(s, reference))

    @on(Input.Changed, "#team-decision")
    def _decision(self, event: Input.Changed) -> None:
        event.stop()
        self.typed(event.input, _decision_change)

    @on(Input.Blurred, "#team-decision")
    def _decision_left(self, event: Input.Blurred) -> None:
        event.stop()
        self._shown.pop("decision", None)  # show the tidied text now they have left
        if self.session is not None:
            self._sync_input("decision", event.input, self.session.team_talk.decision)

    @on(SelectionList.SelectionToggled, "#team-options")
    def _option_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        if self.session is None:
            return
        widget = event.selection_list
        selected = set(widget.selected)
        if len(selected) > MAX_OPTIONS:
            with widget.prevent(SelectionList.SelectedChanged):
                widget.deselect(event.selection.value)
            self._show_count(self.session, f"At most {MAX_OPTIONS} options can be compared.")
            return
        chosen = tuple(o.id for o in self.grid.options if o.id in selected)
        if MIN_OPTIONS <= len(chosen) <= MAX_OPTIONS and chosen != self.session.team_talk.options:
            self._shown["options"] = chosen
            self.change(lambda s: choose_options(s, chosen))
        self._show_count(self.session)

    @on(SelectionList.SelectionHighlighted, "#team-options")
    def _option_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        event.stop()
        for note in self.query("#team-option-note").results(Static):
            note.update(option_note(self.grid.option(event.selection.value)))

    @on(SelectionList.SelectedChanged, "#team-options")
    def _options_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()

    @on(TextArea.Changed, "#team-matters")
    def _matters(self, event: TextArea.Changed) -> None:
        event.stop()
        self.typed(event.text_area, _matters_change)

    @on(RadioSet.Changed, "#team-involvement")
    def _involvement(self, event: RadioSet.Changed) -> None:
        event.stop()
        button_id = event.pressed.id or ""
        value = Involvement(button_id.removeprefix("team-inv-"))
        if self.session is not None and value != self.session.team_talk.involvement:
            self._shown["involvement"] = value
            self.change(lambda s: set_team_talk(s, involvement=value))

    @on(Button.Pressed, "#team-next")
    def _next(self, event: Button.Pressed) -> None:
        event.stop()
        self.go("options")


def _same_matters(shown: str, stored: str) -> bool:
    return clean(shown, max_length=4000).strip() == stored


def _matters_change(text: str) -> Transition:
    wanted = clean(text, max_length=4000).strip()

    def change(s: Session) -> Session:
        return s if wanted == s.team_talk.what_matters else set_team_talk(s, what_matters=wanted)

    return change


def _decision_change(text: str) -> Transition:
    wanted = clean_line(text, max_length=200)

    def change(s: Session) -> Session:
        return s if wanted == s.team_talk.decision else set_team_talk(s, decision=wanted)

    return change
