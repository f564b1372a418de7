"""Record format 2: preparation, concerns, plan; the migration from format 1;
preparations on disk, matched by the exact reference."""

from __future__ import annotations

import stat
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
import tomli_w
from sessions import DATA, NOW, TODAY, MakeSession

from sdm_tui.core import concerns as c
from sdm_tui.core import preparation as prep
from sdm_tui.core import record
from sdm_tui.core import transitions as t
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.session import (
    CarerConsent,
    ConcernKind,
    Involvement,
    Outcome,
    Preparation,
    Role,
    Session,
    SessionError,
    WrittenWith,
)
from sdm_tui.core.store import RecordStore

SU, DR, CARER, OBS = Role.SERVICE_USER, Role.CLINICIAN, Role.CARER, Role.OBSERVER


def ready(make_session: MakeSession) -> Session:
    """A draft with everything needed to finish."""
    s = make_session(options=["tablet-a", "no-change"])
    s = t.set_decision(
        s, outcome=Outcome.DEFERRED, review_date=t.default_review_date(TODAY), today=TODAY
    )
    return s


def as_version_one(session: Session) -> bytes:
    """The bytes sdm-tui wrote for this session when the format was 1."""
    data = record.session_to_dict(session)
    for key in ("preparation", "concerns", "plan"):
        data.pop(key, None)
    data = {**data, "schema_version": 1}
    body = {k: v for k, v in data.items() if k != "integrity"}
    return tomli_w.dumps({"integrity": record.content_hash(body), **body}).encode()


# Migration -----------------------------------------------------------------


V1_FILES = sorted((DATA / "format1").glob("*.toml"))


@pytest.mark.parametrize("path", V1_FILES, ids=[p.name for p in V1_FILES])
def test_every_version_one_test_record_loads_and_verifies(path: Path, tmp_path: Path) -> None:
    data = tomllib.loads(path.read_text("utf-8"))
    assert data["schema_version"] == 1
    before = path.read_bytes()
    session = record.load(path)
    assert session.schema_version == 2
    assert session.preparation is None and session.concerns == () and session.plan.is_empty()
    assert path.read_bytes() == before  # migrated in memory only
    assert record.content_hash(data) == data["integrity"]  # verifies with its own hash
    # A record re-saved (an amendment, a resumed draft) is written as format 2.
    again = tomllib.loads(record.dumps(session).decode())
    assert again["schema_version"] == 2


def test_a_generated_set_of_version_one_records_loads(tmp_path: Path, example_grid) -> None:
    from sdm_tui.core.synth import write_synthetic

    written = write_synthetic(tmp_path, 25, seed=7, grids={example_grid.id: example_grid})
    assert written == 25
    files = sorted(tmp_path.rglob("*.toml"))
    assert len(files) == 25
    for path in files:
        current = record.load(path)
        old = path.with_suffix(".v1")
        old.write_bytes(as_version_one(current))
        migrated = record.load(old)
        assert migrated.schema_version == 2
        # Everything a format 1 record held is read unchanged.
        assert (
            migrated.model_copy(
                update={
                    "preparation": current.preparation,
                    "concerns": current.concerns,
                    "plan": current.plan,
                }
            )
            == current
        )


def test_a_new_record_is_saved_as_format_two(make_session: MakeSession) -> None:
    text = record.dumps(make_session()).decode()
    assert "schema_version = 2" in text
    data = tomllib.loads(text)
    assert data["concerns"] == [] and "plan" in data and "preparation" not in data


def test_a_version_one_record_with_format_two_keys_is_refused(make_session: MakeSession) -> None:
    data = tomllib.loads(as_version_one(make_session()).decode())
    data["concerns"] = []
    body = {k: v for k, v in data.items() if k != "integrity"}
    text = tomli_w.dumps({"integrity": record.content_hash(body), **body})
    with pytest.raises(record.RecordProblem) as caught:
        record.loads(text)
    assert caught.value.kind == "invalid"


# Concerns ------------------------------------------------------------------


def test_a_concern_is_kept_with_who_where_kind_and_words(make_session: MakeSession) -> None:
    s = ready(make_session)
    s = c.raise_concern(
        s,
        "p1",
        "I worry \x1b[31mabout\u202e my weight",
        kind=ConcernKind.SIDE_EFFECT,
        talk="options",
        now=NOW,
    )
    (concern,) = s.concerns
    assert concern.id == "c1"
    assert concern.raised_by == "p1"
    assert concern.talk == "options"
    assert concern.kind == ConcernKind.SIDE_EFFECT
    assert concern.words == "I worry about my weight"
    assert concern.status == "open" and concern.raised == NOW and concern.answered is None
    assert c.concern_line(s, concern) == "Service user (service user), in option talk"
    again = record.loads(record.dumps(s).decode())
    assert again == s


