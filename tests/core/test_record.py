"""Session records as TOML: exact round trips, integrity, versions, bad files."""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessions import EXAMPLE_GRID, NOW, RECORD_ID, TODAY, MakeSession

from sdm_tui.core import record
from sdm_tui.core import session as session_module
from sdm_tui.core import transitions as t
from sdm_tui.core.grid import load_grid
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Involvement,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    SessionError,
    Stance,
    grid_ref,
    new_session,
)

SU, DR, CARER, OBS = Role.SERVICE_USER, Role.CLINICIAN, Role.CARER, Role.OBSERVER


def full_session(make_session: MakeSession) -> Session:
    """A finished record that uses every part of the model."""
    s = make_session(
        (SU, DR, CARER, OBS), consent=CarerConsent.YES, options=["tablet-a", "no-change"]
    )
    s = t.set_team_talk(
        s,
        decision="Which tablet to try",
        what_matters="Work.\nSleep: 😴",
        involvement=Involvement.TOGETHER,
    )
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p2", "weight", 1)
    s = t.rate_importance(s, "p3", "works", 0)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_leaning(s, "p3", "tablet-a", Leaning.AWAY)
    s = t.add_note(s, "p1", 'Notes with "quotes", \\backslash, [markup] and\nnew lines')
    s = t.add_note(s, "p2", "وزن and 体重", question=True)
    s = t.record_disagreement(s, "When to start")
    s = t.set_view(s, "importance:weight", "p1", "It matters a lot to me.")
    s = t.set_disagreement_status(s, "recorded:1", True)
    s = t.set_decision(
        s,
        outcome=Outcome.CHOSEN,
        option="tablet-a",
        reason="Fits my work.",
        review_date=t.default_review_date(TODAY),
        today=TODAY,
    )
    s = t.set_next_steps(s, ["Blood test", "Phone call in a week"])
    s = t.set_stance(s, "p1", Stance.AGREE)
    s = t.set_stance(s, "p3", Stance.GO_ALONG)
    s = t.set_certainty(s, "p1", "sure", Answer3.UNSURE)
    s = t.set_feedback(s, "listened", 3)
    return t.complete(s, now=NOW + timedelta(hours=1))


def write(tmp_path: Path, data: bytes, name: str = "record.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rehash(data: dict[str, Any]) -> str:
    """A record text with a correct integrity line, after a test changed `data`."""
    data = {k: v for k, v in data.items() if k != "integrity"}
    return tomli_w.dumps({"integrity": record.content_hash(data), **data})


def problem_of(path: Path, kind: str) -> RecordProblem:
    with pytest.raises(RecordProblem) as caught:
        record.load(path)
    problem = caught.value
    assert problem.kind == kind, str(problem)
    assert problem.problems
    for item in problem.problems:
        assert item.file == str(path)
        assert item.fix
        assert str(item).startswith(f"{path}:{item.line}: ")
        assert "Traceback" not in str(item)
    return problem


# Round trips -------------------------------------------------------------------


def test_round_trip_exact(make_session: MakeSession, tmp_path: Path) -> None:
    session = full_session(make_session)
    data = record.dumps(session)
    assert isinstance(data, bytes)
    again = record.loads(data.decode("utf-8"))
    assert again == session
    assert record.dumps(again) == data
    assert record.load(write(tmp_path, data)) == session


def test_round_trip_of_a_new_draft(make_session: MakeSession) -> None:
    session = make_session((), reference=None)
    assert record.loads(record.dumps(session).decode()) == session


def test_dumps_holds_what_a_record_needs(
    make_session: MakeSession, example_grid_path: Path
) -> None:
    session = full_session(make_session)
    text = record.dumps(session).decode("utf-8")
    assert text.startswith("# sdm-tui session record. Do not edit")
    data = tomllib.loads(text)
    grid, _ = load_grid(example_grid_path, today=TODAY)
    assert data["integrity"] == record.content_hash(data)
    assert data["integrity"].startswith("sha256:")
    assert data["schema_version"] == record.SCHEMA_VERSION == 2
    assert data["record_id"] == RECORD_ID
    assert data["mode"] == "clinical"
    assert data["created"] == NOW
    assert data["created"].utcoffset() == timedelta(0)
    assert data["completed"].utcoffset() == timedelta(0)
    assert data["app_version"] == "0.0.0-test"
    assert data["grid"]["id"] == grid.id == "example-grid"
    assert data["grid"]["version"] == grid.version
    assert data["grid"]["content_hash"] == grid.content_hash
    assert data["service_user_ref"] == "TEST-0001"
    assert data["carer_consent"] == "yes"
    assert [p["role"] for p in data["participants"]] == [
        "service-user",
        "clinician",
        "carer",
        "observer",
    ]
    assert data["decision"]["review_date"] == date(2026, 12, 14)
    assert data["decision"]["stances"] == {"p1": "agree", "p3": "go-along-with"}
    assert {d["id"] for d in data["disagreements"]} >= {"importance:weight", "recorded:1"}
    assert "training" not in data  # clinical records hold no role-play details


def test_training_record_round_trip(make_session: MakeSession) -> None:
    session = make_session(mode=Mode.TRAINING, reference=None)
    assert session.training is not None
    text = record.dumps(session).decode()
    assert tomllib.loads(text)["mode"] == "training"
    assert record.loads(text) == session


# Hypothesis: any session built through the transitions round-trips exactly ----

GRID, _ = load_grid(EXAMPLE_GRID, today=TODAY)
QUESTIONS = [q.id for q in GRID.questions]
OPTIONS = [o.id for o in GRID.options]
SPECIALS = [
    "\x00",
    "\x07",
    "\x1b",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x7f",
    "\x85",
    "\x9b",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\udfff",
    "e\u0301",
    "👩‍⚕️",
    "🏳️‍🌈",
    "שלום",
    "مرحبا",
    "体重",
    '"',
    "'",
    "\\",
    '"""',
    "[b]",
    "[/]",
    "[@click=app.quit]",
    "# ",
    "<b>",
    "=",
    "\ufffd",
    "\U0010ffff",
]
odd_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
    st.lists(st.sampled_from(SPECIALS) | st.text(max_size=3), max_size=8).map("".join),
)


