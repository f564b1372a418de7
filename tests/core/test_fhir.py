"""The FHIR R4 document Bundle: structure, references, privacy, narrative, determinism.

Everyone here is invented. Their labels and typed words are unusual on purpose
("Kestrel9", "QX-note-17") so a test can tell where they appear in the bundle:
only in the narrative, never in identifiers, references or coded answers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sdm_tui.core import record
from sdm_tui.core import transitions as t
from sdm_tui.core.fhir import (
    ANSWER_SYSTEM,
    LEANING_SYSTEM,
    PARTICIPANT_SYSTEM,
    RECORD_SYSTEM,
    REFERENCE_SYSTEM,
    ROLE_SYSTEM,
    SECTION_SYSTEM,
    SECURITY,
    TAG_SYSTEM,
    bundle,
    bundle_json,
)
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Involvement,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    Stance,
    grid_ref,
    new_session,
)
from sdm_tui.core.summary import CARER_NOT_INCLUDED

NOW = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
DONE = datetime(2026, 11, 2, 11, 15, tzinfo=UTC)
TODAY = date(2026, 11, 2)
REVIEW = date(2026, 12, 14)
XHTML = "{http://www.w3.org/1999/xhtml}"

LABELS = {  # participant id -> label; p5 is an observer
    "p1": "Kestrel9",
    "p2": "Dr Heron4",
    "p3": "Wren <b>&amp;",
    "p4": "Finch ]]> x",
    "p5": "Osprey2",
}
NOTE = "QX-note-17 <script>alert(1)</script> & more"
QUESTION = "QX-question-23 ]]> <!-- not a comment -->"
VIEW = "QX-view-31 \"quoted\" 'single' <i>"
REASON = "QX-reason-41 line one\nline two & <b>three</b>"
MATTERS = "QX-matters-53 \ufffe odd & <br>"
STEP = "QX-step-61 <a href='x'>"
TYPED = [NOTE, QUESTION, VIEW, REASON, MATTERS, STEP]

ALLOWED_ELEMENTS = {"div", "p", "ul", "li", "br", "blockquote", "table", "thead", "tbody", "tr"}
ALLOWED_ELEMENTS |= {"th", "td"}


def build(grid: OptionGrid, *, finish: bool = True, mode: Mode = Mode.CLINICAL) -> Session:
    s = new_session(
        grid_ref=grid_ref(grid), app_version="0.0.0-test", now=NOW, record_id="fhir0000000a",
        mode=mode,
    )  # fmt: skip
    s = t.add_participant(s, Role.SERVICE_USER, LABELS["p1"])
    s = t.add_participant(s, Role.CLINICIAN, LABELS["p2"])
    s = t.add_participant(s, Role.CARER, LABELS["p3"])
    s = t.add_participant(s, Role.PEER_SUPPORT, LABELS["p4"])
    s = t.add_participant(s, Role.OBSERVER, LABELS["p5"])
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, "TEST-0001")
    s = t.set_team_talk(s, what_matters=MATTERS, involvement=Involvement.TOGETHER)
    s = t.choose_options(s, ["tablet-a", "no-change"])
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p1", "works", 0)
    s = t.rate_importance(s, "p2", "weight", 1)
    s = t.rate_importance(s, "p3", "works", 2)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_leaning(s, "p2", "tablet-a", Leaning.AWAY)
    s = t.set_leaning(s, "p3", "tablet-b", Leaning.UNSURE)
    s = t.set_leaning(s, "p4", "no-change", Leaning.OPEN)
    s = t.add_note(s, "p1", NOTE)
    s = t.add_note(s, "p3", QUESTION, question=True)
    s = t.set_view(s, "importance:weight", "p1", VIEW)
    s = t.record_disagreement(s, "QX-subject-71 <u>")
    s = t.set_certainty(s, "p1", "know", Answer3.YES)
    s = t.set_certainty(s, "p1", "sure", Answer3.UNSURE)
    s = t.set_certainty(s, "p2", "support", Answer3.NO)
    s = t.set_feedback(s, "understand", 3)
    s = t.set_feedback(s, "included", 0)
    s = t.set_stance(s, "p1", Stance.AGREE)
    s = t.set_decision(
        s, outcome=Outcome.CHOSEN, option="tablet-a", reason=REASON, review_date=REVIEW,
        today=TODAY,
    )  # fmt: skip
    s = t.set_next_steps(s, [STEP])
    if finish:
        return t.complete(s, now=DONE)
    return s.model_copy(update={"updated": DONE})


@pytest.fixture(scope="module")
def grid(example_grid: OptionGrid) -> OptionGrid:
    return example_grid


@pytest.fixture(scope="module")
def session(grid: OptionGrid) -> Session:
    return build(grid)


@pytest.fixture(scope="module")
def doc(session: Session) -> dict[str, Any]:
    return bundle(session)


def resources(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


def walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path of keys, value) in a JSON tree."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from walk(inner, (*path, key))
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner, path)


def by_url(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in doc["entry"]}


def people_urls(doc: dict[str, Any]) -> dict[str, str]:
    """Participant id -> fullUrl, read from the Provenance agents."""
    (provenance,) = resources(doc, "Provenance")
    return {
        a["who"]["identifier"]["value"].split("/")[1]: a["who"]["reference"]
        for a in provenance["agent"]
        if "identifier" in a["who"]
    }


# Structure -------------------------------------------------------------------------


def test_document_bundle_shape(doc: dict[str, Any], session: Session) -> None:
    assert doc["resourceType"] == "Bundle"
    assert doc["type"] == "document"
    assert doc["identifier"]["system"] and doc["identifier"]["value"].startswith("urn:uuid:")
    assert doc["timestamp"] == "2026-11-02T11:15:00Z"
    assert doc["entry"][0]["resource"]["resourceType"] == "Composition"
    urls = [e["fullUrl"] for e in doc["entry"]]
    assert len(urls) == len(set(urls))
    for entry in doc["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        assert entry["resource"]["resourceType"]
        assert entry["resource"]["id"] == entry["fullUrl"].removeprefix("urn:uuid:")
    kinds = [e["resource"]["resourceType"] for e in doc["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("Practitioner") == 2  # clinician and peer support worker
    assert kinds.count("RelatedPerson") == 1
    assert kinds.count("QuestionnaireResponse") == len(session.voices()) == 4
    assert kinds.count("Questionnaire") == 1 and kinds.count("Provenance") == 1
    json.dumps(doc)  # plain JSON all through


def test_fhir_json_never_holds_empty_values(doc: dict[str, Any]) -> None:
    for path, value in walk(doc):
        assert value not in ("", [], {}, None), path


def test_every_reference_resolves_inside_the_bundle(doc: dict[str, Any]) -> None:
    urls = set(by_url(doc))
    references = [v for path, v in walk(doc) if path and path[-1] == "reference"]
    assert len(references) > 15
    assert set(references) <= urls
    # The responses' canonical link finds the Questionnaire by its url.
    (questionnaire,) = resources(doc, "Questionnaire")
    for response in resources(doc, "QuestionnaireResponse"):
        assert response["questionnaire"] == questionnaire["url"]


def test_composition_has_what_a_document_needs(doc: dict[str, Any], session: Session) -> None:
    composition = doc["entry"][0]["resource"]
    urls = by_url(doc)
    assert composition["status"] == "final"
    assert composition["type"]["text"]
    assert composition["type"]["coding"] == [
        {"system": "http://loinc.org", "code": "11488-4", "display": "Consult note"}
    ]
    assert urls[composition["subject"]["reference"]]["resourceType"] == "Patient"
    assert composition["date"] == "2026-11-02T11:15:00Z"
    assert [urls[a["reference"]]["resourceType"] for a in composition["author"]] == ["Practitioner"]
    assert composition["author"][0]["reference"] == people_urls(doc)["p2"]
    assert composition["title"] == f"Shared decision record: {session.grid.title}"
    assert composition["identifier"] == {"system": RECORD_SYSTEM, "value": session.record_id}
    titles = [s["title"] for s in composition["section"]]
    assert titles == [
        "What was decided",
        "What mattered to each person",
        "Where people see things differently",
        "How sure everyone felt, and feedback",
    ]
    views = composition["section"][1]["entry"]
    assert {urls[v["reference"]]["resourceType"] for v in views} == {"QuestionnaireResponse"}
    assert len(views) == 4
    certainty = [urls[v["reference"]] for v in composition["section"][3]["entry"]]
    sources = {r["source"]["reference"] for r in certainty}
    assert sources == {people_urls(doc)["p1"], people_urls(doc)["p2"]}


def test_decision_section_says_what_was_decided(doc: dict[str, Any]) -> None:
    div = doc["entry"][0]["resource"]["section"][0]["text"]["div"]
    text = "".join(ET.fromstring(div).itertext())
    assert "Outcome: Chosen: Tablet A." in text
    assert "QX-reason-41 line one" in text and "line two & <b>three</b>" in text
    assert "QX-step-61 <a href='x'>" in text
    assert "Review date: Monday 14 December 2026 (2026-12-14)." in text
    assert "Kestrel9 (service user): agrees" in text


# People and privacy -------------------------------------------------------------------


def test_patient_carries_only_the_pseudonymous_reference(doc: dict[str, Any]) -> None:
    (patient,) = resources(doc, "Patient")
    assert set(patient) == {"resourceType", "id", "identifier", "text"}
    (identifier,) = patient["identifier"]
    assert identifier["system"] == REFERENCE_SYSTEM
    assert identifier["value"] == "TEST-0001"
    assert "name" not in patient and "birthDate" not in patient


def test_practitioners_and_related_person_carry_only_an_id(
    doc: dict[str, Any], session: Session
) -> None:
    urls = people_urls(doc)
    patient = resources(doc, "Patient")[0]
    found = by_url(doc)
    for pid, kind in (("p2", "Practitioner"), ("p3", "RelatedPerson"), ("p4", "Practitioner")):
        person = found[urls[pid]]
        assert person["resourceType"] == kind
        assert person["identifier"] == [
            {"system": PARTICIPANT_SYSTEM, "value": f"{session.record_id}/{pid}"}
        ]
        extra = set(person) - {"resourceType", "id", "identifier", "text"}
        assert extra == ({"patient", "relationship"} if kind == "RelatedPerson" else set())
    carer = found[urls["p3"]]
    assert found[carer["patient"]["reference"]] is patient
    assert urls["p1"] == doc["entry"][0]["resource"]["subject"]["reference"]


def test_labels_and_typed_words_appear_only_in_the_narrative(doc: dict[str, Any]) -> None:
    secrets = [*LABELS.values(), "QX-"]
    narrative = []
    for path, value in walk(doc):
        if not isinstance(value, str):
            continue
        if path[-1] == "div":
            narrative.append(value)
            continue
        for secret in secrets:
            assert secret not in value, (path, value)
    # ... and the narrative does hold them, except the observer's label.
    text = "".join("".join(ET.fromstring(div).itertext()) for div in narrative)
    for pid in ("p1", "p2", "p3", "p4"):
        assert LABELS[pid] in text
    assert LABELS["p5"] not in text
    for typed in TYPED:
        for line in typed.replace("\ufffe", "").split("\n"):
            assert line.strip() in text, line


def test_observer_is_nowhere(doc: dict[str, Any], session: Session) -> None:
    assert f"{session.record_id}/p5" not in json.dumps(doc)


def test_carer_not_included_has_no_entry_and_is_named_in_the_narrative(grid: OptionGrid) -> None:
    s = t.set_carer_consent(build(grid, finish=False), CarerConsent.NO)
    doc = bundle(s)
    assert resources(doc, "RelatedPerson") == []
    assert "p3" not in people_urls(doc)
    assert len(resources(doc, "QuestionnaireResponse")) == 3
    div = doc["entry"][0]["resource"]["section"][1]["text"]["div"]
    assert CARER_NOT_INCLUDED in "".join(ET.fromstring(div).itertext())


# Views ------------------------------------------------------------------------------------


def answers(response: dict[str, Any]) -> dict[str, Any]:
    """linkId -> the answer's value, flattened from the groups."""
    found = {}
    for group in response.get("item", []):
        assert "answer" not in group
        for item in group["item"]:
            (answer,) = item["answer"]
            assert item["linkId"].startswith(group["linkId"] + ".")
            if "valueInteger" in answer:
                found[item["linkId"]] = answer["valueInteger"]
            else:
                coding = answer["valueCoding"]
                found[item["linkId"]] = (coding["system"], coding["code"])
    return found


