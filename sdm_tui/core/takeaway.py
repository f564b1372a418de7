"""What a take-away summary says, built once (Session + grid -> Takeaway).

A pure function: no I/O, no Textual, no markup. The Markdown summary, the HTML
handout (handout.py), the clinical text note (notetext.py) render this one
model, so they can never disagree. Every string here is plain text: typed
words are cleaned (sdm_tui.core.text) but not escaped; each renderer escapes
for its own format.

Fixed sentences are written for a reading grade of 8 or below and name
options in quotes (“Aripiprazole”), so a name never reads as part of the
sentence. Times are shown in the clinic's local time zone, named once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    IMPORTANCE_TEXT,
    INVOLVEMENT_TEXT,
    PLAN_PROMPTS,
    PREPARATION_PROMPTS,
    WRITTEN_WITH_TEXT,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    Stance,
)
from sdm_tui.core.text import clean, clean_line

CONTACT_DEFAULT = (
    "If you have questions or worries before your review, contact your care team. "
    "Their details are on your care plan."
)
CRISIS_LINE = (
    "In a crisis, call your crisis team or NHS 111 and choose the mental health option. "
    "If a life is in danger, call 999."
)
CARER_NOT_INCLUDED = "A carer was present but the service user chose not to include their views."
NOT_A_RECOMMENDATION = (
    "This is a record of what we talked about and decided together. "
    "It does not say which medicine is best."
)
TRAINING_NOTE = "This is a training role-play. It is not about a real person's care."
SYNTHETIC_NOTE = "This uses made-up example information."

STANCE_WORDS: dict[Stance, str] = {
    Stance.AGREE: "agrees",
    Stance.GO_ALONG: "will go along with it",
    Stance.DISAGREE: "disagrees",
}
STATUS_WORDS: dict[str, str] = {"open": "still open", "talked-through": "talked through"}
LEANING_WORDS: dict[Leaning, str] = {
    Leaning.TOWARDS: "leans towards",
    Leaning.OPEN: "is open to",
    Leaning.AWAY: "leans away from",
    Leaning.UNSURE: "is unsure about",
}

# Written out (not strftime) so every rendering reads the same under any locale.
# fmt: off
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
# fmt: on


def plain_date(day: date, *, weekday: bool = True) -> str:
    """A date written plainly, e.g. "Monday 5 January 2027" (English, any locale)."""
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text


def quoted(name: str) -> str:
    """An option's name set apart in running text: “Lower the dose slowly”."""
    return f"“{name}”"


def local_zone() -> tuple[tzinfo, str]:
    """This computer's time zone and its name: $TZ if set, else /etc/localtime's zone
    (an IANA name such as "Europe/London"), else the offset's own name."""
    from zoneinfo import ZoneInfo

    fallback = datetime.now().astimezone().tzinfo or UTC
    names = []
    chosen = os.environ.get("TZ", "").lstrip(":")
    if chosen:
        names.append(chosen)
    else:
        try:
            target = os.readlink("/etc/localtime")
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            names.append(target.split("zoneinfo/", 1)[1])
    for name in names:
        try:
            return ZoneInfo(name), name.removeprefix("Etc/")
        except (ValueError, OSError, KeyError):  # KeyError: ZoneInfoNotFoundError
            continue
    return fallback, fallback.tzname(None) or "local time"


@dataclass(frozen=True)
class PersonViews:
    """One person whose views are recorded."""

    name: str  # label and role, e.g. "Me (service user)"
    role: Role
    stance: str  # "agrees", ... or ""
    importance: tuple[tuple[str, int], ...]  # (question, 0-4) for questions they rated
    leanings: tuple[tuple[str, Leaning], ...]  # (option name, leaning)
    notes: tuple[str, ...]
    questions: tuple[str, ...]
    certainty: tuple[tuple[str, str], ...]  # (CERTAINTY_ITEMS key, "yes" / "no" / "unsure")


@dataclass(frozen=True)
class Difference:
    """Where people see things differently, with each side's view in their words."""

    subject: str
    status: str  # "still open" / "talked through"
    views: tuple[tuple[str, str], ...]  # (person's name, their view)


@dataclass(frozen=True)
class ConcernView:
    """A concern raised, in the words of the person who raised it, and its response."""

    number: int
    raised_by: str  # "Sam (service user)"
    where: str  # "option talk"
    kind: str  # "a side effect", "safety", ...
    words: str
    answered: bool
    response: str
    follow_up: str  # who follows it up, when it stays open


