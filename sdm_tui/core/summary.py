"""The Markdown summary the service user takes away (record -> Markdown).

A pure function: no I/O, no Textual. It renders the one content model
(sdm_tui.core.takeaway), as the HTML handout and the clinical note do, so they
never disagree. Everything people typed (labels, what matters, the reason,
notes, questions, views, next steps, recorded subjects, the reference, the
contact line) and all grid text goes through `md_escape` or `md_cell`, so typed
text always shows literally and never becomes headings, links, images, HTML,
code, emphasis or extra table cells. The summary itself uses no emphasis, links
or code, so any such token in the output is a bug.

What a person needs at home comes first: what was decided, the next steps, the
review date and who to contact. Option names are set apart in quotes, the date
is in local time with the zone named once, and sources are listed by their
citation only, at the end.

It records what was said and decided; it never says which medicine is best.
"""

from __future__ import annotations

from datetime import tzinfo

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    IMPORTANCE_TEXT,
    LEANING_SYMBOL,
    Leaning,
    Session,
)
from sdm_tui.core.takeaway import (
    CARER_NOT_INCLUDED,
    CONTACT_DEFAULT,
    NOT_A_RECOMMENDATION,
    STANCE_WORDS,
    STATUS_WORDS,
    SYNTHETIC_NOTE,
    Takeaway,
    discussed_question_ids,
    plain_date,
    quoted,
    takeaway,
)
from sdm_tui.core.text import md_cell, md_escape

__all__ = [
    "CARER_NOT_INCLUDED",
    "DEFAULT_CONTACT",
    "STANCE_TEXT",
    "STATUS_TEXT",
    "discussed_questions",
    "plain_date",
    "summary_markdown",
]

DEFAULT_CONTACT = CONTACT_DEFAULT
STANCE_TEXT = STANCE_WORDS
STATUS_TEXT = STATUS_WORDS


def _esc(text: str, indent: str = "") -> str:
    """`md_escape`, with each further line of a multi-line text starting `indent`."""
    return ("\n" + indent).join(md_escape(text).split("\n"))


def discussed_questions(session: Session) -> list[tuple[str, str]]:
    """(id, text) of the grid's questions someone rated, or that have a disagreement
    (with views written): the rest were not discussed and are only counted."""
    return [(q, session.grid.questions[q]) for q in discussed_question_ids(session)]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _heading(m: Takeaway) -> list[str]:
    lines = [
        "# Your decision summary",
        "",
        f"Date: {_esc(m.when)}.  ",
        f"The decision: {_esc(m.topic)}  ",
        "Reference: " + (_esc(m.reference) if m.reference else "none recorded"),
        "",
    ]
    if m.training:
        lines += [
            "This is a training role-play. It is not a clinical record and is not about "
            "a real person's care.",
            "",
        ]
    if m.synthetic:
        lines += [SYNTHETIC_NOTE, ""]
    if m.amends:
        lines += [f"This summary corrects record {_esc(m.amends)}.", ""]
    return [*lines, NOT_A_RECOMMENDATION, ""]


def _decided(m: Takeaway) -> list[str]:
    lines = ["## What was decided", "", _esc(m.decided), ""]
    if m.reason:
        lines += [
            "The reason, in the service user's own words:",
            "",
            "> " + _esc(m.reason, "> "),
            "",
        ]
    stances = [f"- {_esc(p.name)}: {p.stance}" for p in m.people if p.stance]
    if stances:
        lines += ["How each person feels about this:", "", *stances, ""]
    return lines


def _next_steps(m: Takeaway) -> list[str]:
    lines = ["## Next steps", ""]
    if m.next_steps:
        lines += [f"- {_esc(step)}" for step in m.next_steps]
    else:
        lines.append("No next steps were written down.")
    lines += ["", "## Review", "", m.review, "", "## Who to contact", ""]
    return [*lines, _esc(m.contact), "", m.crisis, ""]


def _what_matters(m: Takeaway) -> list[str]:
    lines = ["## What matters to you", ""]
    if m.what_matters:
        lines += ["In your words:", "", "> " + _esc(m.what_matters, "> "), ""]
    else:
        lines += ["This was not written down.", ""]
    if m.involvement:
        lines += ["How involved you wanted to be: " + _esc(m.involvement), ""]
    return lines


def _plan(m: Takeaway) -> list[str]:
    if not m.plan:
        return []
    lines = ["## My plan if things get harder", ""]
    for prompt, words in m.plan:
        lines += [f"{prompt}:", "", "> " + _esc(words, "> "), ""]
    return lines


def _concerns(m: Takeaway) -> list[str]:
    if not m.concerns:
        return []
    lines = ["## Concerns raised", ""]
    for item in m.concerns:
        lines.append(
            f"- Concern {item.number}, about {item.kind}, raised by {_esc(item.raised_by)} "
            f"in {item.where}: {_esc(item.words, '  ')}"
        )
        if item.answered:
            lines.append(f"  - Answered: {_esc(item.response, '    ')}")
        else:
            lines.append(
                "  - Still open." + (f" {_esc(item.response, '    ')}" if item.response else "")
            )
            if item.follow_up:
                lines.append(f"  - Followed up by: {_esc(item.follow_up)}")
    return [*lines, ""]


