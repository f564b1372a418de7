"""One person over time: compare two of their records, and how reviews were kept.

Pure functions on Session objects (no I/O, no Textual), so the review screen,
the command line and the tests all read the same words.

People are matched between two records by role, then by label: the service
user is always the same person; a clinician, carer or peer worker is matched by
the same label, or, when just one person of that role took part each time,
with each other. Someone who took part only once shows "—" on the other side.
Only the people whose views are recorded (`Session.voices`) are compared.

Grids can differ between records (a new version, or another grid): only the
questions and options in both are compared, and the rest are named. Within one
grid, questions and options are matched by id; across two different grids, by
id and the same wording, so two grids that reuse an id for another question are
never mixed up.

A review date counts as kept when the next record was made on or before it, or
within GRACE_DAYS after it (clinics rarely see someone on the exact day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sdm_tui.core.session import (
    IMPORTANCE_TEXT,
    LEANING_SYMBOL,
    ROLE_NAMES,
    Leaning,
    Mode,
    Outcome,
    Participant,
    Role,
    Session,
)
from sdm_tui.core.summary import plain_date
from sdm_tui.core.text import md_cell, md_escape

GRACE_DAYS = 14
NOT_GIVEN = "—"


class CompareError(ValueError):
    """Two records that cannot be compared (different people); the message says why."""


@dataclass(frozen=True)
class Change:
    """One person's rating or leaning that differs between two records."""

    who: str  # matched person: display text "Sam (service user)"
    kind: str  # "importance" | "leaning"
    subject: str  # question text or option name (from each record's GridRef labels)
    before: str  # e.g. "3 very" / "▲ towards" / "—" when not given
    after: str


@dataclass(frozen=True)
class Comparison:
    older: Session
    newer: Session
    people: list[tuple[str, str]]  # (older display or "—", newer display or "—")
    changes: list[Change]
    decision_before: str
    decision_after: str
    review_kept: str  # plain words: was the older record's review date kept by the newer one
    grid_note: str = ""  # plain words: same grid, a new version of it, or another grid
    only_older: list[str] = field(default_factory=list)  # "Question: ...", "Option: ..."
    only_newer: list[str] = field(default_factory=list)


# Small words ------------------------------------------------------------------


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def record_day(session: Session) -> date:
    """The day a consultation took place (UTC): when its record was started."""
    return _day(session.created)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _date(day: date) -> str:
    return plain_date(day, weekday=False)


def importance_words(value: int | None) -> str:
    return NOT_GIVEN if value is None else f"{value} {IMPORTANCE_TEXT[value]}"


def leaning_words(value: Leaning | None) -> str:
    return NOT_GIVEN if value is None else f"{LEANING_SYMBOL[value]} {value.value}"


def decision_words(session: Session) -> str:
    """What was decided, in a few plain words: "Chosen: Tablet A", "Deferred"..."""
    decision = session.decision
    if decision.outcome == Outcome.CHOSEN:
        if not decision.option:
            return "Chosen: option not recorded"
        return "Chosen: " + session.grid.options.get(decision.option, decision.option)
    if decision.outcome == Outcome.DEFERRED:
        return "Deferred"
    if decision.outcome == Outcome.NO_AGREEMENT:
        return "No agreement"
    return "No decision recorded"


# People -------------------------------------------------------------------------


def match_people(
    older: Session, newer: Session
) -> list[tuple[Participant | None, Participant | None]]:
    """Pairs of the same person in two records: by role, then by label.

    Older people come first in the order they joined, each with their match or
    None; people only in the newer record follow in their order.
    """
    old, new = list(older.voices()), list(newer.voices())
    match: dict[str, Participant] = {}  # older participant id -> newer participant
    taken: set[str] = set()

    def pair(a: Participant, b: Participant) -> None:
        match[a.id] = b
        taken.add(b.id)

    old_user, new_user = older.service_user(), newer.service_user()
    if old_user is not None and new_user is not None and old_user in old and new_user in new:
        pair(old_user, new_user)
    for a in old:  # same role and the same label
        if a.id in match:
            continue
        b = next(
            (
                b
                for b in new
                if b.id not in taken
                and b.role == a.role
                and b.label.casefold() == a.label.casefold()
            ),
            None,
        )
        if b is not None:
            pair(a, b)
    for role in Role:  # just one of a role each time: the same person, relabelled
        of_old = [a for a in old if a.role == role]
        of_new = [b for b in new if b.role == role]
        if len(of_old) == 1 and len(of_new) == 1 and of_old[0].id not in match:
            pair(of_old[0], of_new[0])
    pairs: list[tuple[Participant | None, Participant | None]] = [(a, match.get(a.id)) for a in old]
    pairs += [(None, b) for b in new if b.id not in taken]
    return pairs