@dataclass(frozen=True)
class Takeaway:
    """Everything a summary of one session says, as plain text."""

    record_id: str
    training: bool
    synthetic: bool
    amends: str
    reference: str
    topic: str  # the decision to be made
    met: datetime  # when the consultation ended, in the local zone
    zone_name: str
    outcome: Outcome | None
    option: str  # the chosen option's name, or ""
    decided: str  # one plain sentence: what was decided
    reason: str  # the service user's own words, or ""
    next_steps: tuple[str, ...]
    review_date: date | None
    contact: str
    crisis: str
    what_matters: str  # the service user's own words, or ""
    involvement: str
    people: tuple[PersonViews, ...]
    carer_not_included: bool
    compared: tuple[str, ...]  # option names talked about
    discussed: tuple[str, ...]  # questions someone rated
    not_discussed: int  # how many of the grid's questions no one rated
    differences: tuple[Difference, ...]
    feedback: tuple[tuple[str, str], ...]  # (question, answer words)
    grid_id: str
    grid_title: str
    grid_version: str
    sources: tuple[tuple[str, str], ...]  # (id, citation) behind what was discussed
    sources_known: bool  # False: the grid file is not the one the record names
    disclaimer: str
    # Record format 2: written beforehand, raised during, and the plan.
    preparation: tuple[tuple[str, str], ...] = ()  # (prompt, the person's own words)
    prepared_by: str = ""  # "the service user, with a peer support worker"
    prepared_on: date | None = None
    prepared_involvement: str = ""
    concerns: tuple[ConcernView, ...] = ()
    plan: tuple[tuple[str, str], ...] = ()  # (prompt, words)

    @property
    def when(self) -> str:
        """Date and time, the zone named once: "Friday 1 January 2027 at 10:30 (UTC time)"."""
        return f"{plain_date(self.met.date())} at {self.met:%H:%M} ({self.zone_name} time)"

    @property
    def review(self) -> str:
        if self.review_date is None:
            return "No review date was set."
        return f"Your review is on {plain_date(self.review_date)}."

    def questions_to_ask(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.name, q) for p in self.people for q in p.questions)


def discussed_question_ids(session: Session) -> list[str]:
    """The grid's questions someone rated or that have a disagreement, in grid order;
    the rest were not discussed and are only counted."""
    voices = session.voices()
    disputed = {d.id.removeprefix("importance:") for d in session.disagreements}
    return [
        q
        for q in session.grid.questions
        if q in disputed or any(p.importance.get(q) is not None for p in voices)
    ]


def _concerns(session: Session) -> tuple[ConcernView, ...]:
    from sdm_tui.core.concerns import TALK_NAMES
    from sdm_tui.core.session import CONCERN_KIND_TEXT

    views = []
    for concern in session.concerns:
        try:
            who = clean_line(session.participant(concern.raised_by).display)
        except KeyError:
            who = "someone who left"
        views.append(
            ConcernView(
                number=int(concern.id[1:]),
                raised_by=who,
                where=TALK_NAMES.get(concern.talk, concern.talk),
                kind=CONCERN_KIND_TEXT[concern.kind],
                words=clean(concern.words).strip(),
                answered=concern.status == "answered",
                response=clean(concern.response).strip(),
                follow_up=clean_line(concern.follow_up),
            )
        )
    return tuple(views)


def _preparation(session: Session, zone: tzinfo) -> dict[str, object]:
    prepared = session.preparation
    if prepared is None:
        return {}
    by = "the service user"
    if prepared.written_with.value != "alone":
        by += ", " + WRITTEN_WITH_TEXT[prepared.written_with]
    written = prepared.written
    return {
        "preparation": tuple(
            (PREPARATION_PROMPTS[key], clean(words).strip())
            for key, words in prepared.answers().items()
        ),
        "prepared_by": by,
        "prepared_on": written.astimezone(zone).date() if written else None,
        "prepared_involvement": (
            INVOLVEMENT_TEXT[prepared.involvement] if prepared.involvement else ""
        ),
    }


def _decided(session: Session, option: str) -> str:
    outcome = session.decision.outcome
    if outcome == Outcome.CHOSEN:
        if option:
            return f"We chose {quoted(option)}."
        return "We made a choice, but which option was not recorded."
    if outcome == Outcome.DEFERRED:
        return "We decided to wait and talk again."
    if outcome == Outcome.NO_AGREEMENT:
        return "We did not agree on a choice today."
    return "No decision was recorded."


def _sources(
    session: Session, grid: OptionGrid, discussed: list[str]
) -> tuple[tuple[str, str], ...]:
    """The sources behind the cells talked about (compared options, rated questions)."""
    options = [o for o in session.team_talk.options if o in session.grid.options]
    if session.decision.option and session.decision.option not in options:
        options.append(session.decision.option)
    questions = discussed or list(session.grid.questions)
    if session.decision.option in options:  # the chosen option's sources first
        options.remove(session.decision.option)
        options.insert(0, session.decision.option)
    cited: list[str] = []
    for option in options:
        for question in questions:
            try:
                answer = grid.answer(question, option)
            except KeyError:
                continue
            cited += [s for s in answer.sources if s not in cited]
    known = {s.id: s.citation for s in grid.sources}
    return tuple((key, clean_line(known[key])) for key in cited if key in known)