def _prepared(m: Takeaway) -> list[str]:
    if not m.preparation and not m.prepared_involvement:
        return []
    when = f" on {plain_date(m.prepared_on)}" if m.prepared_on else ""
    lines = [
        "## Written before the appointment",
        "",
        f"Written beforehand by {m.prepared_by}{when}, in their own words:",
        "",
    ]
    for prompt, words in m.preparation:
        lines += [f"{prompt}:", "", "> " + _esc(words, "> "), ""]
    if m.prepared_involvement:
        lines += ["How involved I want to be: " + _esc(m.prepared_involvement), ""]
    return lines


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _importance(value: int | None) -> str:
    return "not discussed" if value is None else f"{value} ({IMPORTANCE_TEXT[value]})"


def _leaning(value: Leaning | None) -> str:
    return "not said" if value is None else f"{LEANING_SYMBOL[value]} {value.value}"


def _each_person(m: Takeaway) -> list[str]:
    lines = ["## What mattered to each person", ""]
    if m.people:
        lines += [
            "Importance goes from 0 (not important) to 4 (most important). "
            "Leanings: ▲ towards, ◆ open, ▼ away, ? unsure.",
            "",
            _row([md_cell("What we talked about"), *(md_cell(p.name) for p in m.people)]),
            _row(["---"] * (len(m.people) + 1)),
        ]
        for question in m.discussed:
            cells = [md_cell(_importance(dict(p.importance).get(question))) for p in m.people]
            lines.append(_row([md_cell(question), *cells]))
        for option in m.compared:
            cells = [md_cell(_leaning(dict(p.leanings).get(option))) for p in m.people]
            lines.append(_row([md_cell(f"Leaning on {quoted(option)}"), *cells]))
        lines.append("")
        if m.not_discussed:
            lines += [
                f"{_count(m.not_discussed, 'other question was', 'other questions were')} "
                "not discussed.",
                "",
            ]
    else:
        lines += ["No one's views were recorded.", ""]
    if m.carer_not_included:
        lines += [CARER_NOT_INCLUDED, ""]
    return lines


def _differences(m: Takeaway) -> list[str]:
    lines = ["## Where people see things differently", ""]
    if not m.differences:
        return [*lines, "None were found or recorded.", ""]
    for item in m.differences:
        lines.append(f"- {_esc(item.subject)} ({item.status})")
        for name, view in item.views:
            lines.append(f"  - {_esc(name)} said: {_esc(view, '    ')}")
        if not item.views:
            lines.append("  - No one wrote down their view on this.")
    return [*lines, ""]


def _notes(m: Takeaway) -> list[str]:
    lines = ["## Notes and questions", ""]
    written = False
    for person in m.people:
        if not person.notes and not person.questions:
            continue
        written = True
        lines += [f"From {_esc(person.name)}:", ""]
        lines += ["- Note: " + _esc(note, "  ") for note in person.notes]
        lines += ["- Question to ask: " + _esc(q, "  ") for q in person.questions]
        lines.append("")
    if not written:
        lines += ["No notes or questions were written down.", ""]
    return lines


def _certainty(m: Takeaway) -> list[str]:
    lines = ["## How sure everyone felt", ""]
    answered = False
    for person in m.people:
        if not person.certainty:
            continue
        answered = True
        lines += [f"{_esc(person.name)}:", ""]
        lines += [
            f"- {CERTAINTY_ITEMS[k]} {answer.capitalize()}." for k, answer in person.certainty
        ]
        lines.append("")
    if not answered:
        lines += ["No one answered the questions about how sure they felt.", ""]
    if m.feedback:
        lines += ["Your feedback on how involved you felt:", ""]
        lines += [f"- {question} {answer.capitalize()}." for question, answer in m.feedback]
        lines.append("")
    return lines


def _about(m: Takeaway) -> list[str]:
    title, version = _esc(m.grid_title), _esc(m.grid_version)
    lines = [
        "## About the information",
        "",
        f"The information came from the option grid {quoted(title)}, version {version}.",
        "",
    ]
    if m.sources_known:
        if m.sources:
            lines += ["Where the facts come from:", ""]
            lines += [f"- {_esc(citation)}" for _, citation in m.sources]
            lines.append("")
        if m.disclaimer:
            lines += [_esc(m.disclaimer), ""]
    else:
        grid_file = _esc(m.grid_id)
        lines += [f"Its sources are listed in the grid file {grid_file}, version {version}.", ""]
    return lines


def summary_markdown(
    session: Session,
    grid: OptionGrid | None = None,
    *,
    contact: str = DEFAULT_CONTACT,
    zone: tzinfo | None = None,
) -> str:
    """The service user's take-away summary of a session, as Markdown.

    `grid` is the option grid the session used; its sources are listed only when
    it is exactly the grid the record names (same content hash). `zone`: the
    clinic's time zone (default: this computer's).
    """
    m = takeaway(session, grid, contact=contact, zone=zone)
    lines = [
        *_heading(m),
        *_decided(m),
        *_next_steps(m),
        *_plan(m),
        *_concerns(m),
        *_what_matters(m),
        *_prepared(m),
        *_each_person(m),
        *_differences(m),
        *_notes(m),
        *_certainty(m),
        *_about(m),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
