"""Pure transitions: each takes a Session and returns a new one.

Nothing here does I/O or touches the screen. Each transition checks what it is
asked (a known person, option or question; a view only from someone who may
give one) and raises SessionError with a plain message otherwise.

This module holds team talk and option talk, and gathers the rest so callers
import every transition from here: disagreements.py, decision_talk.py and
completion.py; the shared first steps and limits are in session_checks.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sdm_tui.core.completion import (
    amend,
    complete,
    missing_for_completion,
    still_empty,
)
from sdm_tui.core.decision_talk import (
    default_review_date,
    propose_review_date,
    set_certainty,
    set_decision,
    set_feedback,
    set_next_steps,
    set_stance,
)
from sdm_tui.core.disagreements import (
    IMPORTANCE_GAP,
    computed_disagreements,
    record_disagreement,
    refresh_disagreements,
    set_disagreement_status,
    set_view,
)
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Disagreement,
    Involvement,
    Leaning,
    Outcome,
    Participant,
    Role,
    Session,
    SessionError,
    Stance,
    check_reference,
)
from sdm_tui.core.session_checks import (
    MAX_OPTIONS,
    MAX_PARTICIPANTS,
    MIN_OPTIONS,
    _person,
    _replace_person,
    _touch,
    _voice,
    _whole,
)
from sdm_tui.core.text import clean, clean_line

# Team talk -----------------------------------------------------------------


def add_participant(session: Session, role: Role, label: str) -> Session:
    label = clean_line(label, max_length=24)
    if not label:
        raise SessionError("Give a short label the people in the room choose (not a full name).")
    if len(session.participants) >= MAX_PARTICIPANTS:
        raise SessionError(f"A session has at most {MAX_PARTICIPANTS} people.")
    if role == Role.SERVICE_USER and session.service_user() is not None:
        raise SessionError("There is already a service user in this session.")
    if any(p.label.casefold() == label.casefold() for p in session.participants):
        raise SessionError(f"Someone is already called {label!r}; choose another label.")
    used = {int(p.id[1:]) for p in session.participants}
    number = next(n for n in range(1, 1000) if n not in used)
    person = Participant(id=f"p{number}", role=role, label=label)
    return _touch(session, participants=(*session.participants, person))


def remove_participant(session: Session, participant_id: str) -> Session:
    _person(session, participant_id)
    people = tuple(p for p in session.participants if p.id != participant_id)
    disagreements = tuple(
        d.model_copy(update={"views": {k: v for k, v in d.views.items() if k != participant_id}})
        for d in session.disagreements
    )
    stances = {k: v for k, v in session.decision.stances.items() if k != participant_id}
    changed = _touch(
        session,
        participants=people,
        disagreements=disagreements,
        decision=session.decision.model_copy(update={"stances": stances}),
        concerns=tuple(c for c in session.concerns if c.raised_by != participant_id),
    )
    return refresh_disagreements(changed)


def relabel_participant(session: Session, participant_id: str, label: str) -> Session:
    person = _person(session, participant_id)
    label = clean_line(label, max_length=24)
    if not label:
        raise SessionError("A label cannot be empty.")
    if any(
        p.id != participant_id and p.label.casefold() == label.casefold()
        for p in session.participants
    ):
        raise SessionError(f"Someone is already called {label!r}; choose another label.")
    return _touch(
        session, participants=_replace_person(session, person.model_copy(update={"label": label}))
    )


def set_carer_consent(session: Session, consent: CarerConsent) -> Session:
    """The service user's answer. A "no" removes anything the carer already said."""
    changed = _touch(session, carer_consent=consent)
    if consent != CarerConsent.YES:
        carers = {p.id for p in changed.participants if p.role == Role.CARER}
        people = tuple(
            p.model_copy(
                update={
                    "importance": {},
                    "leanings": {},
                    "notes": (),
                    "questions": (),
                    "certainty": {},
                }
            )
            if p.id in carers
            else p
            for p in changed.participants
        )
        disagreements = tuple(
            d.model_copy(update={"views": {k: v for k, v in d.views.items() if k not in carers}})
            for d in changed.disagreements
        )
        stances = {k: v for k, v in changed.decision.stances.items() if k not in carers}
        changed = changed.model_copy(
            update={
                "participants": people,
                "disagreements": disagreements,
                "decision": changed.decision.model_copy(update={"stances": stances}),
                "concerns": tuple(c for c in changed.concerns if c.raised_by not in carers),
            }
        )
        changed = refresh_disagreements(changed)
    return changed