def _who(a: Participant | None, b: Participant | None) -> str:
    if a is not None and b is not None and a.label.casefold() != b.label.casefold():
        return f"{a.label} / {b.label} ({ROLE_NAMES[b.role]})"
    person = b or a
    assert person is not None
    return person.display


# Grids ----------------------------------------------------------------------------


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _shared(old: dict[str, str], new: dict[str, str], same_grid: bool) -> list[str]:
    """Ids (in the newer grid's order) that mean the same thing in both records."""
    return [
        key
        for key, text in new.items()
        if key in old and (same_grid or _same_words(old[key], text))
    ]


def _grid_note(older: Session, newer: Session) -> str:
    a, b = older.grid, newer.grid
    if a.id == b.id and a.content_hash == b.content_hash:
        return f"Both records used the grid {b.title or b.id}, version {b.version}."
    if a.id == b.id:
        return (
            f"The grid {b.title or b.id} changed between the records (version {a.version}, "
            f"then {b.version}); only the questions and options in both are compared."
        )
    return (
        f"The records used different grids ({a.title or a.id}, then {b.title or b.id}); "
        "only questions and options with the same id and wording in both are compared."
    )


# Reviews --------------------------------------------------------------------------


def review_words(review: date | None, next_day: date | None, today: date | None = None) -> str:
    """Plain words about one review date, given the day of the next record (if any)."""
    if review is None:
        return "No review date was set."
    when = _date(review)
    if next_day is not None:
        late = (next_day - review).days
        if late < 0:
            return f"Review on {when} was kept: the next record was {_days(-late)} before it."
        if late == 0:
            return f"Review on {when} was kept: the next record was on the day."
        if late <= GRACE_DAYS:
            return f"Review on {when} was kept: the next record was {_days(late)} after it."
        return (
            f"Review on {when} was missed by {_days(late)}: the next record was on "
            f"{_date(next_day)}."
        )
    if today is None:
        return f"Review on {when}: there is no later record."
    overdue = (today - review).days
    if overdue < 0:
        return f"Review on {when} is not due yet ({_days(-overdue)} to go)."
    if overdue == 0:
        return f"Review on {when} is due today."
    if overdue <= GRACE_DAYS:
        return f"Review on {when} was due {_days(overdue)} ago; there is no later record yet."
    return f"Review on {when} was missed: it was {_days(overdue)} ago and there is no later record."


def _chains(sessions: Iterable[Session]) -> dict[str, str]:
    """Record id -> the id of the first record in its amendment chain."""
    parent = {s.record_id: s.amends for s in sessions}

    def root(record_id: str) -> str:
        seen: set[str] = set()
        while parent.get(record_id) and parent[record_id] in parent and record_id not in seen:
            seen.add(record_id)
            record_id = parent[record_id]
        return record_id

    return {record_id: root(record_id) for record_id in parent}


def _corrects(a: Session, b: Session) -> bool:
    return a.amends == b.record_id or b.amends == a.record_id


def review_status(sessions: list[Session], today: date) -> list[str]:
    """One plain line per record, in the order given, about its review date.

    Each record's review is measured against the next record in time that is
    not a correction (amendment) of the same record: kept, missed, not due yet,
    or none set.
    """
    chain = _chains(sessions)
    ordered = sorted(sessions, key=lambda s: (s.created, s.record_id))
    lines = []
    for session in sessions:
        later = next(
            (
                s
                for s in ordered
                if s.created > session.created and chain[s.record_id] != chain[session.record_id]
            ),
            None,
        )
        next_day = record_day(later) if later is not None else None
        lines.append(review_words(session.decision.review_date, next_day, today))
    return lines


# Compare --------------------------------------------------------------------------


def _same_person(older: Session, newer: Session) -> None:
    a, b = older.service_user_ref, newer.service_user_ref
    if a.casefold() != b.casefold():
        raise CompareError(
            f"Records {older.record_id} and {newer.record_id} are about different service "
            f"users ({a or 'no reference'} and {b or 'no reference'}); compare two records "
            "of one person."
        )
    if older.mode != newer.mode:
        raise CompareError(
            f"Records {older.record_id} and {newer.record_id}: one is a training role-play "
            "and the other a clinical record; compare two records of one kind."
        )


