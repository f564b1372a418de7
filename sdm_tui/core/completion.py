"""Finishing a record: what is still missing or empty, completing it, and amending it.

Pure transitions like those in transitions.py (which re-exports them).
"""

from __future__ import annotations

import re
from datetime import datetime

from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    Decision,
    Mode,
    Outcome,
    Session,
    SessionError,
    utc_now,
)
from sdm_tui.core.session_checks import (
    MIN_OPTIONS,
    _touch,
)


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