def attempt(session: Session, fn: Any, *args: Any, **kwargs: Any) -> Session:
    """Apply a transition; keep the session as it was when it is refused."""
    try:
        return fn(session, *args, **kwargs)
    except SessionError:
        return session


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    mode = draw(st.sampled_from(Mode))
    s = new_session(
        grid_ref=grid_ref(GRID), app_version="0.0.0-test", mode=mode, now=NOW, record_id=RECORD_ID
    )
    for role in draw(st.lists(st.sampled_from(Role), max_size=6)):
        s = attempt(s, t.add_participant, role, draw(odd_text))
    s = attempt(s, t.set_carer_consent, draw(st.sampled_from(CarerConsent)))
    s = attempt(s, t.set_reference, draw(st.sampled_from(["TEST-0001", "SU-0042", "x"])))
    s = attempt(
        s,
        t.set_team_talk,
        decision=draw(odd_text),
        what_matters=draw(odd_text),
        involvement=draw(st.none() | st.sampled_from(Involvement)),
    )
    s = attempt(s, t.choose_options, draw(st.lists(st.sampled_from(OPTIONS), max_size=3)))
    for person in s.participants:
        for question in QUESTIONS:
            s = attempt(
                s, t.rate_importance, person.id, question, draw(st.none() | st.integers(0, 4))
            )
        for option in OPTIONS:
            s = attempt(
                s, t.set_leaning, person.id, option, draw(st.none() | st.sampled_from(Leaning))
            )
        for text in draw(st.lists(odd_text, max_size=2)):
            s = attempt(s, t.add_note, person.id, text, question=draw(st.booleans()))
        s = attempt(s, t.set_certainty, person.id, "sure", draw(st.sampled_from(Answer3)))
        s = attempt(s, t.set_stance, person.id, draw(st.none() | st.sampled_from(Stance)))
    if draw(st.booleans()):
        s = attempt(s, t.record_disagreement, draw(odd_text))
    for item in s.disagreements:
        for person in s.participants:
            if draw(st.booleans()):
                s = attempt(s, t.set_view, item.id, person.id, draw(odd_text))
    if draw(st.booleans()):
        s = attempt(s, t.remove_participant, draw(st.sampled_from(["p1", "p2", "p3"])))
    s = attempt(
        s,
        t.set_decision,
        outcome=draw(st.none() | st.sampled_from(Outcome)),
        option=draw(st.none() | st.sampled_from(OPTIONS)),
        reason=draw(st.none() | odd_text),
        review_date=TODAY + timedelta(days=draw(st.integers(1, 700))),
        today=TODAY,
    )
    s = attempt(s, t.set_next_steps, draw(st.lists(odd_text, max_size=3)))
    s = attempt(s, t.set_feedback, "included", draw(st.none() | st.integers(0, 4)))
    if draw(st.booleans()):
        s = attempt(s, t.complete, now=NOW + timedelta(hours=2))
    return s


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions())
def test_any_session_round_trips(session: Session) -> None:
    text = record.dumps(session).decode("utf-8")
    assert record.loads(text) == session


