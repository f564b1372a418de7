"""The consultation session: a frozen model, changed only by pure transitions.

Every transition takes a Session and returns a new one; nothing is changed in
place, so the app can autosave after each step and undo is just "keep the old
one". Free text is cleaned (sdm_tui.core.text) as it comes in.

Disagreement rule (documented in the README too): for the people who may give
views (everyone but observers, and the carer only with the service user's
agreement),
- importance: two people's ratings of one question differ by 2 or more;
- leaning: one person leans towards an option and another leans away from it.
Computed disagreements are kept in `session.disagreements` and refreshed after
every rating or leaning; one that no longer applies is dropped unless someone
has already written views on it. People can also record their own.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.text import clean_line

SCHEMA_VERSION = 2  # 2 added preparation, concerns and plan (record.MIGRATIONS[1])
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=4000)]


class Role(StrEnum):
    SERVICE_USER = "service-user"
    CLINICIAN = "clinician"
    CARER = "carer"
    PEER_SUPPORT = "peer-support"
    OBSERVER = "observer"


ROLE_NAMES: dict[Role, str] = {
    Role.SERVICE_USER: "service user",
    Role.CLINICIAN: "clinician",
    Role.CARER: "carer or supporter",
    Role.PEER_SUPPORT: "peer support worker",
    Role.OBSERVER: "observer",
}


class Mode(StrEnum):
    CLINICAL = "clinical"
    TRAINING = "training"


class CarerConsent(StrEnum):
    NOT_ASKED = "not-asked"
    YES = "yes"
    NO = "no"


class Involvement(StrEnum):
    """How involved the service user wants to be in deciding."""

    MYSELF = "decide-myself"
    TOGETHER = "decide-together"
    CLINICIAN_AFTER_HEARING = "clinician-decides-after-hearing-me"
    NOT_SURE = "not-sure-yet"


INVOLVEMENT_TEXT: dict[Involvement, str] = {
    Involvement.MYSELF: "I want to make the choice myself, with good information",
    Involvement.TOGETHER: "I want us to decide together",
    Involvement.CLINICIAN_AFTER_HEARING: "I want the clinician to decide, after hearing my views",
    Involvement.NOT_SURE: "I am not sure yet",
}


class Leaning(StrEnum):
    TOWARDS = "towards"
    OPEN = "open"
    AWAY = "away"
    UNSURE = "unsure"


LEANING_SYMBOL: dict[Leaning, str] = {
    Leaning.TOWARDS: "▲",
    Leaning.OPEN: "◆",
    Leaning.AWAY: "▼",
    Leaning.UNSURE: "?",
}

IMPORTANCE_TEXT = {
    0: "not important",
    1: "a little",
    2: "somewhat",
    3: "very",
    4: "most important",
}


class Outcome(StrEnum):
    CHOSEN = "chosen"
    DEFERRED = "deferred"
    NO_AGREEMENT = "no-agreement"


class Stance(StrEnum):
    AGREE = "agree"
    GO_ALONG = "go-along-with"
    DISAGREE = "disagree"


class Answer3(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


# A certainty check in our own words, in the spirit of the four SURE questions
# (knowledge, values, support, certainty). Keys are stored in records.
CERTAINTY_ITEMS: dict[str, str] = {
    "know": "I know the main good and bad points of the options.",
    "values": "I am clear which of those points matter most to me.",
    "support": "I have the help and support I need to make this choice.",
    "sure": "I feel sure about what happens next.",
}

# Feedback from the service user on how involved they felt, in our own words,
# in the spirit of CollaboRATE's three questions. Scale 0 (not at all) to 4.
FEEDBACK_ITEMS: dict[str, str] = {
    "understand": "How much did we help you understand your choices today?",
    "listened": "How much did we listen to what matters most to you?",
    "included": "How much did what you said shape what we decided?",
}
FEEDBACK_SCALE = {0: "not at all", 1: "a little", 2: "some", 3: "a lot", 4: "completely"}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Participant(_Frozen):
    id: Annotated[str, StringConstraints(pattern=r"^p[0-9]{1,3}$")]
    role: Role
    label: Annotated[str, StringConstraints(min_length=1, max_length=24)]
    importance: dict[str, Annotated[int, Field(ge=0, le=4)]] = {}
    leanings: dict[str, Leaning] = {}
    notes: tuple[LongText, ...] = ()
    questions: tuple[LongText, ...] = ()
    certainty: dict[str, Answer3] = {}

    @property
    def display(self) -> str:
        return f"{self.label} ({ROLE_NAMES[self.role]})"


class TeamTalk(_Frozen):
    decision: ShortText = ""
    what_matters: LongText = ""
    involvement: Involvement | None = None
    options: tuple[str, ...] = ()


class Disagreement(_Frozen):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z]+:[a-z0-9-]+$")]
    kind: Literal["importance", "leaning", "recorded"]
    subject: ShortText
    views: dict[str, LongText] = {}
    status: Literal["open", "talked-through"] = "open"


class Decision(_Frozen):
    outcome: Outcome | None = None
    option: str = ""
    reason: LongText = ""
    stances: dict[str, Stance] = {}
    next_steps: tuple[ShortText, ...] = ()
    review_date: date | None = None


class Training(_Frozen):
    """Role-play details; only in training records."""

    scenario: str = ""
    observer_scores: dict[str, Annotated[int, Field(ge=0, le=4)]] = {}
    observer_notes: dict[str, LongText] = {}
    goals_met: dict[str, bool] = {}


class GridRef(_Frozen):
    id: str
    version: str
    content_hash: str
    title: ShortText = ""
    options: dict[str, str] = {}
    questions: dict[str, str] = {}


class WrittenWith(StrEnum):
    """Who helped the service user write their preparation."""

    ALONE = "alone"
    CARER = "with-carer"
    PEER_SUPPORT = "with-peer-support"


WRITTEN_WITH_TEXT: dict[WrittenWith, str] = {
    WrittenWith.ALONE: "on my own",
    WrittenWith.CARER: "with a carer or supporter",
    WrittenWith.PEER_SUPPORT: "with a peer support worker",
}

# The prompts of a preparation, as "I" sentences, in the order they are asked.
PREPARATION_PROMPTS: dict[str, str] = {
    "want": "What I want from this appointment",
    "matters": "What matters to me",
    "stay_well": "What I already do that helps me stay well",
    "questions": "My questions",
    "worries": "My worries",
}


class Preparation(_Frozen):
    """What the service user wrote before the appointment, in their own words.

    Kept exactly as written (cleaned like any typed text), never reworded."""

    want: LongText = ""
    matters: LongText = ""
    stay_well: LongText = ""
    questions: LongText = ""
    worries: LongText = ""
    involvement: Involvement | None = None
    written_with: WrittenWith = WrittenWith.ALONE
    written: datetime | None = None

    def answers(self) -> dict[str, str]:
        """The prompts that have words, prompt key -> words, in prompt order."""
        return {key: getattr(self, key) for key in PREPARATION_PROMPTS if getattr(self, key)}

    def is_empty(self) -> bool:
        return not self.answers() and self.involvement is None


class ConcernKind(StrEnum):
    SIDE_EFFECT = "side-effect"
    SAFETY = "safety"
    CARE = "care"
    OTHER = "other"


CONCERN_KIND_TEXT: dict[ConcernKind, str] = {
    ConcernKind.SIDE_EFFECT: "a side effect",
    ConcernKind.SAFETY: "safety",
    ConcernKind.CARE: "my care",
    ConcernKind.OTHER: "something else",
}

Talk = Literal["team", "options", "side", "decision", "summary", "observer", "debrief"]


class Concern(_Frozen):
    """A worry someone present raised, in their words, and the response to it."""

    id: Annotated[str, StringConstraints(pattern=r"^c[0-9]{1,3}$")]
    raised_by: Annotated[str, StringConstraints(pattern=r"^p[0-9]{1,3}$")]
    talk: Talk = "team"
    kind: ConcernKind = ConcernKind.OTHER
    words: LongText
    response: LongText = ""
    status: Literal["open", "answered"] = "open"
    follow_up: ShortText = ""
    raised: datetime
    answered: datetime | None = None

    def has_response(self) -> bool:
        """Answered with what was agreed, or open with who follows it up."""
        if self.status == "answered":
            return bool(self.response)
        return bool(self.follow_up)


class Plan(_Frozen):
    """My plan if things get harder, in the service user's words."""

    warning_signs: LongText = ""
    what_helps: LongText = ""
    watch_for: LongText = ""
    contact: LongText = ""
    meet_sooner: LongText = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, key) for key in PLAN_PROMPTS)


