"""The Markdown summary the service user takes away (record -> Markdown).

A pure function: no I/O, no Textual. Everything people typed (labels, what
matters, the reason, notes, questions, views, next steps, recorded subjects,
the reference, the contact line) and all grid text goes through `md_escape` or
`md_cell`, so typed text always shows literally and never becomes headings,
links, images, HTML, code, emphasis or extra table cells. The summary itself
uses no emphasis, links or code, so any such token in the output is a bug.

It records what was said and decided; it never says which medicine is best.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    IMPORTANCE_TEXT,
    INVOLVEMENT_TEXT,
    LEANING_SYMBOL,
    Leaning,
    Mode,
    Outcome,
    Participant,
    Role,
    Session,
    Stance,
)
from sdm_tui.core.text import md_cell, md_escape

DEFAULT_CONTACT = (
    "If you have questions or worries before your review, contact your care team using "
    "the details on your care plan. In a crisis, use your crisis line or call 999 (UK)."
)

CARER_NOT_INCLUDED = "A carer was present but the service user chose not to include their views."

STANCE_TEXT: dict[Stance, str] = {
    Stance.AGREE: "agrees",
    Stance.GO_ALONG: "will go along with it",
    Stance.DISAGREE: "disagrees",
}

STATUS_TEXT: dict[str, str] = {"open": "still open", "talked-through": "talked through"}

# Written out (not strftime) so the summary reads the same under any locale.
# fmt: off
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
# fmt: on


def plain_date(day: date, *, weekday: bool = True) -> str:
    """A date written plainly, e.g. "Monday 5 January 2027" (English, any locale)."""
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def _esc(text: str, indent: str = "") -> str:
    """`md_escape`, with each further line of a multi-line text starting `indent`."""
    return ("\n" + indent).join(md_escape(text).split("\n"))


def _person(person: Participant) -> str:
    """A person's label and role, escaped for running text."""
    return _esc(person.display)


def _option_name(session: Session, option_id: str) -> str:
    return session.grid.options.get(option_id, option_id)


def _heading(session: Session) -> list[str]:
    when = _utc_date(session.completed or session.updated)
    decision = session.team_talk.decision or session.grid.title or session.grid.id
    reference = session.service_user_ref
    lines = [
        "# Your decision summary",
        "",
        f"Date: {plain_date(when)} (UTC).  ",
        f"The decision: {_esc(decision)}  ",
        "Reference: " + (_esc(reference) if reference else "none recorded"),
        "",
    ]
    if session.mode == Mode.TRAINING:
        lines += [
            "This is a training role-play. It is not a clinical record and is not about "
            "a real person's care.",
            "",
        ]
    if session.synthetic:
        lines += ["This summary uses made-up example information.", ""]
    if session.amends:
        lines += [f"This summary corrects record {_esc(session.amends)}.", ""]
    lines += [
        "This summary is a record of what we talked about and decided together. "
        "It does not say which medicine is best.",
        "",
    ]
    return lines


def _decided(session: Session) -> list[str]:
    decision = session.decision
    if decision.outcome == Outcome.CHOSEN and decision.option:
        outcome = f"We chose {_esc(_option_name(session, decision.option))}."
    elif decision.outcome == Outcome.CHOSEN:
        outcome = "We made a choice, but which option was not recorded."
    elif decision.outcome == Outcome.DEFERRED:
        outcome = "We decided to wait and talk again."
    elif decision.outcome == Outcome.NO_AGREEMENT:
        outcome = "We did not agree on a choice today."
    else:
        outcome = "No decision was recorded."
    lines = ["## What was decided", "", outcome, ""]
    if decision.reason:
        lines += [
            "The reason, in the service user's own words:",
            "",
            "> " + _esc(decision.reason, "> "),
            "",
        ]
    stances = [
        f"- {_person(p)}: {STANCE_TEXT[decision.stances[p.id]]}"
        for p in session.voices()
        if p.id in decision.stances
    ]
    if stances:
        lines += ["How each person feels about this:", "", *stances, ""]
    return lines


def _what_matters(session: Session) -> list[str]:
    talk = session.team_talk
    lines = ["## What matters to you", ""]
    if talk.what_matters:
        lines += ["In your words:", "", "> " + _esc(talk.what_matters, "> "), ""]
    else:
        lines += ["This was not written down.", ""]
    if talk.involvement is not None:
        lines += [
            "How involved you wanted to be: " + _esc(INVOLVEMENT_TEXT[talk.involvement]),
            "",
        ]
    return lines


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _importance(value: int | None) -> str:
    return "not discussed" if value is None else f"{value} ({IMPORTANCE_TEXT[value]})"


def _leaning(value: Leaning | None) -> str:
    return "not said" if value is None else f"{LEANING_SYMBOL[value]} {value.value}"


