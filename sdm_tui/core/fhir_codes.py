"""The FHIR document's fixed names: sdm-tui's identifier and code systems, and HL7 codes.

sdm-tui has no web domain, so its own systems are urn:uuid names (uuid5 of a
constant); a receiving system maps them once. Used by fhir.py and its helpers.
"""

from __future__ import annotations

import uuid

from sdm_tui.core.session import Answer3

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