def test_finishing_needs_a_response_to_every_concern(make_session: MakeSession) -> None:
    s = ready(make_session)
    assert t.missing_for_completion(s) == []
    s = c.raise_concern(s, "p2", "Falls at night", kind=ConcernKind.SAFETY, talk="options")
    s = c.raise_concern(s, "p1", "Nobody calls back", kind=ConcernKind.CARE, talk="decision")
    missing = t.missing_for_completion(s)
    assert len(missing) == 2 and "concern 1" in missing[0] and "concern 2" in missing[1]
    with pytest.raises(SessionError):
        t.complete(s)
    # Answered but with no words: still missing.
    s = c.respond_to_concern(s, "c1", answered=True, now=NOW)
    assert "concern 1" in t.missing_for_completion(s)[0]
    s = c.respond_to_concern(s, "c1", response="We agreed a lower dose at night.")
    # Left open: needs who follows it up.
    s = c.respond_to_concern(s, "c2", response="Not settled today", answered=False)
    assert ["concern 2" in m for m in t.missing_for_completion(s)] == [True]
    s = c.respond_to_concern(s, "c2", follow_up="Care coordinator, this week")
    assert t.missing_for_completion(s) == []
    done = t.complete(s, now=NOW + timedelta(hours=1))
    assert done.concerns[0].status == "answered" and done.concerns[0].answered == NOW
    assert done.open_concerns() == (done.concerns[1],)
    assert record.loads(record.dumps(done).decode()) == done


def test_who_may_raise_a_concern(make_session: MakeSession) -> None:
    s = make_session((SU, DR, CARER, OBS), consent=CarerConsent.NO)
    with pytest.raises(SessionError, match="not agreed"):
        c.raise_concern(s, "p3", "Worried")
    with pytest.raises(SessionError, match="Observers"):
        c.raise_concern(s, "p4", "Worried")
    with pytest.raises(SessionError, match="own words"):
        c.raise_concern(s, "p1", " \u200b\n ")
    with pytest.raises(SessionError, match="Not a talk"):
        c.raise_concern(s, "p1", "Worried", talk="kitchen")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = c.raise_concern(s, "p3", "Worried about driving", kind=ConcernKind.SAFETY)
    # A "no" later takes back what the carer said, their concern too.
    assert t.set_carer_consent(s, CarerConsent.NO).concerns == ()
    assert t.remove_participant(s, "p3").concerns == ()


def test_limits_and_removal(make_session: MakeSession) -> None:
    s = make_session()
    s = c.raise_concern(s, "p1", "x" * 5000)
    assert len(s.concerns[0].words) == 4000
    s = c.remove_concern(s, "c1")
    assert s.concerns == ()
    for _ in range(c.MAX_CONCERNS):
        s = c.raise_concern(s, "p1", "again")
    with pytest.raises(SessionError, match="at most"):
        c.raise_concern(s, "p1", "one more")
    s = c.respond_to_concern(s, "c3", response="Talked it through", answered=True)
    with pytest.raises(SessionError, match="has a response"):
        c.remove_concern(s, "c3")
    with pytest.raises(SessionError, match="no longer"):
        c.respond_to_concern(s, "c99", response="x")


def test_the_plan_is_cleaned_and_kept(make_session: MakeSession) -> None:
    s = make_session()
    s = c.set_plan(
        s,
        warning_signs="I stop sleeping\r\nI stop answering the phone",
        contact="My care coordinator\x07, weekdays",
    )
    assert s.plan.warning_signs == "I stop sleeping\nI stop answering the phone"
    assert s.plan.contact == "My care coordinator, weekdays"
    assert not s.plan.is_empty()
    with pytest.raises(SessionError):
        c.set_plan(s, favourite_colour="blue")
    assert record.loads(record.dumps(s).decode()) == s


# Preparation ---------------------------------------------------------------


def written(**texts: str) -> Preparation:
    return prep.update_preparation(
        Preparation(),
        involvement=Involvement.TOGETHER,
        written_with=WrittenWith.PEER_SUPPORT,
        now=NOW,
        **texts,
    )