def discussed_questions(session: Session) -> list[tuple[str, str]]:
    """(id, text) of the grid's questions someone rated, or that have a disagreement
    (with views written): the rest were not discussed and are only counted."""
    voices = session.voices()
    disputed = {d.id.removeprefix("importance:") for d in session.disagreements}
    return [
        (question_id, text)
        for question_id, text in session.grid.questions.items()
        if question_id in disputed or any(p.importance.get(question_id) is not None for p in voices)
    ]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _each_person(session: Session) -> list[str]:
    voices = session.voices()
    lines = ["## What mattered to each person", ""]
    if voices:
        lines += [
            "Importance goes from 0 (not important) to 4 (most important). "
            "Leanings: ▲ towards, ◆ open, ▼ away, ? unsure.",
            "",
            _row([md_cell("What we talked about"), *(md_cell(p.display) for p in voices)]),
            _row(["---"] * (len(voices) + 1)),
        ]
        questions = discussed_questions(session)
        for question_id, text in questions:
            cells = [md_cell(_importance(p.importance.get(question_id))) for p in voices]
            lines.append(_row([md_cell(text), *cells]))
        for option_id in session.team_talk.options:
            cells = [md_cell(_leaning(p.leanings.get(option_id))) for p in voices]
            name = _option_name(session, option_id)
            lines.append(_row([md_cell(f"Leaning on {name}"), *cells]))
        lines.append("")
        left = len(session.grid.questions) - len(questions)
        if left:
            lines += [
                f"{_count(left, 'other question was', 'other questions were')} not discussed.",
                "",
            ]
    else:
        lines += ["No one's views were recorded.", ""]
    if any(p.role == Role.CARER and not session.may_give_views(p) for p in session.participants):
        lines += [CARER_NOT_INCLUDED, ""]
    return lines


def _differences(session: Session) -> list[str]:
    lines = ["## Where people see things differently", ""]
    if not session.disagreements:
        return [*lines, "None were found or recorded.", ""]
    voices = session.voices()
    for item in session.disagreements:
        status = STATUS_TEXT.get(item.status, item.status)
        lines.append(f"- {_esc(item.subject)} ({status})")
        views = [p for p in voices if item.views.get(p.id)]
        for person in views:
            view = _esc(item.views[person.id], "    ")
            lines.append(f"  - {_person(person)} said: {view}")
        if not views:
            lines.append("  - No one wrote down their view on this.")
    return [*lines, ""]


def _notes(session: Session) -> list[str]:
    lines = ["## Notes and questions", ""]
    written = False
    for person in session.voices():
        if not person.notes and not person.questions:
            continue
        written = True
        lines += [f"From {_person(person)}:", ""]
        for note in person.notes:
            lines.append("- Note: " + _esc(note, "  "))
        for question in person.questions:
            lines.append("- Question to ask: " + _esc(question, "  "))
        lines.append("")
    if not written:
        lines += ["No notes or questions were written down.", ""]
    return lines


def _next_steps(session: Session) -> list[str]:
    decision = session.decision
    lines = ["## Next steps", ""]
    if decision.next_steps:
        lines += [f"- {_esc(step)}" for step in decision.next_steps]
    else:
        lines.append("No next steps were written down.")
    lines += ["", "## Review", ""]
    if decision.review_date is not None:
        lines.append(f"Your review is on {plain_date(decision.review_date)}.")
    else:
        lines.append("No review date was set.")
    return [*lines, ""]


def _certainty(session: Session) -> list[str]:
    lines = ["## How sure everyone felt", ""]
    answered = False
    for person in session.voices():
        items = [key for key in CERTAINTY_ITEMS if key in person.certainty]
        if not items:
            continue
        answered = True
        lines += [f"{_person(person)}:", ""]
        lines += [
            f"- {CERTAINTY_ITEMS[key]} {person.certainty[key].value.capitalize()}." for key in items
        ]
        lines.append("")
    if not answered:
        lines += ["No one answered the questions about how sure they felt.", ""]
    given = [key for key in FEEDBACK_ITEMS if key in session.feedback]
    if given:
        lines += ["Your feedback on how involved you felt:", ""]
        lines += [
            f"- {FEEDBACK_ITEMS[key]} {FEEDBACK_SCALE[session.feedback[key]].capitalize()}."
            for key in given
        ]
        lines.append("")
    return lines


def _about(session: Session, grid: OptionGrid | None) -> list[str]:
    ref = session.grid
    title = _esc(ref.title or ref.id)
    lines = [
        "## About the information",
        "",
        f"The information came from the option grid {title}, version {_esc(ref.version)}.",
        "",
    ]
    if grid is not None and grid.content_hash == ref.content_hash:
        lines += ["Its sources:", ""]
        lines += [f"- {_esc(s.id)}: {_esc(s.citation)}" for s in grid.sources]
        lines += ["", _esc(grid.disclaimer), ""]
    else:
        lines += [
            f"Its sources are listed in the grid file {_esc(ref.id)}, version {_esc(ref.version)}.",
            "",
        ]
    return lines


def summary_markdown(
    session: Session, grid: OptionGrid | None = None, *, contact: str = DEFAULT_CONTACT
) -> str:
    """The service user's take-away summary of a session, as Markdown.

    `grid` is the option grid the session used; its sources are listed only when
    it is exactly the grid the record names (same content hash).
    """
    lines = [
        *_heading(session),
        *_decided(session),
        *_what_matters(session),
        *_each_person(session),
        *_differences(session),
        *_notes(session),
        *_next_steps(session),
        *_certainty(session),
        "## Who to contact",
        "",
        _esc(contact) or _esc(DEFAULT_CONTACT),
        "",
        *_about(session, grid),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
