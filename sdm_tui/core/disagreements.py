"""Disagreements: found by the documented rule, named by people, and each side's view.

Pure transitions like those in transitions.py (which re-exports them): each takes
a Session and returns a new one, or raises SessionError with a plain message.
"""

from __future__ import annotations

from typing import Any

from sdm_tui.core.session import (
    Disagreement,
    Leaning,
    Session,
    SessionError,
)
from sdm_tui.core.session_checks import (
    _touch,
    _voice,
)
from sdm_tui.core.text import clean, clean_line

IMPORTANCE_GAP = 2


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