def compare(older: Session, newer: Session) -> Comparison:
    """How each person's views, the decision and the review changed between two records.

    The two are put in time order first (by when each was started). Raises
    CompareError for records about different service users, or a training
    record and a clinical one.
    """
    _same_person(older, newer)
    if (newer.created, newer.record_id) < (older.created, older.record_id):
        older, newer = newer, older
    same_grid = older.grid.id == newer.grid.id
    questions = _shared(older.grid.questions, newer.grid.questions, same_grid)
    options = _shared(older.grid.options, newer.grid.options, same_grid)

    pairs = match_people(older, newer)
    changes: list[Change] = []
    for a, b in pairs:
        who = _who(a, b)
        for key in questions:
            before = importance_words(a.importance.get(key) if a else None)
            after = importance_words(b.importance.get(key) if b else None)
            if before != after:
                changes.append(Change(who, "importance", newer.grid.questions[key], before, after))
        for key in options:
            before = leaning_words(a.leanings.get(key) if a else None)
            after = leaning_words(b.leanings.get(key) if b else None)
            if before != after:
                changes.append(Change(who, "leaning", newer.grid.options[key], before, after))

    def only(ref_q: dict[str, str], ref_o: dict[str, str]) -> list[str]:
        return [f"Question: {text}" for k, text in ref_q.items() if k not in questions] + [
            f"Option: {name}" for k, name in ref_o.items() if k not in options
        ]

    if _corrects(older, newer):
        review = "The newer record corrects the older one, so it is not a review."
    else:
        review = review_words(older.decision.review_date, record_day(newer))
    return Comparison(
        older=older,
        newer=newer,
        people=[(a.display if a else NOT_GIVEN, b.display if b else NOT_GIVEN) for a, b in pairs],
        changes=changes,
        decision_before=decision_words(older),
        decision_after=decision_words(newer),
        review_kept=review,
        grid_note=_grid_note(older, newer),
        only_older=only(older.grid.questions, older.grid.options),
        only_newer=only(newer.grid.questions, newer.grid.options),
    )


# Markdown -------------------------------------------------------------------------


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def comparison_markdown(c: Comparison) -> str:
    """The comparison as Markdown for notes and the command line; typed text escaped."""
    old_day, new_day = _date(record_day(c.older)), _date(record_day(c.newer))
    reference = c.newer.service_user_ref
    lines = [
        "# How things changed between two decisions",
        "",
        "Reference: " + (md_escape(reference) if reference else "none recorded") + "  ",
        f"Earlier record: {md_escape(c.older.record_id)}, {old_day}.  ",
        f"Later record: {md_escape(c.newer.record_id)}, {new_day}.",
        "",
    ]
    if c.newer.mode == Mode.TRAINING:
        lines += ["These are training role-plays, not clinical records.", ""]
    if c.older.synthetic or c.newer.synthetic:
        lines += ["These records use made-up example information.", ""]
    lines += [md_escape(c.grid_note), ""]

    def review(session: Session) -> str:
        day = session.decision.review_date
        return _date(day) if day else "none set"

    lines += [
        "## What was decided",
        "",
        _row([" ", md_cell(old_day), md_cell(new_day)]),
        _row(["---"] * 3),
        _row(["Decision", md_cell(c.decision_before), md_cell(c.decision_after)]),
        _row(["Review date", md_cell(review(c.older)), md_cell(review(c.newer))]),
        "",
        md_escape(c.review_kept),
        "",
        "## Who took part",
        "",
        _row([md_cell(old_day), md_cell(new_day)]),
        _row(["---"] * 2),
        *(_row([md_cell(a), md_cell(b)]) for a, b in c.people),
        "",
        "## What changed",
        "",
    ]
    if c.changes:
        lines += [
            "Importance goes from 0 (not important) to 4 (most important). "
            "Leanings: ▲ towards, ◆ open, ▼ away, ? unsure. — means not given.",
            "",
            _row(["Who", "About", "Before", "After"]),
            _row(["---"] * 4),
        ]
        for change in c.changes:
            about = (
                change.subject if change.kind == "importance" else f"Leaning on {change.subject}"
            )
            lines.append(
                _row([md_cell(x) for x in (change.who, about, change.before, change.after)])
            )
        lines.append("")
    else:
        lines += ["No one's importance ratings or leanings changed.", ""]
    if c.only_older or c.only_newer:
        lines += ["## Only in one record", ""]
        lines += [f"- Only in the earlier record: {md_escape(x)}" for x in c.only_older]
        lines += [f"- Only in the later record: {md_escape(x)}" for x in c.only_newer]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
