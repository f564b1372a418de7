"""Every pure transition: what it changes, what it refuses, and that it never
changes the session it was given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sessions import NOW, RECORD_ID, TODAY, MakeSession

from sdm_tui.core import transitions as t
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
    check_reference,
)

SU, DR, CARER, PEER, OBS = (
    Role.SERVICE_USER,
    Role.CLINICIAN,
    Role.CARER,
    Role.PEER_SUPPORT,
    Role.OBSERVER,
)
ESC_RED = "\x1b[31m"
RLO = "\u202e"


def run(fn: Callable[..., Session], session: Session, *args: Any, **kwargs: Any) -> Session:
    """Apply a transition and check the session given to it is unchanged."""
    before = session.model_dump()
    before_json = session.model_dump_json()
    try:
        result = fn(session, *args, **kwargs)
    finally:
        assert session.model_dump() == before
        assert session.model_dump_json() == before_json
    assert isinstance(result, Session)
    return result


def refused(
    fn: Callable[..., Session],
    session: Session,
    *args: Any,
    match: str | None = None,
    **kwargs: Any,
) -> SessionError:
    with pytest.raises(SessionError, match=match) as caught:
        run(fn, session, *args, **kwargs)
    assert str(caught.value)  # always a plain message
    return caught.value


@pytest.fixture
def pair(make_session: MakeSession) -> Session:
    """A service user (p1) and a clinician (p2), comparing all three options."""
    return make_session(options=["tablet-a", "tablet-b", "no-change"])


@pytest.fixture
def with_carer(make_session: MakeSession) -> Session:
    """Service user p1, clinician p2 and a carer p3 the service user agreed to."""
    return make_session((SU, DR, CARER), consent=CarerConsent.YES)


# The session model ------------------------------------------------------------


def test_session_is_frozen(pair: Session) -> None:
    with pytest.raises(ValueError):
        pair.service_user_ref = "TEST-9999"  # type: ignore[misc]
    with pytest.raises(ValueError):
        pair.participants[0].label = "Someone"  # type: ignore[misc]
    assert isinstance(pair.participants, tuple)


def test_make_session_fixture(pair: Session) -> None:
    assert pair.record_id == RECORD_ID
    assert pair.created == NOW
    assert pair.updated >= NOW
    assert pair.service_user_ref == "TEST-0001"
    assert [(p.id, p.role, p.label) for p in pair.participants] == [
        ("p1", SU, "Service user"),
        ("p2", DR, "Dr Test"),
    ]
    assert pair.service_user() == pair.participants[0]
    assert pair.participants[1].display == "Dr Test (clinician)"


# Participants -----------------------------------------------------------------


def test_add_participant(make_session: MakeSession) -> None:
    session = make_session(())
    session = run(t.add_participant, session, SU, "Service user")
    session = run(t.add_participant, session, DR, "Dr Test")
    assert [p.id for p in session.participants] == ["p1", "p2"]
    assert session.participant("p2").role == DR
    assert session.updated > NOW


def test_add_participant_cleans_label(make_session: MakeSession) -> None:
    session = run(
        t.add_participant, make_session(()), CARER, f"  {ESC_RED}Car{RLO}er\x07\nfriend  "
    )
    assert session.participants[0].label == "Carer friend"


def test_add_participant_label_is_short(make_session: MakeSession) -> None:
    session = run(t.add_participant, make_session(()), DR, "D" * 40)
    assert session.participants[0].label == "D" * 24


@pytest.mark.parametrize("label", ["", "   ", "\x1b[0m", "\u202e\u2066", "\n\t\n"])
def test_add_participant_needs_a_label(make_session: MakeSession, label: str) -> None:
    refused(t.add_participant, make_session(()), DR, label, match="label")


def test_labels_are_unique(pair: Session) -> None:
    refused(t.add_participant, pair, PEER, "dr test", match="already called")
    refused(t.add_participant, pair, PEER, "  DR TEST ", match="already called")


def test_only_one_service_user(pair: Session) -> None:
    refused(t.add_participant, pair, SU, "Another person", match="already a service user")


def test_at_most_eight_people(make_session: MakeSession) -> None:
    session = make_session((SU, DR, CARER, PEER, OBS, DR, DR, OBS))
    assert len(session.participants) == t.MAX_PARTICIPANTS == 8
    assert len({p.label for p in session.participants}) == 8
    refused(t.add_participant, session, PEER, "One more", match="at most 8")


def test_remove_participant(make_session: MakeSession) -> None:
    session = make_session((SU, DR, PEER))
    session = run(t.remove_participant, session, "p2")
    assert [p.id for p in session.participants] == ["p1", "p3"]
    # The lowest free id is used again for the next person.
    session = run(t.add_participant, session, DR, "Dr Test")
    assert [p.id for p in session.participants] == ["p1", "p3", "p2"]
    refused(t.remove_participant, session, "p9", match="No one with id p9")


def test_remove_participant_takes_their_views_and_stances(pair: Session) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", 4)
    session = run(t.rate_importance, session, "p2", "weight", 1)
    session = run(t.set_view, session, "importance:weight", "p2", "I think it matters less.")
    session = run(t.set_stance, session, "p2", Stance.AGREE)
    session = run(t.remove_participant, session, "p2")
    assert [p.id for p in session.participants] == ["p1"]
    assert session.decision.stances == {}
    assert session.disagreements == ()  # no longer computed and no views left


def test_relabel_participant(pair: Session) -> None:
    session = run(t.relabel_participant, pair, "p2", f" Dr {ESC_RED}Example ")
    assert session.participant("p2").label == "Dr Example"
    assert session.participant("p2").role == DR
    # Changing the case of one's own label is fine.
    session = run(t.relabel_participant, session, "p2", "DR EXAMPLE")
    assert session.participant("p2").label == "DR EXAMPLE"


def test_relabel_refusals(pair: Session) -> None:
    refused(t.relabel_participant, pair, "p2", "  ", match="empty")
    refused(t.relabel_participant, pair, "p9", "Someone", match="No one")
    refused(t.relabel_participant, pair, "p2", "service USER", match="already called")


# Carer consent ----------------------------------------------------------------


def test_carer_may_give_views_only_with_consent(make_session: MakeSession) -> None:
    not_asked = make_session((SU, DR, CARER))
    assert not_asked.carer_consent == CarerConsent.NOT_ASKED
    refused(t.rate_importance, not_asked, "p3", "weight", 2, match="not agreed")
    agreed = run(t.set_carer_consent, not_asked, CarerConsent.YES)
    assert agreed.carer_consent == CarerConsent.YES
    assert agreed.carer_took_part()
    rated = run(t.rate_importance, agreed, "p3", "weight", 2)
    assert rated.participant("p3").importance == {"weight": 2}


def filled_in_by_carer(session: Session) -> Session:
    """The carer (p3) says all they can, and others disagree with them."""
    s = run(t.rate_importance, session, "p3", "weight", 4)
    s = run(t.rate_importance, s, "p1", "weight", 1)
    s = run(t.set_leaning, s, "p3", "tablet-a", Leaning.TOWARDS)
    s = run(t.set_leaning, s, "p1", "tablet-a", Leaning.AWAY)
    s = run(t.add_note, s, "p3", "A carer's note")
    s = run(t.add_note, s, "p3", "A carer's question", question=True)
    s = run(t.set_certainty, s, "p3", "sure", Answer3.YES)
    s = run(t.set_stance, s, "p3", Stance.DISAGREE)
    s = run(t.set_stance, s, "p1", Stance.AGREE)
    s = run(t.set_view, s, "leaning:tablet-a", "p3", "The carer's view")
    s = run(t.set_view, s, "importance:weight", "p3", "The carer's view on weight")
    s = run(t.set_view, s, "importance:weight", "p1", "My own view on weight")
    return s


def test_carer_consent_no_wipes_what_the_carer_said(with_carer: Session) -> None:
    before = filled_in_by_carer(with_carer)
    assert {d.id for d in before.disagreements} == {"importance:weight", "leaning:tablet-a"}
    after = run(t.set_carer_consent, before, CarerConsent.NO)
    assert after.carer_consent == CarerConsent.NO
    carer = after.participant("p3")
    assert carer.label == "Carer" and carer.role == CARER  # still in the room
    assert carer.importance == {}
    assert carer.leanings == {}
    assert carer.notes == ()
    assert carer.questions == ()
    assert carer.certainty == {}
    assert after.decision.stances == {"p1": Stance.AGREE}
    assert not after.carer_took_part()
    assert after.voices() == after.participants[:2]
    # The leaning disagreement was only with the carer and had only the carer's
    # view: it is gone. The weight one keeps the service user's view only.
    assert [d.id for d in after.disagreements] == ["importance:weight"]
    assert after.disagreements[0].views == {"p1": "My own view on weight"}
    # Everyone else keeps what they said.
    assert after.participant("p1").importance == {"weight": 1}
    assert after.participant("p1").leanings == {"tablet-a": Leaning.AWAY}


def test_declined_carer_can_record_nothing(with_carer: Session) -> None:
    session = run(t.set_carer_consent, filled_in_by_carer(with_carer), CarerConsent.NO)
    attempts: list[tuple[Callable[..., Session], tuple[Any, ...], dict[str, Any]]] = [
        (t.rate_importance, ("p3", "weight", 2), {}),
        (t.rate_importance, ("p3", "weight", None), {}),
        (t.set_leaning, ("p3", "tablet-a", Leaning.TOWARDS), {}),
        (t.add_note, ("p3", "a note"), {}),
        (t.add_note, ("p3", "a question"), {"question": True}),
        (t.set_certainty, ("p3", "know", Answer3.YES), {}),
        (t.set_stance, ("p3", Stance.AGREE), {}),
        (t.set_view, ("importance:weight", "p3", "a view"), {}),
        (t.remove_note, ("p3", 0), {}),
    ]
    for fn, args, kwargs in attempts:
        refused(fn, session, *args, match="not agreed to the carer", **kwargs)


def test_observer_can_record_nothing(make_session: MakeSession) -> None:
    session = make_session((SU, DR, OBS))
    refused(t.rate_importance, session, "p3", "weight", 2, match="Observers")
    refused(t.set_leaning, session, "p3", "tablet-a", Leaning.AWAY, match="Observers")
    refused(t.add_note, session, "p3", "a note", match="Observers")
    refused(t.set_stance, session, "p3", Stance.AGREE, match="Observers")
    assert [p.id for p in session.voices()] == ["p1", "p2"]


# Team talk --------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["SU-0042", "TEST-0001", "ab1", "x.y_z-9", "1" * 32])
def test_reference_accepted(make_session: MakeSession, reference: str) -> None:
    session = run(t.set_reference, make_session(reference=None), reference)
    assert session.service_user_ref == reference


@pytest.mark.parametrize(
    "reference",
    ["JaneDoe", "Jane Doe 1", "", "   ", "1", "1" * 33, "SU/0042", "-SU0042", "SU0042\u00e9"],
)
def test_reference_refused(make_session: MakeSession, reference: str) -> None:
    error = refused(t.set_reference, make_session(reference=None), reference)
    assert "Never use a name" in str(error)


def test_reference_is_cleaned(make_session: MakeSession) -> None:
    session = run(t.set_reference, make_session(reference=None), f"  {ESC_RED}SU-0042{RLO} ")
    assert session.service_user_ref == "SU-0042"
    assert check_reference(" TEST-0001\n") == "TEST-0001"


def test_team_talk(pair: Session) -> None:
    session = run(
        t.set_team_talk,
        pair,
        decision=f"Which {ESC_RED}tablet\nto try",
        what_matters=f"  Keeping my job.\nNot {RLO}gaining weight.  ",
        involvement=Involvement.TOGETHER,
    )
    assert session.team_talk.decision == "Which tablet to try"
    assert session.team_talk.what_matters == "Keeping my job.\nNot gaining weight."
    assert session.team_talk.involvement == Involvement.TOGETHER
    # Leaving an answer out keeps it.
    again = run(t.set_team_talk, session, decision="Another decision")
    assert again.team_talk.what_matters == session.team_talk.what_matters
    assert again.team_talk.involvement == Involvement.TOGETHER


def test_choose_options_keeps_grid_order(make_session: MakeSession) -> None:
    session = run(t.choose_options, make_session(), ["no-change", "tablet-a", "no-change"])
    assert session.team_talk.options == ("tablet-a", "no-change")


def test_choose_options_refusals(make_session: MakeSession) -> None:
    session = make_session()
    refused(t.choose_options, session, ["tablet-a"], match="between 2 and 6")
    refused(t.choose_options, session, [], match="between 2 and 6")
    refused(t.choose_options, session, ["tablet-a", "tablet-a"], match="between 2 and 6")
    refused(t.choose_options, session, ["tablet-a", "tablet-z"], match="tablet-z")


def test_choose_at_most_six_options(make_session: MakeSession) -> None:
    session = make_session()
    many = {f"option-{n}": f"Option {n}" for n in range(1, 8)}
    session = session.model_copy(update={"grid": session.grid.model_copy(update={"options": many})})
    six = run(t.choose_options, session, list(many)[:6])
    assert six.team_talk.options == tuple(list(many)[:6])
    refused(t.choose_options, session, list(many), match="between 2 and 6")


# Option talk ------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2, 3, 4])
def test_rate_importance(pair: Session, value: int) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", value)
    assert session.participant("p1").importance == {"weight": value}
    assert session.participant("p2").importance == {}


def test_rate_importance_none_means_not_discussed(pair: Session) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", 3)
    session = run(t.rate_importance, session, "p1", "works", 1)
    session = run(t.rate_importance, session, "p1", "weight", None)
    assert session.participant("p1").importance == {"works": 1}
    again = run(t.rate_importance, session, "p1", "weight", None)  # already not discussed
    assert again.participant("p1").importance == {"works": 1}


@pytest.mark.parametrize("value", [-1, 5, 100, 2.5, True, "3"])
def test_rate_importance_out_of_range(pair: Session, value: int) -> None:
    refused(t.rate_importance, pair, "p1", "weight", value, match="0 .* 4")


def test_rate_importance_unknown(pair: Session) -> None:
    refused(t.rate_importance, pair, "p1", "height", 2, match="Not a question")
    refused(t.rate_importance, pair, "p7", "weight", 2, match="No one")


def test_leanings(pair: Session) -> None:
    session = run(t.set_leaning, pair, "p1", "tablet-a", Leaning.TOWARDS)
    session = run(t.set_leaning, session, "p1", "no-change", Leaning.UNSURE)
    assert session.participant("p1").leanings == {
        "tablet-a": Leaning.TOWARDS,
        "no-change": Leaning.UNSURE,
    }
    session = run(t.set_leaning, session, "p1", "tablet-a", None)
    assert session.participant("p1").leanings == {"no-change": Leaning.UNSURE}
    refused(t.set_leaning, session, "p1", "tablet-z", Leaning.AWAY, match="Not an option")


def test_notes_and_questions_are_cleaned(pair: Session) -> None:
    typed = (
        f"{ESC_RED}Red\x1b[0m text, \x1b]0;evil title\x07a title, "
        f"{RLO}reversed\u202c, [bold]markup[/bold] and [@click=app.quit]x[/]\r\nline two"
    )
    session = run(t.add_note, pair, "p1", typed)
    session = run(t.add_note, session, "p1", f"  Will it {ESC_RED}help?\t ", question=True)
    person = session.participant("p1")
    assert person.notes == (
        "Red text, a title, reversed, [bold]markup[/bold] and [@click=app.quit]x[/]\nline two",
    )
    assert person.questions == ("Will it help?",)
    for text in (*person.notes, *person.questions):
        assert "\x1b" not in text and RLO not in text and "\r" not in text


def test_notes_keep_what_was_typed(pair: Session) -> None:
    typed = "Café, 体重, وزن, שלום, 👩‍⚕️ and e\u0301"
    session = run(t.add_note, pair, "p1", typed)
    assert session.participant("p1").notes == (typed,)


def test_notes_refusals_and_removal(pair: Session) -> None:
    refused(t.add_note, pair, "p1", " \x1b[0m\n ", match="empty")
    session = run(t.add_note, pair, "p1", "first")
    session = run(t.add_note, session, "p1", "second")
    session = run(t.add_note, session, "p1", "a question", question=True)
    session = run(t.remove_note, session, "p1", 0)
    assert session.participant("p1").notes == ("second",)
    assert session.participant("p1").questions == ("a question",)
    session = run(t.remove_note, session, "p1", 0, question=True)
    assert session.participant("p1").questions == ()
    refused(t.remove_note, session, "p1", 5, match="no such note")
    refused(t.remove_note, session, "p1", -1, match="no such note")


def test_note_is_capped(pair: Session) -> None:
    session = run(t.add_note, pair, "p1", "x" * 5000)
    assert session.participant("p1").notes == ("x" * 4000,)


# Disagreements ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(0, 2, True), (4, 2, True), (0, 4, True), (1, 2, False), (3, 3, False), (4, 3, False)],
)
def test_importance_gap_rule(pair: Session, a: int, b: int, expected: bool) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", a)
    session = run(t.rate_importance, session, "p2", "weight", b)
    ids = [d.id for d in session.disagreements]
    assert ids == (["importance:weight"] if expected else [])
    if expected:
        (item,) = session.disagreements
        assert item.kind == "importance"
        assert item.subject == "How much this matters: Will I put on weight?"
        assert item.status == "open" and item.views == {}


def test_one_rating_is_no_disagreement(pair: Session) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", 4)
    session = run(t.rate_importance, session, "p2", "works", 0)
    assert session.disagreements == ()


def test_importance_gap_among_three(with_carer: Session) -> None:
    session = run(t.rate_importance, with_carer, "p1", "works", 2)
    session = run(t.rate_importance, session, "p2", "works", 3)
    assert session.disagreements == ()
    session = run(t.rate_importance, session, "p3", "works", 4)
    assert [d.id for d in session.disagreements] == ["importance:works"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (Leaning.TOWARDS, Leaning.AWAY, True),
        (Leaning.AWAY, Leaning.TOWARDS, True),
        (Leaning.TOWARDS, Leaning.OPEN, False),
        (Leaning.AWAY, Leaning.UNSURE, False),
        (Leaning.TOWARDS, Leaning.TOWARDS, False),
        (Leaning.AWAY, None, False),
    ],
)
def test_leaning_rule(pair: Session, a: Leaning, b: Leaning | None, expected: bool) -> None:
    session = run(t.set_leaning, pair, "p1", "tablet-b", a)
    session = run(t.set_leaning, session, "p2", "tablet-b", b)
    assert [d.id for d in session.disagreements] == (["leaning:tablet-b"] if expected else [])
    if expected:
        assert session.disagreements[0].kind == "leaning"
        assert session.disagreements[0].subject == "Leaning on Tablet B"


def test_disagreements_in_grid_order(pair: Session) -> None:
    session = run(t.set_leaning, pair, "p1", "no-change", Leaning.AWAY)
    session = run(t.set_leaning, session, "p2", "no-change", Leaning.TOWARDS)
    session = run(t.rate_importance, session, "p1", "weight", 4)
    session = run(t.rate_importance, session, "p2", "weight", 0)
    session = run(t.rate_importance, session, "p1", "works", 0)
    session = run(t.rate_importance, session, "p2", "works", 4)
    # Kept ones stay first; new ones are added in grid order.
    assert [d.id for d in session.disagreements] == [
        "leaning:no-change",
        "importance:weight",
        "importance:works",
    ]
    assert list(t.computed_disagreements(session)) == [
        "importance:works",
        "importance:weight",
        "leaning:no-change",
    ]


def test_observers_and_declined_carers_are_ignored(make_session: MakeSession) -> None:
    session = make_session((SU, DR, CARER, OBS), consent=CarerConsent.NO)
    # Put ratings straight into the model, as a damaged or old record might.
    people = tuple(
        p.model_copy(update={"importance": {"weight": 4}, "leanings": {"tablet-a": Leaning.AWAY}})
        if p.role in (CARER, OBS)
        else p
        for p in session.participants
    )
    session = session.model_copy(update={"participants": people})
    session = run(t.rate_importance, session, "p1", "weight", 0)
    session = run(t.set_leaning, session, "p1", "tablet-a", Leaning.TOWARDS)
    assert t.computed_disagreements(session) == {}
    assert session.disagreements == ()
    # With the carer's agreement the same ratings count.
    agreed = session.model_copy(update={"carer_consent": CarerConsent.YES})
    assert set(t.computed_disagreements(agreed)) == {"importance:weight", "leaning:tablet-a"}


def test_disagreement_goes_when_ratings_converge(pair: Session) -> None:
    session = run(t.rate_importance, pair, "p1", "weight", 4)
    session = run(t.rate_importance, session, "p2", "weight", 1)
    assert [d.id for d in session.disagreements] == ["importance:weight"]
    session = run(t.rate_importance, session, "p2", "weight", 3)
    assert session.disagreements == ()
    # Talked through but with no views written: still goes.
    session = run(t.rate_importance, session, "p2", "weight", 1)
    session = run(t.set_disagreement_status, session, "importance:weight", True)
    session = run(t.rate_importance, session, "p2", "weight", None)
    assert session.disagreements == ()


def test_disagreement_with_views_stays_when_ratings_converge(pair: Session) -> None:
    session = run(t.set_leaning, pair, "p1", "tablet-a", Leaning.TOWARDS)
    session = run(t.set_leaning, session, "p2", "tablet-a", Leaning.AWAY)
    session = run(t.set_view, session, "leaning:tablet-a", "p1", "It worked for my friend.")
    session = run(t.set_leaning, session, "p2", "tablet-a", Leaning.OPEN)
    assert t.computed_disagreements(session) == {}
    (kept,) = session.disagreements
    assert kept.id == "leaning:tablet-a"
    assert kept.views == {"p1": "It worked for my friend."}
    # When it comes back it is not duplicated.
    session = run(t.set_leaning, session, "p2", "tablet-a", Leaning.AWAY)
    assert [d.id for d in session.disagreements] == ["leaning:tablet-a"]


def test_recorded_disagreements(pair: Session) -> None:
    session = run(t.record_disagreement, pair, f"  Whether to {ESC_RED}wait\nuntil spring ")
    session = run(t.record_disagreement, session, "Who collects the prescription")
    assert [(d.id, d.kind, d.subject) for d in session.disagreements] == [
        ("recorded:1", "recorded", "Whether to wait until spring"),
        ("recorded:2", "recorded", "Who collects the prescription"),
    ]
    # Refreshing after a rating keeps them, views or not.
    session = run(t.rate_importance, session, "p1", "weight", 2)
    assert len(session.disagreements) == 2
    refused(t.record_disagreement, session, " \x1b[0m ", match="few words")


def test_views_and_status(pair: Session) -> None:
    session = run(t.record_disagreement, pair, "When to start")
    session = run(t.set_view, session, "recorded:1", "p1", f"After my {RLO}exams\r\nplease.")
    session = run(t.set_view, session, "recorded:1", "p2", "Soon, because [red]relapse[/red]")
    (item,) = session.disagreements
    assert item.views == {"p1": "After my exams\nplease.", "p2": "Soon, because [red]relapse[/red]"}
    assert session.open_disagreements() == (item,)
    session = run(t.set_view, session, "recorded:1", "p2", "   ")  # an empty view removes it
    assert session.disagreements[0].views == {"p1": "After my exams\nplease."}
    session = run(t.set_disagreement_status, session, "recorded:1", True)
    assert session.disagreements[0].status == "talked-through"
    assert session.open_disagreements() == ()
    session = run(t.set_disagreement_status, session, "recorded:1", False)
    assert session.disagreements[0].status == "open"
    refused(t.set_view, session, "recorded:9", "p1", "x", match="no longer")
    refused(t.set_disagreement_status, session, "recorded:9", True, match="no longer")
    refused(t.set_view, session, "recorded:1", "p9", "x", match="No one")


# Decision talk ----------------------------------------------------------------


def test_decision(pair: Session) -> None:
    session = run(
        t.set_decision,
        pair,
        outcome=Outcome.CHOSEN,
        option="tablet-a",
        reason=f"  It {ESC_RED}suits my work.\n[b]Really[/b] ",
    )
    assert session.decision.outcome == Outcome.CHOSEN
    assert session.decision.option == "tablet-a"
    assert session.decision.reason == "It suits my work.\n[b]Really[/b]"
    deferred = run(t.set_decision, session, outcome=Outcome.DEFERRED)
    assert deferred.decision.outcome == Outcome.DEFERRED
    assert deferred.decision.option == ""
    assert deferred.decision.reason == session.decision.reason
    refused(t.set_decision, pair, option="tablet-z", match="Not an option")


def test_review_date(pair: Session) -> None:
    assert t.default_review_date(TODAY) == TODAY + timedelta(days=42) == date(2026, 12, 14)
    ok = run(t.set_decision, pair, review_date=t.default_review_date(TODAY), today=TODAY)
    assert ok.decision.review_date == date(2026, 12, 14)
    tomorrow = run(t.set_decision, pair, review_date=TODAY + timedelta(days=1), today=TODAY)
    assert tomorrow.decision.review_date == date(2026, 11, 3)
    two_years = run(t.set_decision, pair, review_date=date(2028, 11, 2), today=TODAY)
    assert two_years.decision.review_date == date(2028, 11, 2)
    for bad in (TODAY, TODAY - timedelta(days=1), date(2020, 1, 1)):
        refused(t.set_decision, pair, review_date=bad, today=TODAY, match="after today")
    refused(
        t.set_decision, pair, review_date=date(2029, 11, 2), today=TODAY, match="within two years"
    )


def test_propose_review_date_sets_six_weeks_on_only_when_none_is_set(pair: Session) -> None:
    proposed = run(t.propose_review_date, pair, TODAY)
    assert proposed.decision.review_date == date(2026, 12, 14)
    chosen = run(t.set_decision, pair, review_date=date(2027, 1, 5), today=TODAY)
    assert t.propose_review_date(chosen, TODAY) is chosen  # a date already set stays
    today = datetime.now(UTC).date()  # by default today is the UTC date, like the others
    assert t.propose_review_date(pair).decision.review_date == t.default_review_date(today)


def test_stances(pair: Session) -> None:
    session = run(t.set_stance, pair, "p1", Stance.AGREE)
    session = run(t.set_stance, session, "p2", Stance.GO_ALONG)
    assert session.decision.stances == {"p1": Stance.AGREE, "p2": Stance.GO_ALONG}
    session = run(t.set_stance, session, "p2", None)
    assert session.decision.stances == {"p1": Stance.AGREE}
    refused(t.set_stance, session, "p5", Stance.AGREE, match="No one")


def test_next_steps(pair: Session) -> None:
    session = run(
        t.set_next_steps, pair, [" Blood test ", "", f"{ESC_RED}Review\nin clinic", " \x07 "]
    )
    assert session.decision.next_steps == ("Blood test", "Review in clinic")


def test_certainty(pair: Session) -> None:
    session = run(t.set_certainty, pair, "p1", "know", Answer3.YES)
    session = run(t.set_certainty, session, "p1", "sure", Answer3.UNSURE)
    assert session.participant("p1").certainty == {"know": Answer3.YES, "sure": Answer3.UNSURE}
    session = run(t.set_certainty, session, "p1", "know", None)
    assert session.participant("p1").certainty == {"sure": Answer3.UNSURE}
    refused(t.set_certainty, session, "p1", "happy", Answer3.YES, match="Not a certainty item")


def test_feedback(pair: Session) -> None:
    session = run(t.set_feedback, pair, "understand", 4)
    session = run(t.set_feedback, session, "listened", 0)
    assert session.feedback == {"understand": 4, "listened": 0}
    session = run(t.set_feedback, session, "listened", None)
    assert session.feedback == {"understand": 4}
    refused(t.set_feedback, session, "included", 5, match="0 .* 4")
    refused(t.set_feedback, session, "included", -1, match="0 .* 4")
    refused(t.set_feedback, session, "enjoyed", 2, match="Not a feedback item")
    refused(t.set_feedback, session, "included", 3.5, match="0 .* 4")


def ready(session: Session) -> Session:
    session = run(
        t.set_decision,
        session,
        outcome=Outcome.CHOSEN,
        option="tablet-a",
        review_date=t.default_review_date(TODAY),
        today=TODAY,
    )
    return session


def test_missing_for_completion(make_session: MakeSession) -> None:
    empty = make_session((), reference=None)
    assert t.missing_for_completion(empty) == [
        "Add the service user in team talk.",
        "Type the service user's reference in team talk.",
        "Choose at least two options to compare in team talk.",
        "Choose the outcome in decision talk.",
        "Set a review date in decision talk.",
    ]
    training = make_session(reference=None, mode=Mode.TRAINING, options=["tablet-a", "no-change"])
    assert t.missing_for_completion(ready(training)) == []
    session = make_session(options=["tablet-a", "no-change"])
    chosen_nothing = run(t.set_decision, session, outcome=Outcome.CHOSEN)
    assert "Say which option was chosen in decision talk." in t.missing_for_completion(
        chosen_nothing
    )
    assert t.missing_for_completion(ready(session)) == []


def test_complete(pair: Session) -> None:
    error = refused(t.complete, pair)
    assert "outcome" in str(error) and "review date" in str(error)
    when = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
    done = run(t.complete, ready(pair), now=when)
    assert done.completed == when
    assert done.updated == when


FINISHED_REFUSES: list[tuple[str, Callable[[Session], Session]]] = [
    ("add", lambda s: t.add_participant(s, PEER, "Peer worker")),
    ("remove", lambda s: t.remove_participant(s, "p2")),
    ("relabel", lambda s: t.relabel_participant(s, "p2", "Dr Other")),
    ("consent", lambda s: t.set_carer_consent(s, CarerConsent.NO)),
    ("reference", lambda s: t.set_reference(s, "TEST-0002")),
    ("team talk", lambda s: t.set_team_talk(s, decision="x")),
    ("options", lambda s: t.choose_options(s, ["tablet-a", "tablet-b"])),
    ("rate", lambda s: t.rate_importance(s, "p1", "weight", 1)),
    ("lean", lambda s: t.set_leaning(s, "p1", "tablet-a", Leaning.OPEN)),
    ("note", lambda s: t.add_note(s, "p1", "late note")),
    ("record", lambda s: t.record_disagreement(s, "late")),
    ("decide", lambda s: t.set_decision(s, outcome=Outcome.DEFERRED)),
    ("stance", lambda s: t.set_stance(s, "p1", Stance.AGREE)),
    ("steps", lambda s: t.set_next_steps(s, ["x"])),
    ("certainty", lambda s: t.set_certainty(s, "p1", "know", Answer3.NO)),
    ("feedback", lambda s: t.set_feedback(s, "understand", 1)),
    ("complete", lambda s: t.complete(s)),
]


@pytest.mark.parametrize(
    ("name", "change"), FINISHED_REFUSES, ids=[name for name, _ in FINISHED_REFUSES]
)
def test_finished_record_refuses_changes(
    pair: Session, name: str, change: Callable[[Session], Session]
) -> None:
    done = t.complete(ready(pair), now=NOW + timedelta(hours=1))
    refused(change, done, match="finished")


def test_amend(pair: Session) -> None:
    refused(t.amend, pair, new_id="test0000000b", match="Only a finished record")
    done = t.complete(ready(pair), now=NOW + timedelta(hours=1))
    later = NOW + timedelta(days=3)
    draft = run(t.amend, done, new_id="test0000000b", now=later)
    for bad_id in ("", "Jane-Doe-1", "TEST0000000B", RECORD_ID):
        refused(t.amend, done, new_id=bad_id, match="new record id")
    assert draft.record_id == "test0000000b"
    assert draft.amends == RECORD_ID
    assert draft.completed is None
    assert draft.created == draft.updated == later
    assert draft.decision == done.decision
    assert draft.participants == done.participants
    # The draft can be changed; the finished record is untouched.
    changed = run(t.set_decision, draft, outcome=Outcome.DEFERRED)
    assert changed.decision.outcome == Outcome.DEFERRED
    assert done.decision.outcome == Outcome.CHOSEN
    assert done.completed is not None


def test_a_deferred_decision_never_keeps_a_chosen_option(make_session: MakeSession) -> None:
    s = make_session()
    s = t.set_decision(s, outcome=Outcome.CHOSEN, option="tablet-a", today=TODAY)
    assert s.decision.option == "tablet-a"
    s = t.set_decision(s, outcome=Outcome.DEFERRED, option="tablet-a", today=TODAY)
    assert (s.decision.outcome, s.decision.option) == (Outcome.DEFERRED, "")


def test_new_session_refuses_a_time_without_a_time_zone(example_grid) -> None:
    from sdm_tui.core.session import grid_ref, new_session

    with pytest.raises(ValueError, match="time-zone"):
        new_session(grid_ref=grid_ref(example_grid), app_version="t", now=datetime(2026, 1, 1))
