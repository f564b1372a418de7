"""The clinical note: a Takeaway as plain text for pasting into an electronic record.

Pure (no I/O). No Markdown and no escapes: what people typed shows as they
typed it (already cleaned of control and direction characters), set off in
quotes or indented. Every line is under 80 characters (long words are broken),
and the note ends in one new line.
"""

from __future__ import annotations

import textwrap

from sdm_tui.core.session import CERTAINTY_ITEMS
from sdm_tui.core.takeaway import (
    CARER_NOT_INCLUDED,
    SYNTHETIC_NOTE,
    TRAINING_NOTE,
    Takeaway,
    importance_words,
    plain_date,
)

WIDTH = 78  # every line shorter than 80 characters

OUTCOME_WORDS = {
    "chosen": "Option chosen",
    "deferred": "Deferred (decision put off)",
    "no-agreement": "No agreement reached",
}


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Text wrapped to WIDTH; each of its own lines wrapped apart; long words broken."""
    first = indent if first is None else first
    lines: list[str] = []
    for n, paragraph in enumerate(text.split("\n")):
        lead = first if n == 0 else indent
        wrapped = textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=lead,
            subsequent_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
            drop_whitespace=True,
        )
        lines += wrapped or [lead.rstrip()]
    return lines


def _item(label: str, text: str) -> list[str]:
    """`label: text`, wrapped with following lines indented by two spaces."""
    return _wrap(text, "  ", f"{label}: ") if text else [f"{label}:"]


def _bullets(items: list[str], indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for item in items:
        lines += _wrap(item, indent + "  ", indent + "- ")
    return lines


def _heading(text: str) -> list[str]:
    return ["", text.upper()]


def note_text(t: Takeaway) -> str:
    """The clinical note as plain text (lines under 80 characters)."""
    lines = _wrap("Shared decision making record (sdm-tui)")
    lines += _item("Date", t.when)
    lines += _item("Reference", t.reference or "none recorded")
    lines += _item("Record", t.record_id + (f" (corrects record {t.amends})" if t.amends else ""))
    lines += _item("Decision discussed", t.topic)
    lines += _item("Option grid", f"{t.grid_title}, version {t.grid_version}")
    if t.training:
        lines += _wrap(TRAINING_NOTE)
    if t.synthetic:
        lines += _wrap(SYNTHETIC_NOTE)

    lines += _heading("Outcome")
    outcome = OUTCOME_WORDS.get(t.outcome.value, "") if t.outcome else "Not recorded"
    if t.option:
        outcome += f': "{t.option}"'
    lines += _item("Outcome", outcome)
    if t.reason:
        lines += _item("Reason (service user's words)", f'"{t.reason}"')
    for p in t.people:
        if p.stance:
            lines += _item(f"Stance, {p.name}", p.stance)
    lines += _item("Next steps", "" if t.next_steps else "none written down")
    lines += _bullets(list(t.next_steps))
    review = plain_date(t.review_date) if t.review_date else "not set"
    lines += _item("Review", review)

    if t.plan:
        lines += _heading("Plan if things get harder (service user's words)")
        for prompt, words in t.plan:
            lines += _item(prompt, f'"{words}"')
    if t.concerns:
        lines += _heading("Concerns raised")
        for c in t.concerns:
            lines += _wrap(
                f'{c.number}. About {c.kind}, raised by {c.raised_by} in {c.where}: "{c.words}"',
                "    ",
                "  ",
            )
            if c.answered:
                lines += _wrap(f"Answered: {c.response}", "      ", "    ")
            else:
                follow = f" Follow-up: {c.follow_up}." if c.follow_up else ""
                said = f" {c.response}" if c.response else ""
                lines += _wrap(f"Open.{said}{follow}", "      ", "    ")

    lines += _heading("What matters to the service user")
    lines += _item("In their words", f'"{t.what_matters}"' if t.what_matters else "not recorded")
    if t.involvement:
        lines += _item("Involvement wanted", t.involvement)

    if t.preparation:
        when = f" on {plain_date(t.prepared_on)}" if t.prepared_on else ""
        lines += _wrap(f"Written beforehand by {t.prepared_by}{when}:")
        for prompt, words in t.preparation:
            lines += _item(prompt, f'"{words}"')
        if t.prepared_involvement:
            lines += _item("Involvement wanted (written beforehand)", t.prepared_involvement)

    lines += _heading("Views")
    if not t.people:
        lines += _wrap("No one's views were recorded.")
    for p in t.people:
        lines.append(f"{p.name}:")
        rated = [f"{q}: {v} ({importance_words(v)})" for q, v in p.importance]
        if rated:
            lines += _wrap("Importance (0-4):", "  ")
            lines += _bullets(rated, "    ")
        leanings = [f'"{name}": {value.value}' for name, value in p.leanings]
        if leanings:
            lines += _wrap("Leanings: " + "; ".join(leanings), "    ", "  ")
        lines += _bullets([f"Note: {n}" for n in p.notes])
        lines += _bullets([f"Question to ask: {q}" for q in p.questions])
    if t.not_discussed:
        lines += _wrap(f"Questions on the grid not discussed: {t.not_discussed}.")
    if t.carer_not_included:
        lines += _wrap(CARER_NOT_INCLUDED)

    lines += _heading("Differences of view")
    if not t.differences:
        lines += _wrap("None found or recorded.")
    for d in t.differences:
        lines += _wrap(f"{d.subject} ({d.status})", "    ", "  - ")
        for name, view in d.views:
            lines += _wrap(f'{name}: "{view}"', "      ", "    ")
        if not d.views:
            lines += _wrap("No views written down.", "      ", "    ")

    lines += _heading("Certainty check and feedback")
    answered = False
    for p in t.people:
        if p.certainty:
            answered = True
            lines.append(f"{p.name}:")
            lines += _bullets([f"{CERTAINTY_ITEMS[k]} {a.capitalize()}." for k, a in p.certainty])
    if not answered:
        lines += _wrap("No certainty check answered.")
    if t.feedback:
        lines.append("Service user's feedback (0 not at all - 4 completely):")
        lines += _bullets([f"{q} {a.capitalize()}." for q, a in t.feedback])
    return "\n".join(line.rstrip() for line in lines) + "\n"
