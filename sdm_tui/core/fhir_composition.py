"""The FHIR document's Composition and its sections (used by fhir.py).

Status, type, subject, date, author, title, and four sections whose narrative is
escaped XHTML: the decision, each person's views (referencing their
QuestionnaireResponses), disagreements, and certainty checks with feedback; then
the format 2 sections from fhir_prepare.py. Labels and typed words appear only
in these narratives.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from sdm_tui.core import fhir_prepare
from sdm_tui.core.fhir_codes import ANSWER_TEXT, DOCUMENT_TYPE, RECORD_SYSTEM
from sdm_tui.core.fhir_parts import _div, _instant, _p, _ref, _section, _table, _ul, _x
from sdm_tui.core.history import decision_words
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    IMPORTANCE_TEXT,
    INVOLVEMENT_TEXT,
    LEANING_SYMBOL,
    Mode,
    Role,
)
from sdm_tui.core.summary import CARER_NOT_INCLUDED, STANCE_TEXT, STATUS_TEXT, plain_date
from sdm_tui.core.takeaway import takeaway
from sdm_tui.core.text import clean_line

if TYPE_CHECKING:
    from sdm_tui.core.fhir import _Document


def composition_entry(doc: _Document) -> dict[str, Any]:
    s = doc.s
    clinicians = [doc.people[p.id] for p in doc.voices if p.role == Role.CLINICIAN]
    relates = []
    if s.amends:
        relates.append(
            {
                "code": "replaces",
                "targetIdentifier": {"system": RECORD_SYSTEM, "value": s.amends},
            }
        )
    title = s.grid.title or s.grid.id
    model = takeaway(s, None, zone=UTC, zone_name="UTC")
    about = [
        _p(f"Shared decision record: {title}"),
        _p(f"{model.decided} {model.review}"),
    ]
    return doc.resource(
        doc.composition,
        "Composition",
        about,
        identifier={"system": RECORD_SYSTEM, "value": s.record_id},
        status="final" if s.completed else "preliminary",
        confidentiality="R",
        type=DOCUMENT_TYPE,
        subject=_ref(doc.patient),
        date=doc.when,
        author=[_ref(u) for u in clinicians or [doc.device]],
        title=f"Shared decision record: {clean_line(title)}"[:250],
        relatesTo=relates,
        event=[
            {
                "period": {
                    "start": _instant(s.created),
                    "end": _instant(s.completed) if s.completed else "",
                }
            }
        ],
        section=[
            decision_section(doc),
            views_section(doc),
            disagreements_section(doc),
            certainty_section(doc),
            *fhir_prepare.sections(doc),
        ],
    )


def decision_section(doc: _Document) -> dict[str, Any]:
    s = doc.s
    decision = s.decision
    parts = []
    if s.mode == Mode.TRAINING:
        parts.append(_p("This is a training role-play, not a clinical record."))
    if s.synthetic:
        parts.append(_p("This record uses made-up example information."))
    if s.amends:
        parts.append(_p(f"This record corrects record {s.amends}."))
    parts.append(_p("The decision: " + (s.team_talk.decision or s.grid.title or s.grid.id)))
    parts.append(_p("Outcome: " + decision_words(s) + "."))
    if decision.reason:
        parts.append(_p("The reason, in the service user's own words:"))
        parts.append(f"<blockquote>{_x(decision.reason)}</blockquote>")
    stances = [
        f"{_x(p.display)}: {_x(STANCE_TEXT[decision.stances[p.id]])}"
        for p in doc.voices
        if p.id in decision.stances
    ]
    if stances:
        parts += [_p("How each person feels about this:"), _ul(stances)]
    if decision.next_steps:
        parts += [_p("Next steps:"), _ul([_x(step) for step in decision.next_steps])]
    else:
        parts.append(_p("No next steps were written down."))
    if decision.review_date is not None:
        day = decision.review_date
        parts.append(_p(f"Review date: {plain_date(day)} ({day.isoformat()})."))
    else:
        parts.append(_p("No review date was set."))
    return {"title": "What was decided", "code": _section("decision"), "text": _div(parts)}


def views_section(doc: _Document) -> dict[str, Any]:
    s = doc.s
    parts = []
    if s.team_talk.what_matters:
        parts += [
            _p("What matters to the service user, in their words:"),
            f"<blockquote>{_x(s.team_talk.what_matters)}</blockquote>",
        ]
    if s.team_talk.involvement is not None:
        parts.append(
            _p("How involved they wanted to be: " + INVOLVEMENT_TEXT[s.team_talk.involvement])
        )
    if doc.voices:
        rows = [
            [text]
            + [
                f"{p.importance[k]} ({IMPORTANCE_TEXT[p.importance[k]]})"
                if k in p.importance
                else "not discussed"
                for p in doc.voices
            ]
            for k, text in s.grid.questions.items()
        ]
        shown = list(s.team_talk.options) + [
            k
            for k in s.grid.options
            if k not in s.team_talk.options and any(k in p.leanings for p in doc.voices)
        ]
        rows += [
            [f"Leaning on {s.grid.options.get(k, k)}"]
            + [
                f"{LEANING_SYMBOL[p.leanings[k]]} {p.leanings[k].value}"
                if k in p.leanings
                else "not said"
                for p in doc.voices
            ]
            for k in shown
        ]
        parts += [
            _p(
                "Importance goes from 0 (not important) to 4 (most important). "
                "Leanings: ▲ towards, ◆ open, ▼ away, ? unsure."
            ),
            _table(["What we talked about", *(p.display for p in doc.voices)], rows),
        ]
        for person in doc.voices:
            items = [f"Note: {_x(n)}" for n in person.notes]
            items += [f"Question to ask: {_x(q)}" for q in person.questions]
            if items:
                parts += [_p(f"From {person.display}:"), _ul(items)]
    else:
        parts.append(_p("No one's views were recorded."))
    if any(p.role == Role.CARER and not s.may_give_views(p) for p in s.participants):
        parts.append(_p(CARER_NOT_INCLUDED))
    return {
        "title": "What mattered to each person",
        "code": _section("views"),
        "text": _div(parts),
        "entry": [_ref(doc.responses[p.id]) for p in doc.voices],
    }


def disagreements_section(doc: _Document) -> dict[str, Any]:
    s = doc.s
    items = []
    for item in s.disagreements:
        views = [
            f"{_x(p.display)} said: {_x(item.views[p.id])}"
            for p in doc.voices
            if item.views.get(p.id)
        ]
        status = STATUS_TEXT.get(item.status, item.status)
        inner = _ul(views) if views else _ul([_x("No one wrote down their view on this.")])
        items.append(f"{_x(item.subject)} ({_x(status)}){inner}")
    parts = [_ul(items)] if items else [_p("None were found or recorded.")]
    return {
        "title": "Where people see things differently",
        "code": _section("disagreements"),
        "text": _div(parts),
    }


def certainty_section(doc: _Document) -> dict[str, Any]:
    s = doc.s
    parts = []
    answered = [p for p in doc.voices if p.certainty]
    for person in answered:
        lines = [
            f"{_x(text)} {_x(ANSWER_TEXT[person.certainty[k]].capitalize())}."
            for k, text in CERTAINTY_ITEMS.items()
            if k in person.certainty
        ]
        parts += [_p(f"{person.display}:"), _ul(lines)]
    if not answered:
        parts.append(_p("No one answered the questions about how sure they felt."))
    given = [k for k in FEEDBACK_ITEMS if k in s.feedback]
    if given:
        parts += [
            _p("The service user's feedback on how involved they felt:"),
            _ul(
                [
                    f"{_x(FEEDBACK_ITEMS[k])} {_x(FEEDBACK_SCALE[s.feedback[k]].capitalize())}."
                    for k in given
                ]
            ),
        ]
    else:
        parts.append(_p("No feedback was given."))
    user = s.service_user()
    holders = list(answered)
    if given and user is not None and user not in holders and user in doc.voices:
        holders.insert(0, user)
    return {
        "title": "How sure everyone felt, and feedback",
        "code": _section("certainty"),
        "text": _div(parts),
        "entry": [_ref(doc.responses[p.id]) for p in doc.voices if p in holders],
    }
