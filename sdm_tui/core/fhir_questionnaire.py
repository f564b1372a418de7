"""The FHIR document's Questionnaire and each person's QuestionnaireResponse (used by fhir.py).

One Questionnaire per grid version, shared by every document on it, so never
tagged training or synthetic: the grid's questions (importance, integer 0-4) and
options (leaning, a coding), the certainty check and the feedback questions;
linkIds are "importance.<question id>", "leaning.<option id>", "certainty.<key>",
"feedback.<key>". One QuestionnaireResponse per person whose views are recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sdm_tui.core.fhir_codes import _EXT, ANSWER_TEXT
from sdm_tui.core.fhir_parts import (
    _answer,
    _answered,
    _div,
    _group,
    _item,
    _leaning,
    _p,
    _ref,
    _ul,
    _x,
)
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    IMPORTANCE_TEXT,
    Answer3,
    Leaning,
    Participant,
    Role,
)

if TYPE_CHECKING:
    from sdm_tui.core.fhir import _Document


def questionnaire_entry(doc: _Document) -> dict[str, Any]:
    grid = doc.s.grid
    scale = {
        "extension": [
            {"url": _EXT + "minValue", "valueInteger": 0},
            {"url": _EXT + "maxValue", "valueInteger": 4},
        ]
    }
    leanings = {"answerOption": [{"valueCoding": _leaning(lean)} for lean in Leaning]}
    answers = {"answerOption": [{"valueCoding": _answer(a)} for a in Answer3]}
    groups = [
        _group(
            "importance",
            "How much each question matters: 0 not important to 4 most important",
            [_item(f"importance.{k}", t, "integer", scale) for k, t in grid.questions.items()],
        ),
        _group(
            "leaning",
            "Leaning on each option",
            [_item(f"leaning.{k}", t, "choice", leanings) for k, t in grid.options.items()],
        ),
        _group(
            "certainty",
            "How sure the person felt",
            [_item(f"certainty.{k}", t, "choice", answers) for k, t in CERTAINTY_ITEMS.items()],
        ),
        _group(
            "feedback",
            "The service user's feedback: 0 not at all to 4 completely",
            [_item(f"feedback.{k}", t, "integer", scale) for k, t in FEEDBACK_ITEMS.items()],
        ),
    ]
    url = doc.questionnaire
    title = grid.title or grid.id
    description = (
        f"Each person's views in sdm-tui, from the option grid {grid.id} version "
        f"{grid.version} ({grid.content_hash})."
    )
    asks = (
        f"It asks how much each of {len(grid.questions)} questions matters (0-4), the "
        f"leaning on each of {len(grid.options)} options, {len(CERTAINTY_ITEMS)} questions "
        f"on how sure the person feels and {len(FEEDBACK_ITEMS)} feedback questions."
    )
    return {
        "fullUrl": url,
        "resource": {
            "resourceType": "Questionnaire",
            "id": url.removeprefix("urn:uuid:"),
            "text": _div([_p(f"Views on: {title}"), _p(description), _p(asks)]),
            "url": url,
            "version": grid.version,
            "name": "SharedDecisionViews",
            "title": f"Views on: {title}"[:200],
            "status": "active",
            "subjectType": ["Patient"],
            "description": description,
            "item": [g for g in groups if g["item"]],  # a group needs items (que-1)
        },
    }


def answers(doc: _Document, person: Participant) -> list[dict[str, Any]]:
    """The person's recorded ratings, leanings and answers, in grid order, as items."""
    grid = doc.s.grid
    importance = [
        _answered(f"importance.{k}", text, {"valueInteger": person.importance[k]})
        for k, text in grid.questions.items()
        if k in person.importance
    ]
    leanings = [
        _answered(f"leaning.{k}", name, {"valueCoding": _leaning(person.leanings[k])})
        for k, name in grid.options.items()
        if k in person.leanings
    ]
    certainty = [
        _answered(f"certainty.{k}", text, {"valueCoding": _answer(person.certainty[k])})
        for k, text in CERTAINTY_ITEMS.items()
        if k in person.certainty
    ]
    feedback = doc.s.feedback if person.role == Role.SERVICE_USER else {}
    given = [
        _answered(f"feedback.{k}", text, {"valueInteger": feedback[k]})
        for k, text in FEEDBACK_ITEMS.items()
        if k in feedback
    ]
    groups = [
        ("importance", importance),
        ("leaning", leanings),
        ("certainty", certainty),
        ("feedback", given),
    ]
    return [{"linkId": name, "item": items} for name, items in groups if items]


def response_entry(doc: _Document, person: Participant) -> dict[str, Any]:
    who = _ref(doc.people[person.id])
    return doc.resource(
        doc.responses[person.id],
        "QuestionnaireResponse",
        response_narrative(doc, person),
        questionnaire=doc.questionnaire,
        status="completed" if doc.s.completed else "in-progress",
        subject=_ref(doc.patient),
        authored=doc.when,
        author=who,
        source=who,
        item=answers(doc, person),
    )


def response_narrative(doc: _Document, person: Participant) -> list[str]:
    """One person's answers, in words."""
    grid = doc.s.grid
    items = [
        f"{_x(text)}: {person.importance[k]} ({IMPORTANCE_TEXT[person.importance[k]]})"
        for k, text in grid.questions.items()
        if k in person.importance
    ]
    items += [
        f"Leaning on “{_x(name)}”: {person.leanings[k].value}"
        for k, name in grid.options.items()
        if k in person.leanings
    ]
    items += [
        f"{_x(text)} {ANSWER_TEXT[person.certainty[k]].capitalize()}."
        for k, text in CERTAINTY_ITEMS.items()
        if k in person.certainty
    ]
    if person.role == Role.SERVICE_USER:
        items += [
            f"{_x(text)} {FEEDBACK_SCALE[doc.s.feedback[k]].capitalize()}."
            for k, text in FEEDBACK_ITEMS.items()
            if k in doc.s.feedback
        ]
    head = _p(f"The views of {person.display}:")
    return [head, _ul(items)] if items else [head, _p("Nothing was recorded.")]
