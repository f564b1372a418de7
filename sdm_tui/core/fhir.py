"""A record as a FHIR R4 document Bundle, for the notes and other systems.

Pure (no I/O). The same record always gives the same bytes: every fullUrl is a
urn:uuid made with uuid5 from the record id (the Questionnaire's from the grid
it describes, so every document using one grid version shares it), and every
time comes from the record, never the clock.

What goes where:
- Composition (first, fhir_composition.py): status, type, subject, date, author, title, and four
  sections whose narrative is escaped XHTML: the decision, each person's views
  (referencing their QuestionnaireResponses), disagreements, and certainty
  checks with feedback. Labels and typed words appear only in these narratives.
- Patient: only the pseudonymous service-user reference, as an identifier.
  Practitioner (clinician, peer support worker) and RelatedPerson (carer): only
  the participant id within the record. No names, no birth dates, no labels.
- Questionnaire (fhir_questionnaire.py; shared by every document on one grid version, so never
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
urn:uuid names (uuid5 of a constant), listed in fhir_codes.py; a receiving
system maps them once. Small building blocks (times, codings, XHTML) are in
fhir_parts.py.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sdm_tui.core import fhir_composition, fhir_prepare, fhir_questionnaire
from sdm_tui.core.fhir_codes import (
    ACT_CODE,
    ANSWER_SYSTEM,
    ANSWER_TEXT,
    CONFIDENTIALITY,
    DATA_OPERATION,
    DOCUMENT_TYPE,
    INTEGRITY_SYSTEM,
    LEANING_SYSTEM,
    LOINC,
    NAMESPACE,
    PARTICIPANT_SYSTEM,
    PARTICIPANT_TYPE,
    QUESTIONNAIRE_FORMAT,
    RECORD_SYSTEM,
    REFERENCE_SYSTEM,
    ROLE_SYSTEM,
    SECTION_CODES,
    SECTION_SYSTEM,
    SECURITY,
    TAG_SYSTEM,
    TEST_DATA_TAG,
    XHTML,
)
from sdm_tui.core.fhir_parts import _coding, _div, _instant, _p, _pruned, _ref, _when
from sdm_tui.core.record import session_to_dict
from sdm_tui.core.session import ROLE_NAMES, GridRef, Mode, Participant, Role, Session

__all__ = [
    "ACT_CODE",
    "ANSWER_SYSTEM",
    "ANSWER_TEXT",
    "CONFIDENTIALITY",
    "DATA_OPERATION",
    "DOCUMENT_TYPE",
    "INTEGRITY_SYSTEM",
    "LEANING_SYSTEM",
    "LOINC",
    "NAMESPACE",
    "PARTICIPANT_SYSTEM",
    "PARTICIPANT_TYPE",
    "QUESTIONNAIRE_FORMAT",
    "RECORD_SYSTEM",
    "REFERENCE_SYSTEM",
    "ROLE_SYSTEM",
    "SECTION_CODES",
    "SECTION_SYSTEM",
    "SECURITY",
    "TAG_SYSTEM",
    "TEST_DATA_TAG",
    "XHTML",
    "bundle",
    "bundle_json",
]


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
        s = self.s
        entries = [
            fhir_composition.composition_entry(self),
            self.patient_entry(),
            *(self.person_entry(p) for p in self.voices if p.role != Role.SERVICE_USER),
            self.device_entry(),
            fhir_questionnaire.questionnaire_entry(self),
            *(fhir_questionnaire.response_entry(self, p) for p in self.voices),
            *fhir_prepare.entries(self),  # format 2: preparation, concerns, plan
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

    # Provenance ---------------------------------------------------------------------

    def provenance_entry(self) -> dict[str, Any]:
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


def bundle(session: Session) -> dict[str, Any]:
    """The record as a FHIR R4 document Bundle (a JSON-ready dict)."""
    return _Document(session).build()


def bundle_json(session: Session) -> bytes:
    """The bundle as pretty UTF-8 JSON, ending in a new line."""
    return (json.dumps(bundle(session), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
