"""Pure transitions for record format 2: concerns, the plan, a preparation brought in.

A concern is what worries someone present, in their words, with its kind, the
talk it was raised in and who raised it. Before the record can be finished each
concern needs a response: answered (what was agreed), or left open with who
follows it up (`transitions.missing_for_completion`). The plan ("my plan if
things get harder") is the service user's, in their words. A preparation is
written before the appointment (sdm_tui.core.preparation) and, when brought
into a consultation, kept exactly as written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from sdm_tui.core.session import (
    PLAN_PROMPTS,
    ROLE_NAMES,
    WRITTEN_WITH_TEXT,
    Concern,
    ConcernKind,
    Preparation,
    Role,
    Session,
    SessionError,
    Talk,
    WrittenWith,
    utc_now,
)
from sdm_tui.core.session_checks import _touch, _voice
from sdm_tui.core.text import clean, clean_line

MAX_CONCERNS = 50
MAX_TEXT = 4000

TALK_NAMES: dict[str, str] = {
    "team": "team talk",
    "options": "option talk",
    "side": "side by side",
    "decision": "decision talk",
    "summary": "the summary",
    "observer": "the observer's talk",
    "debrief": "the debrief",
}


def raise_concern(
    session: Session,
    participant_id: str,
    words: str,
    *,
    kind: ConcernKind = ConcernKind.OTHER,
    talk: str = "team",
    now: datetime | None = None,
) -> Session:
    """Someone present records what worries them, in their words.

    Anyone whose words may be recorded can raise one (everyone but observers; a
    carer once the service user has agreed)."""
    _voice(session, participant_id)
    words = clean(words, max_length=MAX_TEXT).strip()
    if not words:
        raise SessionError("Say what the worry is, in the person's own words.")
    if talk not in get_args(Talk):
        raise SessionError(f"Not a talk: {talk}.")
    if len(session.concerns) >= MAX_CONCERNS:
        raise SessionError(f"A session holds at most {MAX_CONCERNS} concerns.")
    numbers = [int(c.id[1:]) for c in session.concerns]
    now = now or utc_now()
    concern = Concern(
        id=f"c{max(numbers, default=0) + 1}",
        raised_by=participant_id,
        talk=talk,  # checked against Talk above
        kind=ConcernKind(kind),
        words=words,
        raised=now,
    )
    return _touch(session, now=now, concerns=(*session.concerns, concern))


def _concern(session: Session, concern_id: str) -> Concern:
    for concern in session.concerns:
        if concern.id == concern_id:
            return concern
    raise SessionError("That concern is no longer in this session.")


def respond_to_concern(
    session: Session,
    concern_id: str,
    *,
    response: str | None = None,
    answered: bool | None = None,
    follow_up: str | None = None,
    now: datetime | None = None,
) -> Session:
    """The response: what was agreed (answered), or that it stays open and who
    follows it up. The time it was answered is kept while it stays answered."""
    current = _concern(session, concern_id)
    now = now or utc_now()
    update: dict[str, Any] = {}
    if response is not None:
        update["response"] = clean(response, max_length=MAX_TEXT).strip()
    if follow_up is not None:
        update["follow_up"] = clean_line(follow_up, max_length=200)
    if answered is not None:
        update["status"] = "answered" if answered else "open"
        if answered and current.status != "answered":
            update["answered"] = now
        elif not answered:
            update["answered"] = None
    changed = current.model_copy(update=update)
    items = tuple(changed if c.id == concern_id else c for c in session.concerns)
    return _touch(session, now=now, concerns=items)


def remove_concern(session: Session, concern_id: str) -> Session:
    """Take back a concern recorded by mistake (before any response)."""
    current = _concern(session, concern_id)
    if current.response or current.status == "answered":
        raise SessionError("This concern has a response; record what happened instead.")
    return _touch(session, concerns=tuple(c for c in session.concerns if c.id != concern_id))


def unanswered_concerns(session: Session) -> tuple[Concern, ...]:
    """Concerns with no response yet (neither answered nor open with who follows up)."""
    return tuple(c for c in session.concerns if not c.has_response())


def concern_line(session: Session, concern: Concern) -> str:
    """Who raised it and where, in words: 'Sam (service user), in option talk'."""
    try:
        who = session.participant(concern.raised_by).display
    except KeyError:
        who = "someone no longer in the session"
    return f"{who}, in {TALK_NAMES.get(concern.talk, concern.talk)}"


def set_plan(session: Session, **texts: str) -> Session:
    """The plan if things get harder, in the service user's words (keys: PLAN_PROMPTS)."""
    unknown = [key for key in texts if key not in PLAN_PROMPTS]
    if unknown:
        raise SessionError(f"Not part of the plan: {', '.join(unknown)}.")
    update = {key: clean(text, max_length=MAX_TEXT).strip() for key, text in texts.items()}
    return _touch(session, plan=session.plan.model_copy(update=update))


def bring_preparation(session: Session, preparation: Preparation | None) -> Session:
    """Bring the service user's preparation into the session as written (None: leave it).

    Only for a session whose service user's reference is set: it is the
    reference the preparation was found by."""
    if preparation is not None:
        if not session.service_user_ref:
            raise SessionError("Type the service user's reference before bringing a preparation.")
        if preparation.is_empty():
            raise SessionError("This preparation is empty.")
    return _touch(session, preparation=preparation)


def prepared_by_role(session: Session) -> str:
    """Whose words a preparation holds, for 'written beforehand by ...'."""
    preparation = session.preparation
    if preparation is None:
        return ""
    who = ROLE_NAMES[Role.SERVICE_USER]
    if preparation.written_with == WrittenWith.ALONE:
        return who
    return f"{who}, {WRITTEN_WITH_TEXT[preparation.written_with]}"


def preparation_text(session: Session) -> str:
    """The preparation as plain text for team talk: who wrote it and when, then each
    prompt and the words exactly as written ("" when there is none)."""
    preparation = session.preparation
    if preparation is None:
        return ""
    from sdm_tui.core.session import INVOLVEMENT_TEXT, PREPARATION_PROMPTS

    when = f" on {preparation.written:%Y-%m-%d}" if preparation.written else ""
    lines = [f"Written beforehand by the {prepared_by_role(session)}{when}. Their own words:"]
    for key, words in preparation.answers().items():
        lines += ["", f"{PREPARATION_PROMPTS[key]}:", words]
    if preparation.involvement is not None:
        lines += ["", f"How involved I want to be: {INVOLVEMENT_TEXT[preparation.involvement]}"]
    return "\n".join(lines)
