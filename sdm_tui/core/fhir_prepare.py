"""Record format 2 in the FHIR document (used by fhir.py): preparation, concerns, plan.

- The preparation is a QuestionnaireResponse written by the service user (author
  and source: the Patient), answering a fixed Questionnaire "Preparation" whose
  linkIds are "preparation.<key>" (want, matters, stay_well, questions, worries,
  involvement, written-with); its words are valueString, exactly as written.
- Each concern is an Observation: code = our concern kind, performer = who raised
  it, effectiveDateTime = when, valueString = their words, a note with the
  response, and components for the response status (answered / open), the talk
  it was raised in and who follows it up.
- The plan is a Composition section ("My plan if things get harder") with its
  words in the narrative; the preparation and concerns have sections too, whose
  entries reference those resources.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sdm_tui.core.concerns import TALK_NAMES
from sdm_tui.core.fhir_codes import NAMESPACE, SECTION_SYSTEM
from sdm_tui.core.fhir_parts import _coding, _div, _instant, _p, _ref, _ul, _x
from sdm_tui.core.session import (
    CONCERN_KIND_TEXT,
    INVOLVEMENT_TEXT,
    PLAN_PROMPTS,
    PREPARATION_PROMPTS,
    ROLE_NAMES,
    WRITTEN_WITH_TEXT,
    Concern,
    Session,
)

if TYPE_CHECKING:
    from sdm_tui.core.fhir import _Document

PREPARATION_FORMAT = "1"  # bump when the Preparation questionnaire's shape changes


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"


CONCERN_SYSTEM = _urn("codesystem/concern-kind")
CONCERN_FIELD_SYSTEM = _urn("codesystem/concern-field")  # status / talk / follow-up
CONCERN_STATUS_SYSTEM = _urn("codesystem/concern-status")  # answered / open
PREPARATION_QUESTIONNAIRE = _urn(f"questionnaire/preparation/{PREPARATION_FORMAT}")
SECTIONS: dict[str, tuple[str, list[str]]] = {
    "plan": ("My plan if things get harder", []),
    "preparation": ("Written before the appointment", []),
    "concerns": ("Concerns raised, and the response", []),
}


def _preparation_items() -> list[tuple[str, str]]:
    return [
        *((f"preparation.{k}", text) for k, text in PREPARATION_PROMPTS.items()),
        ("preparation.involvement", "How involved I want to be"),
        ("preparation.written-with", "Who I wrote this with"),
    ]


def entries(doc: _Document) -> list[dict[str, Any]]:
    """The resources format 2 adds: the Preparation questionnaire and response, the
    concerns. Empty for a record with neither."""
    s = doc.s
    found = []
    if s.preparation is not None:
        found += [questionnaire_entry(), preparation_entry(doc)]
    found += [concern_entry(doc, c) for c in s.concerns]
    return found


def targets(doc: _Document) -> list[str]:
    """fullUrls the Provenance covers."""
    urls = [doc.url("preparation")] if doc.s.preparation is not None else []
    return urls + [doc.url("concern", c.id) for c in doc.s.concerns]


def questionnaire_entry() -> dict[str, Any]:
    url = PREPARATION_QUESTIONNAIRE
    items = [{"linkId": k, "text": text, "type": "text"} for k, text in _preparation_items()]
    about = "What a service user writes before an appointment, in their own words."
    return {
        "fullUrl": url,
        "resource": {
            "resourceType": "Questionnaire",
            "id": url.removeprefix("urn:uuid:"),
            "text": _div([_p("Preparation"), _p(about)]),
            "url": url,
            "version": PREPARATION_FORMAT,
            "name": "Preparation",
            "title": "Getting ready for an appointment",
            "status": "active",
            "subjectType": ["Patient"],
            "description": about,
            "item": items,
        },
    }


def preparation_entry(doc: _Document) -> dict[str, Any]:
    prepared = doc.s.preparation
    assert prepared is not None
    words = dict(prepared.answers())
    if prepared.involvement is not None:
        words["involvement"] = INVOLVEMENT_TEXT[prepared.involvement]
    words["written-with"] = WRITTEN_WITH_TEXT[prepared.written_with]
    texts = dict(_preparation_items())
    items = [
        {
            "linkId": f"preparation.{key}",
            "text": texts[f"preparation.{key}"],
            "answer": [{"valueString": value}],
        }
        for key, value in words.items()
    ]
    narrative = [
        _p("Written beforehand by the service user, in their own words:"),
        _ul([f"{_x(texts[f'preparation.{k}'])}: {_x(v)}" for k, v in words.items()]),
    ]
    return doc.resource(
        doc.url("preparation"),
        "QuestionnaireResponse",
        narrative,
        questionnaire=PREPARATION_QUESTIONNAIRE,
        status="completed",
        subject=_ref(doc.patient),
        authored=_instant(prepared.written) if prepared.written else "",
        author=_ref(doc.patient),
        source=_ref(doc.patient),
        item=items,
    )


def _raiser(doc: _Document, concern: Concern) -> str:
    return doc.people.get(concern.raised_by, doc.patient)


def concern_entry(doc: _Document, concern: Concern) -> dict[str, Any]:
    field = {
        "status": "Response status",
        "talk": "Raised in",
        "follow-up": "Who follows it up",
    }
    components: list[dict[str, Any]] = [
        {
            "code": {"coding": [_coding(CONCERN_FIELD_SYSTEM, "status", field["status"])]},
            "valueCodeableConcept": {
                "coding": [_coding(CONCERN_STATUS_SYSTEM, concern.status, concern.status)]
            },
        },
        {
            "code": {"coding": [_coding(CONCERN_FIELD_SYSTEM, "talk", field["talk"])]},
            "valueString": TALK_NAMES.get(concern.talk, concern.talk),
        },
    ]
    if concern.follow_up:
        components.append(
            {
                "code": {
                    "coding": [_coding(CONCERN_FIELD_SYSTEM, "follow-up", field["follow-up"])]
                },
                "valueString": concern.follow_up,
            }
        )
    kind = CONCERN_KIND_TEXT[concern.kind]
    who = _who(doc.s, concern)
    narrative = [_p(f"A concern about {kind}, raised by {who}: {concern.words}")]
    if concern.response:
        narrative.append(_p(f"Response ({concern.status}): {concern.response}"))
    return doc.resource(
        doc.url("concern", concern.id),
        "Observation",
        narrative,
        status="final" if doc.s.completed else "preliminary",
        code={
            "coding": [_coding(CONCERN_SYSTEM, concern.kind.value, f"Concern about {kind}")],
            "text": "A concern raised in the consultation",
        },
        subject=_ref(doc.patient),
        effectiveDateTime=_instant(concern.raised),
        issued=_instant(concern.answered) if concern.answered else "",
        performer=[_ref(_raiser(doc, concern))],
        valueString=concern.words,
        note=[{"text": concern.response}] if concern.response else [],
        component=components,
    )


def _who(session: Session, concern: Concern) -> str:
    try:
        return session.participant(concern.raised_by).display
    except KeyError:
        return "someone who has left"


def sections(doc: _Document) -> list[dict[str, Any]]:
    """Composition sections for the plan, the preparation and the concerns (only those
    the record holds)."""

    def code(key: str) -> dict[str, Any]:
        title, more = SECTIONS[key]
        return {"coding": [_coding(SECTION_SYSTEM, key, title), *more], "text": title}

    s = doc.s
    found: list[dict[str, Any]] = []
    plan = [(PLAN_PROMPTS[k], getattr(s.plan, k)) for k in PLAN_PROMPTS if getattr(s.plan, k)]
    if plan:
        parts = [
            _p("The service user's plan, in their own words:"),
            _ul([f"{_x(prompt)}: {_x(words)}" for prompt, words in plan]),
        ]
        if s.decision.review_date is not None:
            parts.append(_p(f"Review date: {s.decision.review_date.isoformat()}."))
        found.append({"title": SECTIONS["plan"][0], "code": code("plan"), "text": _div(parts)})
    if s.preparation is not None:
        user = s.service_user()
        by = ROLE_NAMES[user.role] if user is not None else "service user"
        found.append(
            {
                "title": SECTIONS["preparation"][0],
                "code": code("preparation"),
                "text": _div([_p(f"Written beforehand by the {by}, never reworded.")]),
                "entry": [_ref(doc.url("preparation"))],
            }
        )
    if s.concerns:
        items = []
        for c in s.concerns:
            answer = f"answered: {_x(c.response)}" if c.status == "answered" else "still open"
            if c.status == "open" and c.follow_up:
                answer += f", followed up by {_x(c.follow_up)}"
            items.append(
                f"{_x(_who(s, c))}, about {_x(CONCERN_KIND_TEXT[c.kind])}: {_x(c.words)} ({answer})"
            )
        found.append(
            {
                "title": SECTIONS["concerns"][0],
                "code": code("concerns"),
                "text": _div([_ul(items)]),
                "entry": [_ref(doc.url("concern", c.id)) for c in s.concerns],
            }
        )
    return found
