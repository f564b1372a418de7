"""What every transition shares: the limits, and the first steps of each change.

A finished record refuses any change; a person is found by id; only someone who
may give views (not an observer, a carer only with the service user's agreement)
gives them. Used by transitions.py and the modules it gathers, and by concerns.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sdm_tui.core.session import (
    Participant,
    Role,
    Session,
    SessionError,
    utc_now,
)

MAX_PARTICIPANTS = 8
MIN_OPTIONS, MAX_OPTIONS = 2, 6


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