@settings(max_examples=60, deadline=None)
@given(odd_text)
def test_any_note_round_trips(text: str) -> None:
    s = new_session(grid_ref=grid_ref(GRID), app_version="0.0.0-test", now=NOW, record_id=RECORD_ID)
    s = t.add_participant(s, SU, "Service user")
    s = attempt(s, t.add_note, "p1", text)
    assert record.loads(record.dumps(s).decode()) == s


# Damaged, edited and foreign files ---------------------------------------------


def test_edited_value_breaks_integrity(make_session: MakeSession, tmp_path: Path) -> None:
    data = record.dumps(full_session(make_session))
    edited = data.replace(b'service_user_ref = "TEST-0001"', b'service_user_ref = "TEST-0002"')
    assert edited != data
    path = write(tmp_path, edited)
    problem = problem_of(path, "integrity")
    (item,) = problem.problems
    assert item.line == 3  # the integrity line, under the two comment lines
    assert "integrity" in item.message
    assert "amendment" in item.fix


def test_edited_number_breaks_integrity(make_session: MakeSession) -> None:
    text = record.dumps(full_session(make_session)).decode()
    edited = text.replace("listened = 3", "listened = 4")
    assert edited != text
    with pytest.raises(RecordProblem) as caught:
        record.loads(edited, name="x.toml")
    assert caught.value.kind == "integrity"
    assert caught.value.problems[0].file == "x.toml"


def test_missing_integrity_line(make_session: MakeSession, tmp_path: Path) -> None:
    text = record.dumps(make_session()).decode()
    lines = [line for line in text.splitlines() if not line.startswith("integrity = ")]
    problem = problem_of(write(tmp_path, "\n".join(lines).encode()), "integrity")
    assert "missing" in problem.problems[0].message


def test_newer_record_is_refused_and_left_alone(make_session: MakeSession, tmp_path: Path) -> None:
    data = record.dumps(make_session()).replace(
        b"schema_version = 2\n", b"schema_version = 3\nnew_thing = true\n"
    )
    path = write(tmp_path, data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    problem = problem_of(path, "newer")
    (item,) = problem.problems
    assert item.line == 4
    assert "newer sdm-tui" in item.message
    assert "update sdm-tui" in item.fix
    assert "not been changed" in item.fix
    assert path.read_bytes() == data
    assert path.stat().st_mtime == 1_700_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.toml"]


@pytest.mark.parametrize("version", ["0", "-1", '"1"', "1.0"])
def test_bad_schema_version(make_session: MakeSession, tmp_path: Path, version: str) -> None:
    data = record.dumps(make_session()).replace(
        b"schema_version = 2\n", f"schema_version = {version}\n".encode()
    )
    problem = problem_of(write(tmp_path, data), "invalid")
    assert "schema_version" in problem.problems[0].message


def test_truncated_file(make_session: MakeSession, tmp_path: Path) -> None:
    data = record.dumps(full_session(make_session))
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(RecordProblem) as caught:
        record.load(path)
    assert caught.value.kind in ("unreadable", "integrity")
    (item,) = caught.value.problems
    assert item.file == str(path)
    assert "restore" in item.fix


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.75, 0.9])
def test_truncated_at_a_line_end(make_session: MakeSession, tmp_path: Path, cut: float) -> None:
    data = record.dumps(full_session(make_session))
    end = data.rindex(b"\n", 0, int(len(data) * cut)) + 1
    path = write(tmp_path, data[:end])
    with pytest.raises(RecordProblem) as caught:
        record.load(path)
    assert caught.value.kind in ("unreadable", "integrity")
    assert caught.value.problems[0].file == str(path)


def test_not_utf8(make_session: MakeSession, tmp_path: Path) -> None:
    data = record.dumps(make_session()).replace(b"Dr Test", b"Dr T\xe9st")
    problem = problem_of(write(tmp_path, data), "unreadable")
    assert "not UTF-8" in problem.problems[0].message
    assert problem.problems[0].line > 3


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    problem = problem_of(write(tmp_path, data), "unreadable")
    assert problem.problems[0].message == "the record is empty"