def set_reference(session: Session, reference: str) -> Session:
    return _touch(session, service_user_ref=check_reference(reference))


def set_team_talk(
    session: Session,
    *,
    decision: str | None = None,
    what_matters: str | None = None,
    involvement: Involvement | None = None,
) -> Session:
    update: dict[str, Any] = {}
    if decision is not None:
        update["decision"] = clean_line(decision, max_length=200)
    if what_matters is not None:
        update["what_matters"] = clean(what_matters, max_length=4000).strip()
    if involvement is not None:
        update["involvement"] = involvement
    return _touch(session, team_talk=session.team_talk.model_copy(update=update))


def choose_options(session: Session, option_ids: Iterable[str]) -> Session:
    """Choose 2-6 of the grid's options to compare, in the grid's order."""
    wanted = list(dict.fromkeys(option_ids))
    unknown = [o for o in wanted if o not in session.grid.options]
    if unknown:
        raise SessionError(f"Not an option in this grid: {', '.join(unknown)}.")
    if not MIN_OPTIONS <= len(wanted) <= MAX_OPTIONS:
        raise SessionError(f"Choose between {MIN_OPTIONS} and {MAX_OPTIONS} options to compare.")
    ordered = tuple(o for o in session.grid.options if o in wanted)
    return _touch(session, team_talk=session.team_talk.model_copy(update={"options": ordered}))


# Option talk ---------------------------------------------------------------


def rate_importance(
    session: Session, participant_id: str, question_id: str, value: int | None
) -> Session:
    """Importance 0-4 of one question for one person; None means "not discussed"."""
    person = _voice(session, participant_id)
    if question_id not in session.grid.questions:
        raise SessionError(f"Not a question in this grid: {question_id}.")
    importance = dict(person.importance)
    if value is None:
        importance.pop(question_id, None)
    elif _whole(value) and 0 <= value <= 4:
        importance[question_id] = value
    else:
        raise SessionError("Importance is 0 (not important) to 4 (most important).")
    person = person.model_copy(update={"importance": importance})
    return refresh_disagreements(_touch(session, participants=_replace_person(session, person)))


def set_leaning(
    session: Session, participant_id: str, option_id: str, leaning: Leaning | None
) -> Session:
    person = _voice(session, participant_id)
    if option_id not in session.grid.options:
        raise SessionError(f"Not an option in this grid: {option_id}.")
    leanings = dict(person.leanings)
    if leaning is None:
        leanings.pop(option_id, None)
    else:
        leanings[option_id] = leaning
    person = person.model_copy(update={"leanings": leanings})
    return refresh_disagreements(_touch(session, participants=_replace_person(session, person)))


def add_note(
    session: Session, participant_id: str, text: str, *, question: bool = False
) -> Session:
    """A note, or a question to ask, in the person's own words."""
    person = _voice(session, participant_id)
    text = clean(text, max_length=4000).strip()
    if not text:
        raise SessionError("The note is empty.")
    field = "questions" if question else "notes"
    person = person.model_copy(update={field: (*getattr(person, field), text)})
    return _touch(session, participants=_replace_person(session, person))


def remove_note(
    session: Session, participant_id: str, index: int, *, question: bool = False
) -> Session:
    person = _voice(session, participant_id)
    field = "questions" if question else "notes"
    items = list(getattr(person, field))
    if not 0 <= index < len(items):
        raise SessionError("There is no such note.")
    del items[index]
    person = person.model_copy(update={field: tuple(items)})
    return _touch(session, participants=_replace_person(session, person))


__all__ = [
    "IMPORTANCE_GAP",
    "MAX_OPTIONS",
    "MAX_PARTICIPANTS",
    "MIN_OPTIONS",
    "Answer3",
    "CarerConsent",
    "Disagreement",
    "Involvement",
    "Leaning",
    "Outcome",
    "Stance",
    "amend",
    "complete",
    "computed_disagreements",
    "default_review_date",
    "missing_for_completion",
    "propose_review_date",
    "record_disagreement",
    "refresh_disagreements",
    "set_certainty",
    "set_decision",
    "set_disagreement_status",
    "set_feedback",
    "set_next_steps",
    "set_stance",
    "set_view",
    "still_empty",
]