def takeaway(
    session: Session,
    grid: OptionGrid | None = None,
    *,
    contact: str = "",
    zone: tzinfo | None = None,
    zone_name: str = "",
) -> Takeaway:
    """What the summary of `session` says.

    `grid` is the option grid the session used; its sources are named only when
    it is exactly the grid the record names (same content hash). `contact` is the
    clinic's contact line (a general one if empty). `zone` and `zone_name`: the
    clinic's time zone (default: this computer's).
    """
    if zone is None:
        zone, found = local_zone()
        zone_name = zone_name or found
    zone_name = zone_name or (zone.tzname(None) or "local time")
    moment = session.completed or session.updated
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ref = session.grid
    decision = session.decision
    option = ref.options.get(decision.option, decision.option) if decision.option else ""
    voices = session.voices()
    discussed = discussed_question_ids(session)
    people = tuple(
        PersonViews(
            name=clean_line(p.display),
            role=p.role,
            stance=STANCE_WORDS[decision.stances[p.id]] if p.id in decision.stances else "",
            importance=tuple(
                (clean_line(ref.questions[q]), p.importance[q])
                for q in discussed
                if q in p.importance
            ),
            leanings=tuple(
                (ref.options.get(o, o), p.leanings[o])
                for o in session.team_talk.options
                if o in p.leanings
            ),
            notes=tuple(clean(n).strip() for n in p.notes if clean(n).strip()),
            questions=tuple(clean(q).strip() for q in p.questions if clean(q).strip()),
            certainty=tuple(
                (key, p.certainty[key].value) for key in CERTAINTY_ITEMS if key in p.certainty
            ),
        )
        for p in voices
    )
    names = {p.id: clean_line(p.display) for p in voices}
    differences = tuple(
        Difference(
            subject=clean_line(d.subject),
            status=STATUS_WORDS.get(d.status, d.status),
            views=tuple(
                (names[p.id], clean(d.views[p.id]).strip())
                for p in voices
                if clean(d.views.get(p.id, "")).strip()
            ),
        )
        for d in session.disagreements
    )
    same_grid = grid is not None and grid.content_hash == ref.content_hash
    talk = session.team_talk
    return Takeaway(
        record_id=session.record_id,
        training=session.mode == Mode.TRAINING,
        synthetic=session.synthetic,
        amends=session.amends,
        reference=clean_line(session.service_user_ref),
        topic=clean_line(talk.decision or ref.title or ref.id),
        met=moment.astimezone(zone),
        zone_name=zone_name,
        outcome=decision.outcome,
        option=clean_line(option),
        decided=_decided(session, clean_line(option)),
        reason=clean(decision.reason).strip(),
        next_steps=tuple(s for s in (clean_line(x) for x in decision.next_steps) if s),
        review_date=decision.review_date,
        contact=clean_line(contact) or CONTACT_DEFAULT,
        crisis=CRISIS_LINE,
        what_matters=clean(talk.what_matters).strip(),
        involvement=INVOLVEMENT_TEXT[talk.involvement] if talk.involvement else "",
        people=people,
        carer_not_included=any(
            p.role == Role.CARER and not session.may_give_views(p) for p in session.participants
        ),
        compared=tuple(clean_line(ref.options.get(o, o)) for o in talk.options),
        discussed=tuple(clean_line(ref.questions[q]) for q in discussed),
        not_discussed=len(ref.questions) - len(discussed),
        differences=differences,
        feedback=tuple(
            (text, FEEDBACK_SCALE[session.feedback[key]])
            for key, text in FEEDBACK_ITEMS.items()
            if key in session.feedback
        ),
        grid_id=ref.id,
        grid_title=clean_line(ref.title or ref.id),
        grid_version=clean_line(ref.version),
        sources=_sources(session, grid, discussed) if grid is not None and same_grid else (),
        sources_known=same_grid,
        disclaimer=clean_line(grid.disclaimer) if grid is not None and same_grid else "",
        concerns=_concerns(session),
        plan=tuple(
            (PLAN_PROMPTS[key], clean(getattr(session.plan, key)).strip())
            for key in PLAN_PROMPTS
            if clean(getattr(session.plan, key)).strip()
        ),
        **_preparation(session, zone),  # type: ignore[arg-type]
    )


def importance_words(value: int) -> str:
    return IMPORTANCE_TEXT[value]


def safe_file_name(record_path: Path, suffix: str) -> Path:
    """A file beside the record, named by date and record id only: `<stem><suffix>`."""
    return record_path.with_name(record_path.stem + suffix)
