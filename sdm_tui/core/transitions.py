"""Pure transitions: each takes a Session and returns a new one.

Nothing here does I/O or touches the screen. Each transition checks what it is
asked (a known person, option or question; a view only from someone who may
give one) and raises SessionError with a plain message otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    Answer3,
    CarerConsent,
    Decision,
    Disagreement,
    Involvement,
    Leaning,
    Mode,
    Outcome,
    Participant,
    Role,
    Session,
    SessionError,
    Stance,
    check_reference,
    utc_now,
)
from sdm_tui.core.text import clean, clean_line

MAX_PARTICIPANTS = 8
MIN_OPTIONS, MAX_OPTIONS = 2, 6
IMPORTANCE_GAP = 2


def _touch(session: Session, now: datetime | None = None, **changes: Any) -> Session:
    if session.completed is not None:
        raise SessionError("This record is finished. Make an amendment to change it.")
    return session.model_copy(update={**changes, "updated": now or utc_now()})


def _person(session: Session, participant_id: str) -> Participant:
    try:
        return session.participant(participant_id)
    except KeyError:
        raise SessionError(f"No one with id {participant_id} is in this session.") from None


def _voice(session: Session, participant_id: str) -> Participant:
    person = _person(session, participant_id)
    if not session.may_give_views(person):
        if person.role == Role.CARER:
            raise SessionError(
                "The service user has not agreed to the carer taking part, "
                "so nothing from the carer is recorded."
            )
        raise SessionError("Observers watch; their views are not recorded here.")
    return person


def _replace_person(session: Session, person: Participant) -> tuple[Participant, ...]:
    return tuple(person if p.id == person.id else p for p in session.participants)


def _whole(value: object) -> bool:
    """A whole number (model_copy does not validate, so 2.5 or True would be stored)."""
    return isinstance(value, int) and not isinstance(value, bool)


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


# Disagreements -------------------------------------------------------------


def computed_disagreements(session: Session) -> dict[str, Disagreement]:
    """Disagreements by the documented rule, in grid order (questions, then options)."""
    voices = session.voices()
    found: dict[str, Disagreement] = {}
    for question_id, text in session.grid.questions.items():
        values = [p.importance[question_id] for p in voices if question_id in p.importance]
        if len(values) >= 2 and max(values) - min(values) >= IMPORTANCE_GAP:
            found[f"importance:{question_id}"] = Disagreement(
                id=f"importance:{question_id}",
                kind="importance",
                subject=f"How much this matters: {text}"[:200],
            )
    for option_id, name in session.grid.options.items():
        leanings = {p.leanings.get(option_id) for p in voices}
        if Leaning.TOWARDS in leanings and Leaning.AWAY in leanings:
            found[f"leaning:{option_id}"] = Disagreement(
                id=f"leaning:{option_id}", kind="leaning", subject=f"Leaning on {name}"[:200]
            )
    return found


def refresh_disagreements(session: Session) -> Session:
    """Bring computed disagreements up to date, keeping any with views written."""
    computed = computed_disagreements(session)
    kept: list[Disagreement] = []
    for existing in session.disagreements:
        if existing.kind == "recorded" or existing.id in computed or existing.views:
            kept.append(existing)
        computed.pop(existing.id, None)
    kept.extend(computed.values())
    if tuple(kept) == session.disagreements:
        return session
    return session.model_copy(update={"disagreements": tuple(kept)})


def record_disagreement(session: Session, subject: str) -> Session:
    """People name a disagreement themselves."""
    subject = clean_line(subject, max_length=200)
    if not subject:
        raise SessionError("Say in a few words what the disagreement is about.")
    numbers = [
        int(d.id.split(":")[1])
        for d in session.disagreements
        if d.kind == "recorded" and d.id.split(":")[1].isdigit()
    ]
    item = Disagreement(
        id=f"recorded:{max(numbers, default=0) + 1}", kind="recorded", subject=subject
    )
    return _touch(session, disagreements=(*session.disagreements, item))


def _replace_disagreement(session: Session, disagreement_id: str, **update: Any) -> Session:
    if not any(d.id == disagreement_id for d in session.disagreements):
        raise SessionError("That disagreement is no longer in this session.")
    items = tuple(
        d.model_copy(update=update) if d.id == disagreement_id else d for d in session.disagreements
    )
    return _touch(session, disagreements=items)


def set_view(session: Session, disagreement_id: str, participant_id: str, text: str) -> Session:
    """One side's view of a disagreement, in that person's own words."""
    _voice(session, participant_id)
    current = next((d for d in session.disagreements if d.id == disagreement_id), None)
    if current is None:
        raise SessionError("That disagreement is no longer in this session.")
    views = dict(current.views)
    text = clean(text, max_length=4000).strip()
    if text:
        views[participant_id] = text
    else:
        views.pop(participant_id, None)
    return _replace_disagreement(session, disagreement_id, views=views)


def set_disagreement_status(
    session: Session, disagreement_id: str, talked_through: bool
) -> Session:
    status = "talked-through" if talked_through else "open"
    return _replace_disagreement(session, disagreement_id, status=status)


# Decision talk -------------------------------------------------------------


def default_review_date(today: date) -> date:
    """Six weeks on: NICE suggests reviewing a new medicine after 4-6 weeks."""
    return today + timedelta(weeks=6)


def propose_review_date(session: Session, today: date | None = None) -> Session:
    """The default review date (six weeks from today, UTC) when none is set yet."""
    if session.decision.review_date is not None or session.completed is not None:
        return session
    today = today or utc_now().date()
    return set_decision(session, review_date=default_review_date(today), today=today)


def set_decision(
    session: Session,
    *,
    outcome: Outcome | None = None,
    option: str | None = None,
    reason: str | None = None,
    review_date: date | None = None,
    today: date | None = None,
) -> Session:
    update: dict[str, Any] = {}
    if outcome is not None:
        update["outcome"] = outcome
        if outcome != Outcome.CHOSEN:
            update["option"] = ""
    if option is not None:
        if option and option not in session.grid.options:
            raise SessionError(f"Not an option in this grid: {option}.")
        update["option"] = option
    if update.get("outcome", session.decision.outcome) != Outcome.CHOSEN:
        update["option"] = ""  # only a chosen outcome names an option
    if reason is not None:
        update["reason"] = clean(reason, max_length=4000).strip()
    if review_date is not None:
        today = today or utc_now().date()
        if review_date <= today:
            raise SessionError("The review date must be after today.")
        if review_date > today + timedelta(days=366 * 2):
            raise SessionError("The review date must be within two years.")
        update["review_date"] = review_date
    return _touch(session, decision=session.decision.model_copy(update=update))


def set_stance(session: Session, participant_id: str, stance: Stance | None) -> Session:
    _voice(session, participant_id)
    stances = dict(session.decision.stances)
    if stance is None:
        stances.pop(participant_id, None)
    else:
        stances[participant_id] = stance
    return _touch(session, decision=session.decision.model_copy(update={"stances": stances}))


def set_next_steps(session: Session, steps: Iterable[str]) -> Session:
    cleaned = tuple(s for s in (clean_line(step, max_length=200) for step in steps) if s)
    return _touch(session, decision=session.decision.model_copy(update={"next_steps": cleaned}))


def set_certainty(
    session: Session, participant_id: str, item: str, answer: Answer3 | None
) -> Session:
    person = _voice(session, participant_id)
    if item not in CERTAINTY_ITEMS:
        raise SessionError(f"Not a certainty item: {item}.")
    certainty = dict(person.certainty)
    if answer is None:
        certainty.pop(item, None)
    else:
        certainty[item] = answer
    person = person.model_copy(update={"certainty": certainty})
    return _touch(session, participants=_replace_person(session, person))


def set_feedback(session: Session, item: str, value: int | None) -> Session:
    """The service user's feedback on how involved they felt (0-4)."""
    if item not in FEEDBACK_ITEMS:
        raise SessionError(f"Not a feedback item: {item}.")
    feedback = dict(session.feedback)
    if value is None:
        feedback.pop(item, None)
    elif _whole(value) and 0 <= value <= 4:
        feedback[item] = value
    else:
        raise SessionError("Feedback is 0 (not at all) to 4 (completely).")
    return _touch(session, feedback=feedback)


