"""A record as a FHIR R4 document Bundle, for the notes and other systems.

Pure (no I/O). The same record always gives the same bytes: every fullUrl is a
urn:uuid made with uuid5 from the record id (the Questionnaire's from the grid
it describes, so every document using one grid version shares it), and every
time comes from the record, never the clock.

What goes where:
- Composition (first): status, type, subject, date, author, title, and four
  sections whose narrative is escaped XHTML: the decision, each person's views
  (referencing their QuestionnaireResponses), disagreements, and certainty
  checks with feedback. Labels and typed words appear only in these narratives.
- Patient: only the pseudonymous service-user reference, as an identifier.
  Practitioner (clinician, peer support worker) and RelatedPerson (carer): only
  the participant id within the record. No names, no birth dates, no labels.
- Questionnaire (shared by every document on one grid version, so never
  tagged training or synthetic): the grid's questions (importance, integer 0-4) and options
  (leaning, a coding), the certainty check and the feedback questions; linkIds
  are "importance.<question id>", "leaning.<option id>", "certainty.<key>",
  "feedback.<key>".
- QuestionnaireResponse: one per person whose views are recorded.
- Provenance: who (by role coding and participant id) and when, targeting the
  Composition and the responses; its entity is the record's integrity hash.
- Device: sdm-tui itself, which assembled the document.
- Record format 2 (fhir_prepare.py): the preparation as a QuestionnaireResponse by
  the Patient, each concern as an Observation, the plan as a Composition section.
Training and synthetic records carry meta.tag (HL7 HTEST plus our own code).

sdm-tui has no web domain, so its identifier and code systems are fixed
urn:uuid names (uuid5 of a constant), listed below; a receiving system maps
them once.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from sdm_tui.core.history import decision_words
from sdm_tui.core.record import session_to_dict
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    IMPORTANCE_TEXT,
    INVOLVEMENT_TEXT,
    LEANING_SYMBOL,
    ROLE_NAMES,
    Answer3,
    GridRef,
    Leaning,
    Mode,
    Participant,
    Role,
    Session,
)
from sdm_tui.core.summary import CARER_NOT_INCLUDED, STANCE_TEXT, STATUS_TEXT, plain_date
from sdm_tui.core.takeaway import takeaway
from sdm_tui.core.text import clean, clean_line

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sdm-tui")
QUESTIONNAIRE_FORMAT = "1"  # bump when the Questionnaire's shape changes


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"


RECORD_SYSTEM = _urn("identifier/record-id")
PARTICIPANT_SYSTEM = _urn("identifier/participant")  # value "<record id>/<participant id>"
REFERENCE_SYSTEM = _urn("identifier/service-user-reference")
INTEGRITY_SYSTEM = _urn("identifier/record-integrity")
ROLE_SYSTEM = _urn("codesystem/role")  # Role values
LEANING_SYSTEM = _urn("codesystem/leaning")  # Leaning values
ANSWER_SYSTEM = _urn("codesystem/answer")  # yes / no / unsure
TAG_SYSTEM = _urn("codesystem/tag")  # training / synthetic
SECTION_SYSTEM = _urn("codesystem/section")  # decision / views / disagreements / certainty

LOINC = "http://loinc.org"
DOCUMENT_TYPE = {
    "coding": [{"system": LOINC, "code": "11488-4", "display": "Consult note"}],
    "text": "Shared decision making record",
}
TEST_DATA_TAG = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "code": "HTEST",
    "display": "test health data",
}
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# The document is about mental health care: restricted, psychiatry information.
SECURITY = [
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
    {"system": ACT_CODE, "code": "PSY", "display": "psychiatry information sensitivity"},
]
SECTION_CODES = {
    "decision": (
        "What was decided",
        [{"system": LOINC, "code": "18776-5", "display": "Plan of care note"}],
    ),
    "views": ("What mattered to each person", []),
    "disagreements": ("Where people see things differently", []),
    "certainty": ("How sure everyone felt, and feedback", []),
}
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
XHTML = "http://www.w3.org/1999/xhtml"
_EXT = "http://hl7.org/fhir/StructureDefinition/"

ANSWER_TEXT = {Answer3.YES: "yes", Answer3.NO: "no", Answer3.UNSURE: "unsure"}


# Small pieces -------------------------------------------------------------------


def _instant(moment: datetime) -> str:
    """A FHIR instant in UTC ("2026-11-02T10:30:00Z")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _when(session: Session) -> datetime:
    return session.completed or session.updated


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _pruned(value: Any) -> Any:
    """Drop empty strings, lists and objects: FHIR JSON never holds them."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [v for v in (_pruned(v) for v in value) if v not in ("", [], {}, None)]
    return value


def _leaning(value: Leaning) -> dict[str, str]:
    return _coding(LEANING_SYSTEM, value.value, value.value)


def _answer(value: Answer3) -> dict[str, str]:
    return _coding(ANSWER_SYSTEM, value.value, ANSWER_TEXT[value])


def _item(link_id: str, text: str, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    """One Questionnaire item."""
    return {"linkId": link_id, "text": text, "type": kind, **extra}


def _group(link_id: str, text: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "type": "group", "item": items}


def _answered(link_id: str, text: str, value: dict[str, Any]) -> dict[str, Any]:
    """One QuestionnaireResponse item with its single answer."""
    return {"linkId": link_id, "text": text, "answer": [value]}


# XHTML narrative ------------------------------------------------------------------


def _x(text: str) -> str:
    """Typed text as XHTML character data: cleaned, escaped, new lines as <br/>."""
    text = clean(text).strip()
    text = "".join(ch for ch in text if ch not in "\ufffe\uffff")  # not allowed in XML
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _p(text: str) -> str:
    return f"<p>{_x(text)}</p>"


def _ul(items: list[str]) -> str:
    """A list of items that are already XHTML."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _div(parts: list[str]) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">' + "".join(parts) + "</div>"}


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{_x(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_x(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _section(key: str) -> dict[str, Any]:
    """A section's code: ours, and LOINC's where one fits."""
    title, more = SECTION_CODES[key]
    return {"coding": [_coding(SECTION_SYSTEM, key, title), *more], "text": title}


# The document ---------------------------------------------------------------------


class _Document:
    """Builds one bundle; holds each resource's fullUrl so references always resolve."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.when = _instant(_when(session))
        self.voices = session.voices()
        self.patient = self.url("patient")
        self.device = self.url("device")
        self.composition = self.url("composition")
        self.provenance = self.url("provenance")
        self.questionnaire = f"urn:uuid:{self._grid_uuid(session.grid)}"
        user = session.service_user()
        self.people: dict[str, str] = {
            p.id: self.patient
            if user is not None and p.id == user.id
            else self.url("participant", p.id)
            for p in self.voices
        }
        self.responses = {p.id: self.url("views", p.id) for p in self.voices}

    # Ids ----------------------------------------------------------------------

    def uuid(self, *parts: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join(("record", self.s.record_id, *parts))))

    def url(self, *parts: str) -> str:
        return f"urn:uuid:{self.uuid(*parts)}"

    @staticmethod
    def _grid_uuid(grid: GridRef) -> str:
        key = f"questionnaire/{QUESTIONNAIRE_FORMAT}/{grid.id}/{grid.version}/{grid.content_hash}"
        return str(uuid.uuid5(NAMESPACE, key))

    def participant_identifier(self, person: Participant) -> dict[str, str]:
        return {"system": PARTICIPANT_SYSTEM, "value": f"{self.s.record_id}/{person.id}"}

    def meta(self, *, secure: bool = False) -> dict[str, Any]:
        tags = []
        if self.s.mode == Mode.TRAINING:
            tags.append(_coding(TAG_SYSTEM, "training", "training role-play, not a real person"))
        if self.s.synthetic:
            tags.append(_coding(TAG_SYSTEM, "synthetic", "made-up example data"))
        if tags:
            tags.insert(0, dict(TEST_DATA_TAG))
        return {"security": [dict(c) for c in SECURITY] if secure else [], "tag": tags}

    def resource(self, url: str, kind: str, narrative: list[str], **content: Any) -> dict[str, Any]:
        """One entry; `narrative` is its human-readable text (XHTML parts)."""
        body = {
            "resourceType": kind,
            "id": url.removeprefix("urn:uuid:"),
            "meta": self.meta(secure=kind == "Composition"),
            "text": _div(narrative),
        }
        return {"fullUrl": url, "resource": {**body, **content}}

    # Whole bundle -------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        from sdm_tui.core import fhir_prepare  # format 2: preparation, concerns, plan

        s = self.s
        entries = [
            self.composition_entry(),
            self.patient_entry(),
            *(self.person_entry(p) for p in self.voices if p.role != Role.SERVICE_USER),
            self.device_entry(),
            self.questionnaire_entry(),
            *(self.response_entry(p) for p in self.voices),
            *fhir_prepare.entries(self),
            self.provenance_entry(),
        ]
        document = {
            "resourceType": "Bundle",
            "id": self.uuid("bundle"),
            "meta": self.meta(secure=True),
            "identifier": {"system": "urn:ietf:rfc:3986", "value": self.url("document")},
            "type": "document",
            "timestamp": _instant(_when(s)),
            "entry": entries,
        }
        pruned: dict[str, Any] = _pruned(document)
        return pruned

    # People -------------------------------------------------------------------------

    def patient_entry(self) -> dict[str, Any]:
        s = self.s
        user = s.service_user()
        identifier: dict[str, Any]
        if s.service_user_ref:
            identifier = {
                "use": "secondary",
                "type": {"text": "Pseudonymous service-user reference"},
                "system": REFERENCE_SYSTEM,
                "value": s.service_user_ref,
            }
        elif user is not None:
            identifier = self.participant_identifier(user)
        else:
            identifier = {}
        if s.service_user_ref:
            about = f"The service user, known here only by the reference {s.service_user_ref}."
        else:
            about = "The service user (no reference was recorded)."
        return self.resource(self.patient, "Patient", [_p(about)], identifier=[identifier])

    def person_entry(self, person: Participant) -> dict[str, Any]:
        identifier = [self.participant_identifier(person)]
        url = self.people[person.id]
        where = f"participant {person.id} in sdm-tui record {self.s.record_id}"
        if person.role == Role.CARER:
            about = f"The service user's {ROLE_NAMES[person.role]}, who took part with their "
            return self.resource(
                url,
                "RelatedPerson",
                [_p(about + f"agreement ({where}).")],
                identifier=identifier,
                patient=_ref(self.patient),
                relationship=[{"text": ROLE_NAMES[person.role]}],
            )
        about = f"A {ROLE_NAMES[person.role]} who took part ({where})."
        return self.resource(url, "Practitioner", [_p(about)], identifier=identifier)

    def device_entry(self) -> dict[str, Any]:
        return self.resource(
            self.device,
            "Device",
            [_p(f"sdm-tui {self.s.app_version}, which put this document together.")],
            deviceName=[{"name": "sdm-tui", "type": "user-friendly-name"}],
            type={"text": "Shared decision making software"},
            version=[{"value": self.s.app_version}],
        )

    # Questionnaire ------------------------------------------------------------------

    def questionnaire_entry(self) -> dict[str, Any]:
        grid = self.s.grid
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
        url = self.questionnaire
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

    def answers(self, person: Participant) -> list[dict[str, Any]]:
        """The person's recorded ratings, leanings and answers, in grid order, as items."""
        grid = self.s.grid
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
        feedback = self.s.feedback if person.role == Role.SERVICE_USER else {}
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

    def response_entry(self, person: Participant) -> dict[str, Any]:
        who = _ref(self.people[person.id])
        return self.resource(
            self.responses[person.id],
            "QuestionnaireResponse",
            self.response_narrative(person),
            questionnaire=self.questionnaire,
            status="completed" if self.s.completed else "in-progress",
            subject=_ref(self.patient),
            authored=self.when,
            author=who,
            source=who,
            item=self.answers(person),
        )

    def response_narrative(self, person: Participant) -> list[str]:
        """One person's answers, in words."""
        grid = self.s.grid
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
                f"{_x(text)} {FEEDBACK_SCALE[self.s.feedback[k]].capitalize()}."
                for k, text in FEEDBACK_ITEMS.items()
                if k in self.s.feedback
            ]
        head = _p(f"The views of {person.display}:")
        return [head, _ul(items)] if items else [head, _p("Nothing was recorded.")]

    # Provenance ---------------------------------------------------------------------

    def provenance_entry(self) -> dict[str, Any]:
        from sdm_tui.core import fhir_prepare

        s = self.s
        agents: list[dict[str, Any]] = []
        for person in self.voices:
            kind = "author" if person.role == Role.CLINICIAN else "informant"
            agents.append(
                {
                    "type": {"coding": [_coding(PARTICIPANT_TYPE, kind, kind.capitalize())]},
                    "role": [
                        {
                            "coding": [
                                _coding(ROLE_SYSTEM, person.role.value, ROLE_NAMES[person.role])
                            ]
                        }
                    ],
                    "who": {
                        **_ref(self.people[person.id]),
                        "identifier": self.participant_identifier(person),
                    },
                }
            )
        agents.append(
            {
                "type": {"coding": [_coding(PARTICIPANT_TYPE, "assembler", "Assembler")]},
                "who": _ref(self.device),
            }
        )
        integrity = session_to_dict(s)["integrity"]
        entities = [
            {
                "role": "source",
                "what": {
                    "identifier": {"system": INTEGRITY_SYSTEM, "value": integrity},
                    "display": f"sdm-tui record {s.record_id}",
                },
            }
        ]
        if s.amends:
            entities.append(
                {
                    "role": "revision",
                    "what": {
                        "identifier": {"system": RECORD_SYSTEM, "value": s.amends},
                        "display": f"sdm-tui record {s.amends}, which this one corrects",
                    },
                }
            )
        operation = ("UPDATE", "revise") if s.amends else ("CREATE", "create")
        roles = ", ".join(ROLE_NAMES[p.role] for p in self.voices) or "no one recorded"
        made = f"Made by sdm-tui from record {s.record_id} on {self.when}"
        made += f", correcting record {s.amends}." if s.amends else "."
        return self.resource(
            self.provenance,
            "Provenance",
            [_p(made), _p(f"People whose views are recorded: {roles}.")],
            target=[
                _ref(self.composition),
                *(_ref(u) for u in self.responses.values()),
                *(_ref(u) for u in fhir_prepare.targets(self)),
            ],
            occurredPeriod={
                "start": _instant(s.created),
                "end": _instant(s.completed) if s.completed else "",
            },
            recorded=self.when,
            activity={"coding": [_coding(DATA_OPERATION, *operation)]},
            agent=agents,
            entity=entities,
        )

    # Composition --------------------------------------------------------------------

    def composition_entry(self) -> dict[str, Any]:
        from sdm_tui.core import fhir_prepare

        s = self.s
        clinicians = [self.people[p.id] for p in self.voices if p.role == Role.CLINICIAN]
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
        return self.resource(
            self.composition,
            "Composition",
            about,
            identifier={"system": RECORD_SYSTEM, "value": s.record_id},
            status="final" if s.completed else "preliminary",
            confidentiality="R",
            type=DOCUMENT_TYPE,
            subject=_ref(self.patient),
            date=self.when,
            author=[_ref(u) for u in clinicians or [self.device]],
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
                self.decision_section(),
                self.views_section(),
                self.disagreements_section(),
                self.certainty_section(),
                *fhir_prepare.sections(self),
            ],
        )

    def decision_section(self) -> dict[str, Any]:
        s = self.s
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
            for p in self.voices
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

    def views_section(self) -> dict[str, Any]:
        s = self.s
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
        if self.voices:
            rows = [
                [text]
                + [
                    f"{p.importance[k]} ({IMPORTANCE_TEXT[p.importance[k]]})"
                    if k in p.importance
                    else "not discussed"
                    for p in self.voices
                ]
                for k, text in s.grid.questions.items()
            ]
            shown = list(s.team_talk.options) + [
                k
                for k in s.grid.options
                if k not in s.team_talk.options and any(k in p.leanings for p in self.voices)
            ]
            rows += [
                [f"Leaning on {s.grid.options.get(k, k)}"]
                + [
                    f"{LEANING_SYMBOL[p.leanings[k]]} {p.leanings[k].value}"
                    if k in p.leanings
                    else "not said"
                    for p in self.voices
                ]
                for k in shown
            ]
            parts += [
                _p(
                    "Importance goes from 0 (not important) to 4 (most important). "
                    "Leanings: ▲ towards, ◆ open, ▼ away, ? unsure."
                ),
                _table(["What we talked about", *(p.display for p in self.voices)], rows),
            ]
            for person in self.voices:
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
            "entry": [_ref(self.responses[p.id]) for p in self.voices],
        }

    def disagreements_section(self) -> dict[str, Any]:
        s = self.s
        items = []
        for item in s.disagreements:
            views = [
                f"{_x(p.display)} said: {_x(item.views[p.id])}"
                for p in self.voices
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

    def certainty_section(self) -> dict[str, Any]:
        s = self.s
        parts = []
        answered = [p for p in self.voices if p.certainty]
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
        if given and user is not None and user not in holders and user in self.voices:
            holders.insert(0, user)
        return {
            "title": "How sure everyone felt, and feedback",
            "code": _section("certainty"),
            "text": _div(parts),
            "entry": [_ref(self.responses[p.id]) for p in self.voices if p in holders],
        }


def bundle(session: Session) -> dict[str, Any]:
    """The record as a FHIR R4 document Bundle (a JSON-ready dict)."""
    return _Document(session).build()


def bundle_json(session: Session) -> bytes:
    """The bundle as pretty UTF-8 JSON, ending in a new line."""
    return (json.dumps(bundle(session), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