def test_preparation_text_is_cleaned_like_typed_text() -> None:
    p = written(want="I want to talk about\u200b my weight\x1b[2J", worries="Sleep\r\n\u202eFog")
    assert p.want == "I want to talk about my weight"
    assert p.worries == "Sleep\nFog"
    assert p.written == NOW and p.written_with == WrittenWith.PEER_SUPPORT
    assert list(p.answers()) == ["want", "worries"]
    assert len(written(matters="y" * 9000).matters) == 4000
    with pytest.raises(SessionError):
        prep.update_preparation(Preparation(), mood="fine")


def test_preparation_is_saved_under_the_reference_private_and_atomic(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    p = written(want="I want to come off it slowly", stay_well="Walking the dog")
    path = store.save_preparation("TEST-0042", p)
    assert "TEST" not in path.name and "0042" not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [f.name for f in path.parent.iterdir()] == [path.name]  # no temp file left
    assert store.load_preparation("TEST-0042") == p
    # The reference is cleaned like any typed reference: an invisible character is
    # not part of it, so this is the same reference.
    assert store.load_preparation(" TEST-0042\u200b") == p


@pytest.mark.parametrize(
    "other", ["TEST-OO42", "test-0042", "TEST-00420", "TEST-0043", "TEST_0042"]
)
def test_a_similar_looking_reference_never_matches(tmp_path: Path, other: str) -> None:
    store = RecordStore(tmp_path / "records")
    store.save_preparation("TEST-0042", written(want="Mine"))
    assert store.load_preparation(other) is None


def test_a_file_for_another_reference_is_not_used(tmp_path: Path) -> None:
    """Even a file put under the wrong name holds its own reference, which must match."""
    store = RecordStore(tmp_path / "records")
    path = store.save_preparation("TEST-0042", written(want="Mine"))
    path.rename(store.preparation_path("TEST-0043"))
    assert store.load_preparation("TEST-0043") is None


def test_preparation_can_be_discarded(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    store.save_preparation("TEST-0042", written(want="Mine"))
    assert store.discard_preparation("TEST-0042") is True
    assert store.load_preparation("TEST-0042") is None
    assert store.discard_preparation("TEST-0042") is False


def test_a_damaged_or_linked_preparation_is_named_never_used(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    path = store.save_preparation("TEST-0042", written(want="Mine"))
    path.write_text('format = 1\nreference = "TEST-0042"\n[preparation]\nmood = "x"\n')
    with pytest.raises(StoreError, match="mood"):
        store.load_preparation("TEST-0042")
    path.unlink()
    target = tmp_path / "elsewhere.toml"
    target.write_bytes(prep.dumps("TEST-0042", written(want="Mine")))
    path.symlink_to(target)
    with pytest.raises(StoreError, match="link"):
        store.load_preparation("TEST-0042")


def test_a_bad_reference_is_refused(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    with pytest.raises(SessionError):
        store.save_preparation("JaneDoe", written(want="x"))
    with pytest.raises(SessionError):
        store.load_preparation("../../etc/passwd1")


def test_bringing_a_preparation_keeps_its_words(make_session: MakeSession) -> None:
    p = written(want="I want to talk about my weight", questions="Can I lower it?")
    s = c.bring_preparation(make_session(), p)
    assert s.preparation == p
    assert c.prepared_by_role(s) == "service user, with a peer support worker"
    assert record.loads(record.dumps(s).decode()) == s
    with pytest.raises(SessionError, match="reference"):
        c.bring_preparation(make_session(reference=None), p)
    with pytest.raises(SessionError, match="empty"):
        c.bring_preparation(make_session(), Preparation())
    assert c.bring_preparation(s, None).preparation is None


# Rendering: summary, handout, note, FHIR ---------------------------------------


def everything(make_session: MakeSession) -> Session:
    s = ready(make_session)
    s = c.bring_preparation(
        s, written(want="I want <b>less</b> tiredness", stay_well="Walking # every day")
    )
    s = c.raise_concern(
        s, "p1", "I keep [falling] at night", kind=ConcernKind.SAFETY, talk="options", now=NOW
    )
    s = c.respond_to_concern(s, "c1", response="We agreed a night light", answered=True, now=NOW)
    s = c.raise_concern(s, "p2", "Blood tests are late", kind=ConcernKind.CARE, talk="decision")
    s = c.respond_to_concern(s, "c2", answered=False, follow_up="Nurse, this week")
    s = c.set_plan(s, warning_signs="I stop sleeping", contact="Care coordinator, weekdays")
    return t.complete(s, now=NOW + timedelta(hours=1))


def test_the_summary_lists_preparation_concerns_and_plan(make_session: MakeSession) -> None:
    from datetime import UTC

    from sdm_tui.core.summary import summary_markdown

    text = summary_markdown(everything(make_session), zone=UTC)
    assert "## My plan if things get harder" in text
    assert "> I stop sleeping" in text
    assert "## Concerns raised" in text
    assert "I keep \\[falling\\] at night" in text  # escaped, shown as typed
    assert "Answered: We agreed a night light" in text
    assert "Still open." in text and "Followed up by: Nurse, this week" in text
    assert "raised by Service user (service user) in option talk" in text
    assert "Written beforehand by the service user, with a peer support worker" in text
    assert "I want &lt;b&gt;less&lt;/b&gt; tiredness" in text
    # The plan comes right after the review, before the rest.
    assert text.index("## Review") < text.index("## My plan") < text.index("## What matters")


def test_the_handout_has_the_plan_on_page_one_with_the_review(make_session: MakeSession) -> None:
    from datetime import UTC

    from sdm_tui.core.handout import handout_html
    from sdm_tui.core.takeaway import takeaway

    html = handout_html(takeaway(everything(make_session), zone=UTC, zone_name="UTC"))
    key = html[html.index('<section class="key">') : html.index("</section>")]
    assert "Your review is on" in key
    assert "My plan if things get harder" in key and "I stop sleeping" in key
    assert "Worries raised, and what we said" in html
    assert "We agreed a night light" in html and "Nurse, this week" in html
    assert "&lt;b&gt;less&lt;/b&gt;" in html and "<b>less" not in html
    assert "<script" not in html


def test_the_note_lists_them_too(make_session: MakeSession) -> None:
    from datetime import UTC

    from sdm_tui.core.notetext import note_text
    from sdm_tui.core.takeaway import takeaway

    text = note_text(takeaway(everything(make_session), zone=UTC, zone_name="UTC"))
    assert "CONCERNS RAISED" in text and "Answered: We agreed a night light" in text
    assert "Follow-up: Nurse, this week" in text
    assert "PLAN IF THINGS GET HARDER" in text
    assert "Written beforehand by the service user" in text
    assert all(len(line) < 80 for line in text.splitlines())


def test_fhir_has_the_preparation_concerns_and_plan(make_session: MakeSession) -> None:
    from sdm_tui.core.fhir import SECTION_SYSTEM, bundle
    from sdm_tui.core.fhir_prepare import PREPARATION_QUESTIONNAIRE

    doc = bundle(everything(make_session))
    kinds = [e["resource"]["resourceType"] for e in doc["entry"]]
    assert kinds.count("Observation") == 2
    responses = [
        e["resource"]
        for e in doc["entry"]
        if e["resource"].get("questionnaire") == PREPARATION_QUESTIONNAIRE
    ]
    (prepared,) = responses
    words = {i["linkId"]: i["answer"][0]["valueString"] for i in prepared["item"]}
    assert words["preparation.want"] == "I want <b>less</b> tiredness"  # as written
    assert prepared["author"]["reference"] == prepared["subject"]["reference"]
    observations = [
        e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    assert observations[0]["valueString"] == "I keep [falling] at night"
    assert observations[0]["note"][0]["text"] == "We agreed a night light"
    composition = doc["entry"][0]["resource"]
    codes = [
        next(x["code"] for x in sec["code"]["coding"] if x["system"] == SECTION_SYSTEM)
        for sec in composition["section"]
    ]
    assert codes[-3:] == ["plan", "preparation", "concerns"]
    assert "I stop sleeping" in composition["section"][-3]["text"]["div"]
    urls = {e["fullUrl"] for e in doc["entry"]}
    refs = [v["reference"] for sec in composition["section"] for v in sec.get("entry", [])]
    assert set(refs) <= urls
    r4b = pytest.importorskip("fhir.resources.R4B.bundle")
    r4b.Bundle.model_validate(doc)


def test_synthetic_records_have_coherent_preparations_concerns_and_plans(example_grid) -> None:
    from sdm_tui.core.session import grid_ref as ref_of
    from sdm_tui.core.synth import _Person, plan

    sessions = [
        s
        for number, n in enumerate(plan(300, 5), start=1)
        for s in _Person(5, number, [ref_of(example_grid)]).sessions(n)
    ]
    prepared = [s for s in sessions if s.preparation is not None]
    worried = [s for s in sessions if s.concerns]
    planned = [s for s in sessions if not s.plan.is_empty()]
    assert 40 < len(prepared) < 150 and 30 < len(worried) < 130 and len(planned) > 60
    for s in prepared:
        assert s.preparation.written < s.created
        roles = {p.role for p in s.participants}
        if s.preparation.written_with == WrittenWith.PEER_SUPPORT:
            assert Role.PEER_SUPPORT in roles
        assert s.preparation.involvement == s.team_talk.involvement
    for s in worried:
        assert all(x.has_response() for x in s.concerns)
        assert all(s.created <= x.raised <= s.completed for x in s.concerns)
    for s in sessions:
        if s.decision.outcome != Outcome.CHOSEN:
            assert not s.plan.is_empty()


# Scenarios -----------------------------------------------------------------


def test_two_scenarios_use_a_preparation_or_a_concern_with_observer_items() -> None:
    from sdm_tui.core.catalog import load_catalog
    from sdm_tui.core.scenario import load_scenarios, scenario_paths
    from sdm_tui.core.training import start_role_play

    grids = load_catalog().grids
    found = load_scenarios(scenario_paths(), grids)
    assert found.problems == []
    jo = found.scenarios["stop-sexual-side-effects"]
    robin = found.scenarios["carer-speaks-over"]
    assert "uses-preparation" in {g.id for g in jo.goals}
    assert "concern-answered" in {g.id for g in robin.goals}
    observer = {s.id: next(r.brief for r in s.roles if r.label == "Observer") for s in (jo, robin)}
    assert "preparation" in observer[jo.id] and "concern" in observer[robin.id]
    session = start_role_play(jo, grids[jo.grid], app_version="0", now=NOW)
    assert session.preparation is not None
    assert session.preparation.want == "I want to come off my tablets."
    assert session.preparation.involvement == Involvement.MYSELF
    assert session.preparation.written == NOW
    assert record.loads(record.dumps(session).decode()) == session


# The review index: open concerns filter, clinic counts -------------------------


def test_index_filters_open_concerns_and_counts_them_by_month(tmp_path: Path, example_grid) -> None:
    from sdm_tui.core.index import Filters, RecordIndex
    from sdm_tui.core.synth import write_synthetic

    root = tmp_path / "records"
    write_synthetic(root, 120, seed=4, grids={example_grid.id: example_grid})
    sessions = [record.load(p) for p in sorted(root.rglob("*.toml"))]
    raised = sum(len(s.concerns) for s in sessions)
    answered = sum(c.status == "answered" for s in sessions for c in s.concerns)
    still_open = {s.record_id for s in sessions if s.open_concerns()}
    assert raised > answered > 0 and still_open
    with RecordIndex.open(root) as index:
        index.refresh()
        rows = list(index.iter_rows(Filters(modes=("training",), open_concerns=True)))
        assert {r.record_id for r in rows} == still_open
        assert all(r.open_concerns > 0 for r in rows)
        kept = index.clinic(Filters(modes=("training",)))
        counted = index.clinic(Filters(modes=("training",), date_from=date(1900, 1, 1)))
        for stats in (kept, counted):
            assert (stats.concerns_raised, stats.concerns_answered) == (raised, answered)
            assert sum(m.concerns_raised for m in stats.months) == raised
        assert kept == counted


def test_records_verify_and_export_a_version_one_record(tmp_path: Path, capsys) -> None:
    """`records verify` counts a format 1 file as ok and leaves it as it is; an export
    reads it (migrated in memory)."""
    from sdm_tui.__main__ import main

    source = DATA / "format1" / "v1-grid-1.0.0.toml"
    target = tmp_path / "records" / "clinical" / "2026-11" / "2026-11-20_v1grid100abc.toml"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    before = target.read_bytes()
    root = str(tmp_path / "records")
    assert main(["records", "verify", "--records", root]) == 0
    assert "1 records ok, 0 failed" in capsys.readouterr().out
    out = tmp_path / "v1.json"
    code = main(
        [
            "records",
            "export",
            "v1grid100abc",
            "--format",
            "fhir",
            "--output",
            str(out),
            "--records",
            root,
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert '"resourceType": "Bundle"' in out.read_text("utf-8")
    assert target.read_bytes() == before