def missing_for_completion(session: Session) -> list[str]:
    """What still needs doing before the record can be finished (plain words)."""
    missing = []
    if session.service_user() is None:
        missing.append("Add the service user in team talk.")
    if session.mode == Mode.CLINICAL and not session.service_user_ref:
        missing.append("Type the service user's reference in team talk.")
    if len(session.team_talk.options) < MIN_OPTIONS:
        missing.append("Choose at least two options to compare in team talk.")
    decision: Decision = session.decision
    if decision.outcome is None:
        missing.append("Choose the outcome in decision talk.")
    elif decision.outcome == Outcome.CHOSEN and not decision.option:
        missing.append("Say which option was chosen in decision talk.")
    if decision.review_date is None:
        missing.append("Set a review date in decision talk.")
    for concern in session.concerns:
        if not concern.has_response():
            missing.append(
                f"Record a response to concern {concern.id[1:]} (what was agreed, or that it "
                "stays open and who follows it up)."
            )
    return missing


def still_empty(session: Session) -> list[str]:
    """What is still empty but not needed to finish, in plain words, asked about before
    finishing: each person's stance and certainty, the service user's feedback, the
    reason and the review date."""
    empty = []
    decision: Decision = session.decision
    if not decision.reason:
        empty.append("Why, in the service user's own words")
    if decision.review_date is None:
        empty.append("The review date")
    for person in session.voices():
        if person.id not in decision.stances:
            empty.append(f"Where {person.display} stands on the decision")
        unanswered = [item for item in CERTAINTY_ITEMS if item not in person.certainty]
        if unanswered:
            count = f"{len(unanswered)} of {len(CERTAINTY_ITEMS)}"
            empty.append(f"How sure {person.display} feels ({count} not answered)")
    service_user = session.service_user()
    if service_user is not None and session.may_give_views(service_user):
        unanswered = [item for item in FEEDBACK_ITEMS if item not in session.feedback]
        if unanswered:
            count = f"{len(unanswered)} of {len(FEEDBACK_ITEMS)}"
            empty.append(f"How involved {service_user.display} felt ({count} not answered)")
    return empty


def complete(session: Session, now: datetime | None = None) -> Session:
    missing = missing_for_completion(session)
    if missing:
        raise SessionError(" ".join(missing))
    now = now or utc_now()
    return _touch(session, now=now, completed=now)


def amend(record: Session, *, new_id: str, now: datetime | None = None) -> Session:
    """A new draft that copies a finished record and names it; the old one stays."""
    if record.completed is None:
        raise SessionError("Only a finished record can be amended; keep editing the draft.")
    if new_id == record.record_id or not re.fullmatch(r"[0-9a-z]{12}", new_id):
        # model_copy does not validate: a bad id would make a record that cannot be loaded.
        raise SessionError("An amendment needs a new record id (see new_record_id).")
    now = now or utc_now()
    return record.model_copy(
        update={
            "record_id": new_id,
            "amends": record.record_id,
            "created": now,
            "updated": now,
            "completed": None,
        }
    )


__all__ = [
    "Answer3",
    "CarerConsent",
    "Disagreement",
    "Involvement",
    "Leaning",
    "Outcome",
    "Stance",
]