def test_responses_hold_each_persons_ratings_exactly(doc: dict[str, Any], session: Session) -> None:
    urls = people_urls(doc)
    responses = {r["source"]["reference"]: r for r in resources(doc, "QuestionnaireResponse")}
    assert set(responses) == {urls[p.id] for p in session.voices()}
    for person in session.voices():
        response = responses[urls[person.id]]
        assert response["status"] == "completed"
        assert response["author"] == response["source"]
        assert response["subject"]["reference"] == urls["p1"]
        assert response["authored"] == "2026-11-02T11:15:00Z"
        expected: dict[str, Any] = {f"importance.{k}": v for k, v in person.importance.items()}
        expected |= {f"leaning.{k}": (LEANING_SYSTEM, v.value) for k, v in person.leanings.items()}
        expected |= {
            f"certainty.{k}": (ANSWER_SYSTEM, v.value) for k, v in person.certainty.items()
        }
        if person.role == Role.SERVICE_USER:
            expected |= {f"feedback.{k}": v for k, v in session.feedback.items()}
        assert answers(response) == expected


def test_questionnaire_describes_every_answer(doc: dict[str, Any], session: Session) -> None:
    (questionnaire,) = resources(doc, "Questionnaire")
    assert questionnaire["status"] == "active"
    assert questionnaire["version"] == session.grid.version
    items = {item["linkId"]: item for group in questionnaire["item"] for item in group["item"]}
    assert {k for k in items if k.startswith("importance.")} == {
        f"importance.{k}" for k in session.grid.questions
    }
    assert {k for k in items if k.startswith("leaning.")} == {
        f"leaning.{k}" for k in session.grid.options
    }
    for response in resources(doc, "QuestionnaireResponse"):
        for link_id, value in answers(response).items():
            item = items[link_id]
            if isinstance(value, int):
                assert item["type"] == "integer"
            else:
                assert item["type"] == "choice"
                codes = {(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in
                         item["answerOption"]}  # fmt: skip
                assert value in codes


# Provenance --------------------------------------------------------------------------------


def test_provenance_says_who_and_when(doc: dict[str, Any], session: Session) -> None:
    (provenance,) = resources(doc, "Provenance")
    composition_url = doc["entry"][0]["fullUrl"]
    response_urls = [
        e["fullUrl"]
        for e in doc["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert [t["reference"] for t in provenance["target"]] == [composition_url, *response_urls]
    assert provenance["recorded"] == "2026-11-02T11:15:00Z"
    assert provenance["occurredPeriod"] == {
        "start": "2026-11-02T10:30:00Z",
        "end": "2026-11-02T11:15:00Z",
    }
    roles = [
        (a["role"][0]["coding"][0]["system"], a["role"][0]["coding"][0]["code"],
         a["who"]["identifier"]["value"])
        for a in provenance["agent"] if "role" in a
    ]  # fmt: skip
    assert roles == [
        (ROLE_SYSTEM, p.role.value, f"{session.record_id}/{p.id}") for p in session.voices()
    ]
    device = [a for a in provenance["agent"] if "role" not in a]
    assert by_url(doc)[device[0]["who"]["reference"]]["resourceType"] == "Device"
    (entity,) = provenance["entity"]
    integrity = record.session_to_dict(session)["integrity"]
    assert entity["role"] == "source"
    assert entity["what"]["identifier"]["value"] == integrity


def test_an_amendment_names_the_record_it_replaces(session: Session) -> None:
    fixed = t.amend(session, new_id="fhir0000000b", now=DONE)
    fixed = t.complete(fixed, now=DONE)
    doc = bundle(fixed)
    composition = doc["entry"][0]["resource"]
    assert composition["relatesTo"] == [
        {
            "code": "replaces",
            "targetIdentifier": {"system": RECORD_SYSTEM, "value": session.record_id},
        }
    ]
    (provenance,) = resources(doc, "Provenance")
    assert provenance["activity"]["coding"][0]["code"] == "UPDATE"
    assert {"role": "revision"}.items() <= provenance["entity"][1].items()


# Status, tags, determinism --------------------------------------------------------------


def test_a_draft_is_preliminary(grid: OptionGrid) -> None:
    doc = bundle(build(grid, finish=False))
    assert doc["entry"][0]["resource"]["status"] == "preliminary"
    assert {r["status"] for r in resources(doc, "QuestionnaireResponse")} == {"in-progress"}
    (provenance,) = resources(doc, "Provenance")
    assert provenance["occurredPeriod"] == {"start": "2026-11-02T10:30:00Z"}


def tags(resource: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in resource.get("meta", {}).get("tag", [])}


def test_training_and_synthetic_records_are_tagged(grid: OptionGrid, doc: dict[str, Any]) -> None:
    # Untagged; only the document and its Composition carry security labels.
    assert doc["meta"] == {"security": SECURITY}
    for entry in doc["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Composition":
            assert resource["meta"] == {"security": SECURITY}
        else:
            assert "meta" not in resource, resource["resourceType"]
    s = build(grid, mode=Mode.TRAINING).model_copy(update={"synthetic": True})
    tagged = bundle(s)
    htest = ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HTEST")
    want = {htest, (TAG_SYSTEM, "training"), (TAG_SYSTEM, "synthetic")}
    assert tags(tagged) == want
    for entry in tagged["entry"]:
        resource = entry["resource"]
        # The Questionnaire describes the grid and is shared by every document.
        expected = set() if resource["resourceType"] == "Questionnaire" else want
        assert tags(resource) == expected, resource["resourceType"]


def test_same_record_gives_the_same_bytes(session: Session, grid: OptionGrid) -> None:
    again = record.loads(record.dumps(session).decode("utf-8"))
    assert bundle_json(again) == bundle_json(session)
    assert bundle(build(grid)) == bundle(session)
    other = bundle(session.model_copy(update={"record_id": "fhir0000000c"}))
    mine = {e["fullUrl"] for e in bundle(session)["entry"]}
    theirs = {e["fullUrl"] for e in other["entry"]}
    # Only the Questionnaire (made from the grid) is shared between two records.
    assert {by_url(other)[u]["resourceType"] for u in mine & theirs} == {"Questionnaire"}


def test_json_is_pretty_utf8(session: Session) -> None:
    data = bundle_json(session)
    text = data.decode("utf-8")
    assert text.endswith("}\n") and '\n  "type": "document",' in text
    assert "▲" in text  # not \u25b2: the narrative reads as typed


# Narrative XHTML ----------------------------------------------------------------------------


def test_every_narrative_is_valid_escaped_xhtml(doc: dict[str, Any]) -> None:
    divs = [v for path, v in walk(doc) if path and path[-1] == "div"]
    assert len(divs) == 4 + len(doc["entry"])  # the sections, and every resource
    for div in divs:
        root = ET.fromstring(div)  # raises on anything that is not well-formed XML
        assert root.tag == f"{XHTML}div"
        assert root.attrib == {}
        tags_used = {el.tag.removeprefix(XHTML) for el in root.iter()}
        assert tags_used <= ALLOWED_ELEMENTS, tags_used
        assert "".join(root.itertext()).strip()
        assert "\ufffe" not in div and "<!--" not in div and "<![CDATA[" not in div


@pytest.mark.parametrize(
    "typed",
    ["<script>x</script>", "]]>", "&amp; &", "<!-- c -->", "\ufffe\uffff", "a\tb", "<?pi x?>"],
)
def test_any_reason_keeps_the_narrative_valid(grid: OptionGrid, typed: str) -> None:
    s = t.set_decision(build(grid, finish=False), reason=f"start {typed} end")
    div = bundle(s)["entry"][0]["resource"]["section"][0]["text"]["div"]
    root = ET.fromstring(div)
    shown = "".join(root.itertext())
    assert f"start {typed.replace(chr(0xFFFE), '').replace(chr(0xFFFF), '')} end" in shown
    assert {el.tag.removeprefix(XHTML) for el in root.iter()} <= ALLOWED_ELEMENTS


def test_an_empty_draft_still_makes_a_whole_document(grid: OptionGrid) -> None:
    s = new_session(
        grid_ref=grid_ref(grid), app_version="0.0.0-test", now=NOW, record_id="fhir0000000e"
    )
    doc = bundle(s)
    urls = by_url(doc)
    composition = doc["entry"][0]["resource"]
    assert composition["status"] == "preliminary"
    # No clinician: sdm-tui itself is the author.
    assert [urls[a["reference"]]["resourceType"] for a in composition["author"]] == ["Device"]
    patient = urls[composition["subject"]["reference"]]
    assert set(patient) == {"resourceType", "id", "text"}  # no reference typed yet
    assert resources(doc, "QuestionnaireResponse") == []
    references = [v for path, v in walk(doc) if path and path[-1] == "reference"]
    assert set(references) <= set(urls)
    for section in composition["section"]:
        assert "".join(ET.fromstring(section["text"]["div"]).itertext()).strip()


# Narratives, confidentiality, coded sections, and the R4B models (issue 14) -------------

DOMAIN_RESOURCES = {
    "Composition", "Patient", "Practitioner", "RelatedPerson", "Device", "Questionnaire",
    "QuestionnaireResponse", "Provenance",
}  # fmt: skip


def test_every_resource_has_a_narrative(doc: dict[str, Any]) -> None:
    for entry in doc["entry"]:
        resource = entry["resource"]
        assert resource["resourceType"] in DOMAIN_RESOURCES
        narrative = resource["text"]
        assert narrative["status"] == "generated"
        root = ET.fromstring(narrative["div"])
        assert root.tag == f"{XHTML}div"
        assert "".join(root.itertext()).strip(), resource["resourceType"]
    responses = resources(doc, "QuestionnaireResponse")
    words = "".join("".join(ET.fromstring(r["text"]["div"]).itertext()) for r in responses)
    assert "Leaning on “Tablet A”: towards" in words


def test_the_composition_is_confidential_and_its_sections_coded(doc: dict[str, Any]) -> None:
    composition = doc["entry"][0]["resource"]
    assert composition["confidentiality"] == "R"
    labels = {(c["system"], c["code"]) for c in composition["meta"]["security"]}
    assert labels == {
        ("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R"),
        ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PSY"),
    }
    codes = [
        next(c["code"] for c in section["code"]["coding"] if c["system"] == SECTION_SYSTEM)
        for section in composition["section"]
    ]
    assert codes == ["decision", "views", "disagreements", "certainty"]
    for section in composition["section"]:
        assert section["code"]["text"] == section["title"]


def every_kind_of_bundle(grid: OptionGrid) -> Iterator[tuple[str, dict[str, Any]]]:
    from handout_cases import grid as shipped_grid
    from handout_cases import largest, typical

    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.session import grid_ref
    from sdm_tui.core.synth import _Person, plan

    yield "full", bundle(build(grid))
    yield "draft", bundle(build(grid, finish=False))
    yield "training", bundle(build(grid, mode=Mode.TRAINING).model_copy(update={"synthetic": True}))
    yield "amendment", bundle(t.amend(build(grid), new_id="fhir0000000f", now=DONE))
    empty = new_session(grid_ref=grid_ref(grid), app_version="0", now=NOW, record_id="fhir0000000e")
    yield "empty", bundle(empty)
    yield "typical", bundle(typical(shipped_grid()))
    yield "largest", bundle(largest(shipped_grid()))
    grids = load_catalog().grids
    refs = [grid_ref(grids[key]) for key in sorted(grids)]
    for number, n in enumerate(plan(40, 3), start=1):
        for k, s in enumerate(_Person(3, number, refs).sessions(n)):
            yield f"synthetic {number}.{k}", bundle(s)


def test_every_exported_bundle_validates_with_the_r4b_models(grid: OptionGrid) -> None:
    r4b = pytest.importorskip(
        "fhir.resources.R4B.bundle", reason="fhir.resources (a test dependency) is not installed"
    )
    checked = 0
    for name, document in every_kind_of_bundle(grid):
        parsed = r4b.Bundle.model_validate(document)
        assert parsed.type == "document", name
        assert parsed.entry[0].resource.get_resource_type() == "Composition", name
        for entry in parsed.entry:
            assert entry.resource.text is not None, (name, entry.resource.get_resource_type())
        checked += 1
    assert checked >= 45


def test_the_r4b_models_catch_a_broken_bundle(doc: dict[str, Any]) -> None:
    """The validation above is real: a wrong type or an unknown element is refused."""
    r4b = pytest.importorskip("fhir.resources.R4B.bundle", reason="fhir.resources not installed")
    broken = json.loads(json.dumps(doc))
    broken["entry"][0]["resource"]["date"] = "yesterday"
    with pytest.raises(ValueError):
        r4b.Bundle.model_validate(broken)
    broken = json.loads(json.dumps(doc))
    broken["entry"][1]["resource"]["name"] = "Not Allowed"  # a Patient name must be a list
    with pytest.raises(ValueError):
        r4b.Bundle.model_validate(broken)