def test_not_toml(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, b"Dear team,\nplease see attached.\n"), "unreadable")
    assert problem.problems[0].message.startswith("not valid TOML")
    assert problem.problems[0].fix == "restore the record from a copy"
    with pytest.raises(RecordProblem) as caught:
        record.loads("a = 1\nDear team,\n", name="letter.toml")
    assert caught.value.kind == "unreadable"
    assert str(caught.value).startswith("letter.toml:2: not valid TOML")
    assert "(at line" not in str(caught.value)


def test_other_toml_is_not_a_record(tmp_path: Path, example_grid_path: Path) -> None:
    problem = problem_of(write(tmp_path, example_grid_path.read_bytes()), "integrity")
    assert "missing" in problem.problems[0].message


def test_too_big(tmp_path: Path) -> None:
    path = write(tmp_path, b"#" * (record.MAX_RECORD_BYTES + 1))
    problem = problem_of(path, "unreadable")
    assert "MB" in problem.problems[0].message


def test_valid_hash_but_unknown_key(make_session: MakeSession) -> None:
    data = record.session_to_dict(make_session())
    data["colour"] = "red"
    text = rehash(data)
    with pytest.raises(RecordProblem) as caught:
        record.loads(text, name="r.toml")
    assert caught.value.kind == "invalid"
    (item,) = caught.value.problems
    assert item.message == "unknown key 'colour'"
    assert item.line == next(
        n for n, line in enumerate(text.splitlines(), 1) if line.startswith("colour")
    )


def test_text_is_cleaned_on_load(make_session: MakeSession) -> None:
    data = record.session_to_dict(make_session())
    data["participants"][0]["notes"] = ["\x1b[31mred\x1b[0m and \u202ereversed"]
    data["participants"][1]["label"] = "Dr\x07 Test"
    session = record.loads(rehash(data))
    assert session.participant("p1").notes == ("red and reversed",)
    assert session.participant("p2").label == "Dr Test"


# Migrations --------------------------------------------------------------------


def _as_version_one(session: Session) -> str:
    """The record text as sdm-tui wrote it when the format was 1 (no preparation,
    concerns or plan), with its own integrity line."""
    data = record.session_to_dict(session)
    for key in ("preparation", "concerns", "plan"):
        data.pop(key, None)
    return rehash({**data, "schema_version": 1})


def test_migrations_run_step_by_step(make_session: MakeSession, monkeypatch) -> None:
    old_text = _as_version_one(make_session())
    calls: list[int] = []

    def one_to_two(data: dict[str, Any]) -> dict[str, Any]:
        calls.append(data["schema_version"])
        # Pretend format 2 renamed app_version.
        data = dict(data)
        data["written_by"] = data.pop("app_version")
        return {**data, "schema_version": 2}

    def two_to_three(data: dict[str, Any]) -> dict[str, Any]:
        calls.append(data["schema_version"])
        assert "written_by" in data  # runs on the output of the step before
        data = dict(data)
        data["app_version"] = data.pop("written_by") + "+migrated"
        return {**data, "schema_version": 3}

    monkeypatch.setattr(record, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(session_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(record, "MIGRATIONS", {1: one_to_two, 2: two_to_three})
    migrated = record.loads(old_text, name="old.toml")
    assert calls == [1, 2]
    assert migrated.schema_version == 3
    assert migrated.app_version == "0.0.0-test+migrated"
    assert migrated.record_id == RECORD_ID
    assert migrated.participants == make_session().participants


def test_migration_step_missing(make_session: MakeSession, monkeypatch) -> None:
    old_text = _as_version_one(make_session())
    monkeypatch.setattr(record, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(session_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(record, "MIGRATIONS", {1: lambda d: {**d, "schema_version": 2}})
    with pytest.raises(RecordProblem) as caught:
        record.loads(old_text, name="old.toml")
    assert caught.value.kind == "invalid"
    (item,) = caught.value.problems
    assert item.message == "no way to update record format 2"
    assert "version that wrote it" in item.fix
    assert item.file == "old.toml"


def test_integrity_is_checked_before_migrating(make_session: MakeSession, monkeypatch) -> None:
    old_text = _as_version_one(make_session()).replace("TEST-0001", "TEST-0009")
    monkeypatch.setattr(record, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(
        record, "MIGRATIONS", {1: lambda d: pytest.fail("a damaged record was migrated")}
    )
    with pytest.raises(RecordProblem) as caught:
        record.loads(old_text)
    assert caught.value.kind == "integrity"


def test_timestamps_are_utc(make_session: MakeSession) -> None:
    session = make_session()
    assert session.created.tzinfo is not None
    loaded = record.loads(record.dumps(session).decode())
    assert loaded.created == datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    assert loaded.updated.utcoffset() == timedelta(0)
