"""Decision talk: the outcome and its reason, the review date, each person's stance,
the next steps, how sure everyone feels and the service user's feedback.

Pure transitions like those in transitions.py (which re-exports them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    Answer3,
    Outcome,
    Session,
    SessionError,
    Stance,
    utc_now,
)
from sdm_tui.core.session_checks import (
    _replace_person,
    _touch,
    _voice,
    _whole,
)
from sdm_tui.core.text import clean, clean_line


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