PLAN_PROMPTS: dict[str, str] = {
    "warning_signs": "My early warning signs",
    "what_helps": "What helps me",
    "watch_for": "What we agreed to watch for",
    "contact": "Who I contact, and when",
    "meet_sooner": "When we meet sooner",
}


class Session(_Frozen):
    schema_version: int = SCHEMA_VERSION
    record_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-z]{12}$")]
    mode: Mode = Mode.CLINICAL
    synthetic: bool = False
    created: datetime
    updated: datetime
    completed: datetime | None = None
    app_version: str
    amends: str = ""
    service_user_ref: str = ""
    grid: GridRef
    carer_consent: CarerConsent = CarerConsent.NOT_ASKED
    participants: tuple[Participant, ...] = ()
    team_talk: TeamTalk = TeamTalk()
    disagreements: tuple[Disagreement, ...] = ()
    decision: Decision = Decision()
    feedback: dict[str, Annotated[int, Field(ge=0, le=4)]] = {}
    training: Training | None = None
    preparation: Preparation | None = None
    concerns: tuple[Concern, ...] = ()
    plan: Plan = Plan()

    # Reading helpers -----------------------------------------------------

    def participant(self, participant_id: str) -> Participant:
        for person in self.participants:
            if person.id == participant_id:
                return person
        raise KeyError(participant_id)

    def service_user(self) -> Participant | None:
        return next((p for p in self.participants if p.role == Role.SERVICE_USER), None)

    def may_give_views(self, person: Participant) -> bool:
        """Observers never; a carer only when the service user has said yes."""
        if person.role == Role.OBSERVER:
            return False
        if person.role == Role.CARER:
            return self.carer_consent == CarerConsent.YES
        return True

    def voices(self) -> tuple[Participant, ...]:
        """The people whose views are recorded, in the order they were added."""
        return tuple(p for p in self.participants if self.may_give_views(p))

    def carer_took_part(self) -> bool:
        return any(p.role == Role.CARER for p in self.voices())

    def open_disagreements(self) -> tuple[Disagreement, ...]:
        return tuple(d for d in self.disagreements if d.status == "open")

    def open_concerns(self) -> tuple[Concern, ...]:
        return tuple(c for c in self.concerns if c.status == "open")


