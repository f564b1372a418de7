"""Role-play sessions: starting one from a scenario, and the observer's scoring.

Scenarios come from tests/data/scenarios/good.toml and the shipped folder; the
people in them are invented. Clocks are fixed so records compare exactly.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sdm_tui.core import record
from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario, load_scenario, load_scenarios, scenario_paths
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    SessionError,
    grid_ref,
    new_session,
)
from sdm_tui.core.training import (
    OBSERVER_ITEMS,
    OBSERVER_SCALE,
    mark_goal,
    observer_total,
    score_item,
    set_observer_note,
    start_role_play,
)

GOOD = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "good.toml"
NOW = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
RECORD_ID = "trng0000000a"


@pytest.fixture(scope="module")
def grids() -> dict[str, OptionGrid]:
    return load_catalog().grids


@pytest.fixture(scope="module")
def scenario(grids: dict[str, OptionGrid]) -> Scenario:
    return load_scenario(GOOD, grids)


@pytest.fixture
def session(scenario: Scenario, grids: dict[str, OptionGrid]) -> Session:
    return start_role_play(
        scenario, grids[scenario.grid], app_version="0.0.0-test", now=NOW, record_id=RECORD_ID
    )


# Starting a role-play ----------------------------------------------------------------


def test_start_role_play_sets_up_team_talk(
    session: Session, scenario: Scenario, grids: dict[str, OptionGrid]
) -> None:
    grid = grids[scenario.grid]
    assert session.mode == Mode.TRAINING
    assert session.record_id == RECORD_ID
    assert session.created == session.updated == NOW
    assert session.training is not None
    assert session.training.scenario == "test-scenario"
    assert session.training.observer_scores == {}
    assert session.grid.id == grid.id
    assert session.grid.content_hash == grid.content_hash
    assert [(p.id, p.role, p.label) for p in session.participants] == [
        ("p1", Role.SERVICE_USER, "Tester"),
        ("p2", Role.CARER, "Helper"),
        ("p3", Role.CLINICIAN, "Dr Test"),
        ("p4", Role.OBSERVER, "Observer"),
    ]
    assert session.service_user_ref == "TRAIN-9001"
    assert session.carer_consent == CarerConsent.YES
    assert session.carer_took_part()
    assert session.team_talk.options == ("aripiprazole", "stay-current")  # the grid's order
    assert session.team_talk.decision == grid.decision[:200]
    assert session.completed is None


def test_carer_consent_is_left_for_the_clinician_to_ask(grids: dict[str, OptionGrid]) -> None:
    found = load_scenarios(scenario_paths(), grids)
    scenario = found.scenarios["carer-speaks-over"]
    assert scenario.carer_consent is False
    session = start_role_play(scenario, grids[scenario.grid], app_version="0.0.0-test")
    assert session.carer_consent == CarerConsent.NOT_ASKED
    dad = next(p for p in session.participants if p.role == Role.CARER)
    assert dad not in session.voices()
    session = t.set_carer_consent(session, CarerConsent.YES)
    assert dad.id in {p.id for p in session.voices()}


def test_every_shipped_scenario_starts(grids: dict[str, OptionGrid]) -> None:
    found = load_scenarios(scenario_paths(), grids)
    assert found.problems == []
    for scenario in found.scenarios.values():
        session = start_role_play(scenario, grids[scenario.grid], app_version="0.0.0-test")
        assert [p.label for p in session.participants] == [r.label for r in scenario.roles]
        assert set(session.team_talk.options) == set(scenario.options)
        assert session.service_user_ref == scenario.service_user_ref
        assert session.training is not None and session.training.scenario == scenario.id


def test_start_role_play_refuses_another_grid(
    scenario: Scenario, grids: dict[str, OptionGrid]
) -> None:
    with pytest.raises(SessionError, match="is for grid 'antipsychotic-choice'"):
        start_role_play(scenario, grids["tablet-or-injection"], app_version="0.0.0-test")


# Observer scores and notes ---------------------------------------------------------------


def test_five_items_on_a_0_to_4_scale() -> None:
    assert list(OBSERVER_ITEMS) == ["invite", "team", "inform", "elicit", "integrate"]
    assert all(text.strip() and len(text) <= 120 for text in OBSERVER_ITEMS.values())
    assert list(OBSERVER_SCALE) == [0, 1, 2, 3, 4]


def test_score_item_sets_changes_and_clears(session: Session) -> None:
    session = score_item(session, "invite", 3)
    session = score_item(session, "inform", 0)
    assert session.training is not None
    assert session.training.observer_scores == {"invite": 3, "inform": 0}
    session = score_item(session, "invite", 4)
    assert session.training.observer_scores["invite"] == 4
    session = score_item(session, "invite", None)
    assert session.training.observer_scores == {"inform": 0}
    session = score_item(session, "team", None)  # clearing an unscored item is fine
    assert session.training.observer_scores == {"inform": 0}


@pytest.mark.parametrize("bad", [-1, 5, True, 2.5, "3"])
def test_score_item_refuses_a_bad_score(session: Session, bad: object) -> None:
    with pytest.raises(SessionError, match="0 \\(not seen\\) to 4"):
        score_item(session, "invite", bad)  # type: ignore[arg-type]


def test_unknown_items_are_refused(session: Session) -> None:
    with pytest.raises(SessionError, match="Not an observer item: charm"):
        score_item(session, "charm", 2)
    with pytest.raises(SessionError, match="Not an observer item: charm"):
        set_observer_note(session, "charm", "x")


def test_observer_note_is_cleaned_and_blank_clears(session: Session) -> None:
    session = set_observer_note(session, "elicit", "  Asked \x1b[31mabout\x07 weight\u202e \n")
    assert session.training is not None
    assert session.training.observer_notes == {"elicit": "Asked about weight"}
    session = set_observer_note(session, "elicit", "Asked about [b]weight[/b]\nand sport")
    assert session.training.observer_notes["elicit"] == "Asked about [b]weight[/b]\nand sport"
    session = set_observer_note(session, "elicit", "   \n ")
    assert session.training.observer_notes == {}
    session = set_observer_note(session, "team", "x" * 5000)
    assert len(session.training.observer_notes["team"]) == 4000


def test_learning_goals_met_missed_and_cleared(session: Session, scenario: Scenario) -> None:
    session = mark_goal(session, scenario, "invite", True)
    session = mark_goal(session, scenario, "elicit", False)
    assert session.training is not None
    assert session.training.goals_met == {"invite": True, "elicit": False}
    session = mark_goal(session, scenario, "invite", None)
    assert session.training.goals_met == {"elicit": False}
    with pytest.raises(SessionError, match="Not a learning goal of this scenario: nope"):
        mark_goal(session, scenario, "nope", True)
    with pytest.raises(SessionError, match="met \\(True\\), missed \\(False\\)"):
        mark_goal(session, scenario, "invite", "yes")  # type: ignore[arg-type]


def test_goals_of_another_scenario_are_refused(
    session: Session, grids: dict[str, OptionGrid]
) -> None:
    other = load_scenarios(scenario_paths(), grids).scenarios["weight-first-episode"]
    with pytest.raises(SessionError, match="scenario 'test-scenario', not 'weight-first"):
        mark_goal(session, other, other.goals[0].id, True)


def test_scoring_belongs_to_training_only(scenario: Scenario, grids: dict[str, OptionGrid]) -> None:
    clinical = new_session(
        grid_ref=grid_ref(grids[scenario.grid]), app_version="0.0.0-test", now=NOW
    )
    assert clinical.training is None
    for change in (
        lambda s: score_item(s, "invite", 2),
        lambda s: set_observer_note(s, "invite", "x"),
        lambda s: mark_goal(s, scenario, "invite", True),
    ):
        with pytest.raises(SessionError, match="training role-plays only"):
            change(clinical)
    assert observer_total(clinical) == (0, 0)


def test_observer_total(session: Session) -> None:
    assert observer_total(session) == (0, 0)
    session = score_item(session, "invite", 3)
    assert observer_total(session) == (3, 4)
    for item, score in zip(OBSERVER_ITEMS, [4, 2, 0, 1, 3], strict=True):
        session = score_item(session, item, score)
    assert observer_total(session) == (10, 20)


# A whole role-play, saved and read back -------------------------------------------------------


def finished_role_play(session: Session, scenario: Scenario) -> Session:
    session = t.rate_importance(session, "p1", "weight", 4)
    session = t.rate_importance(session, "p2", "weight", 1)
    session = t.set_leaning(session, "p1", "aripiprazole", Leaning.TOWARDS)
    for item, score in zip(OBSERVER_ITEMS, [3, 2, 4, 3, 1], strict=True):
        session = score_item(session, item, score)
    session = set_observer_note(session, "integrate", "Plan not checked back with Tester.")
    session = mark_goal(session, scenario, "invite", True)
    session = mark_goal(session, scenario, "elicit", False)
    session = t.set_certainty(session, "p1", "sure", Answer3.YES)
    session = t.set_feedback(session, "listened", 3)
    session = t.set_decision(
        session,
        outcome=Outcome.CHOSEN,
        option="aripiprazole",
        reason="Weight matters most to me",
        review_date=NOW.date() + timedelta(weeks=6),
        today=NOW.date(),
    )
    return t.complete(session, now=NOW)


def test_finished_role_play_round_trips_with_its_training_block(
    session: Session, scenario: Scenario
) -> None:
    done = finished_role_play(session, scenario)
    data = record.dumps(done)
    table = tomllib.loads(data.decode("utf-8"))
    assert table["mode"] == "training"
    assert table["service_user_ref"] == "TRAIN-9001"
    assert table["training"] == {
        "scenario": "test-scenario",
        "observer_scores": {"invite": 3, "team": 2, "inform": 4, "elicit": 3, "integrate": 1},
        "observer_notes": {"integrate": "Plan not checked back with Tester."},
        "goals_met": {"invite": True, "elicit": False},
    }
    loaded = record.loads(data.decode("utf-8"))
    assert loaded == done
    assert observer_total(loaded) == (13, 20)
    # A finished record is never changed; scores belong before it is finished.
    with pytest.raises(SessionError, match="finished"):
        score_item(loaded, "invite", 0)