class SessionError(ValueError):
    """A transition was asked for something the session does not allow."""


def new_record_id() -> str:
    """A random id (60 bits) that never contains a name."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,31}")


def check_reference(reference: str) -> str:
    """A pseudonymous service-user reference: 2-32 letters, digits, . _ -, with a digit.

    Requiring a digit stops a name ("JaneDoe") being typed by mistake.
    """
    reference = clean_line(reference)
    if not reference:
        raise SessionError("Type a reference, such as SU-0042. Never use a name.")
    if not _REFERENCE.fullmatch(reference) or not any(ch.isdigit() for ch in reference):
        raise SessionError(
            "A reference is 2-32 letters, digits, dots, dashes or underscores and "
            "includes at least one digit (for example SU-0042). Never use a name."
        )
    return reference


def new_session(
    *,
    grid_ref: GridRef,
    app_version: str,
    mode: Mode = Mode.CLINICAL,
    now: datetime | None = None,
    record_id: str | None = None,
) -> Session:
    now = now or utc_now()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("new_session needs a time-zone-aware time (UTC)")
    return Session(
        record_id=record_id or new_record_id(),
        mode=mode,
        created=now,
        updated=now,
        app_version=app_version,
        grid=grid_ref,
        training=None if mode == Mode.CLINICAL else Training(),
    )


def grid_ref(grid: OptionGrid) -> GridRef:
    """What a record keeps of the grid: exact version and hash, and its labels."""
    return GridRef(
        id=grid.id,
        version=grid.version,
        content_hash=grid.content_hash,
        title=grid.title[:200],
        options={o.id: o.name for o in grid.options},
        questions={q.id: q.text for q in grid.questions},
    )
