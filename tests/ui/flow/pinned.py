"""Pinned sessions and apps for the snapshot tests (test_snapshots.py, test_narrow.py).

Everything that reaches the screen is pinned: the record id, the created and
updated times (shown as "Draft saved at HH:MM:SS", local time, with the time zone
pinned to UTC in conftest.py, and as the summary's date),
the review date (otherwise decision talk proposes six weeks from today), and the
people (invented: "Service user", "Dr Test", "Carer"; reference TEST-0001).

Transitions stamp `updated` with the real clock, so every session is built in
full first and then pinned with `pin()`. The screen is pushed only after that,
and `run_before` helpers check that nothing changed the session on the way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import load_scenarios, scenario_paths
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Leaning,
    Outcome,
    Role,
    Session,
    Stance,
    grid_ref,
    new_session,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.core.training import mark_goal, score_item, set_observer_note, start_role_play
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.consult import ConsultationScreen

TESTS = Path(__file__).resolve().parents[2]  # tests/ (this file: tests/ui/flow/pinned.py)
SHIPPED = TESTS.parent / "option_grids"
DATA = TESTS / "data"
SCENARIOS = DATA / "scenarios-ui"  # invented role-plays on the example grid
GRID_ID = "antipsychotic-choice"

FIXED = datetime(2026, 11, 2, 10, 30, 15, tzinfo=UTC)
REVIEW = date(2099, 1, 15)
RECORD_ID = "snap00000001"
REFERENCE = "TEST-0001"

SU, DR, CARER = "p1", "p2", "p3"  # ids in the order the people are added


# The app ---------------------------------------------------------------------


def make_app(tmp_path: Path) -> SdmApp:
    """The real app on the shipped grids and an empty records folder under tmp_path."""
    store = RecordStore(tmp_path / "records")
    store.ensure()
    return SdmApp(store, load_catalog(SHIPPED))


def make_training_app(tmp_path: Path) -> SdmApp:
    """The app on the example grid with the test scenarios (stable, unlike shipped ones)."""
    store = RecordStore(tmp_path / "records")
    store.ensure()
    catalog = load_catalog(DATA)
    scenarios = load_scenarios(scenario_paths(SCENARIOS), catalog.grids)
    return SdmApp(store, catalog, scenarios=scenarios, scenarios_dir=SCENARIOS)


def shipped_grid(app: SdmApp) -> OptionGrid:
    grid = app.catalog.get(GRID_ID)
    assert grid is not None
    return grid


# Sessions ----------------------------------------------------------------------


def pin(session: Session) -> Session:
    """Fix the times shown on screen, and the review date (never "today + 6 weeks")."""
    decision = session.decision.model_copy(update={"review_date": REVIEW})
    return session.model_copy(update={"created": FIXED, "updated": FIXED, "decision": decision})


def team_session(grid: OptionGrid, options: int = 2) -> Session:
    """Three people, the carer agreed to, the reference typed, `options` chosen."""
    s = new_session(grid_ref=grid_ref(grid), app_version="snap", now=FIXED, record_id=RECORD_ID)
    s = t.set_team_talk(s, decision=grid.decision)
    s = t.add_participant(s, Role.SERVICE_USER, "Service user")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    s = t.add_participant(s, Role.CARER, "Carer")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, REFERENCE)
    s = t.choose_options(s, [o.id for o in grid.options][:options])
    return pin(s)


def options_session(grid: OptionGrid) -> Session:
    """Three options, some ratings and leanings; no two people far apart."""
    s = team_session(grid, options=3)
    first, second, third = s.team_talk.options
    s = t.set_team_talk(s, what_matters="Not putting on weight. Being able to work.")
    s = t.rate_importance(s, SU, "works", 4)
    s = t.rate_importance(s, SU, "weight", 3)
    s = t.rate_importance(s, SU, "sleepy", 2)
    s = t.rate_importance(s, DR, "works", 4)
    s = t.rate_importance(s, DR, "weight", 2)
    s = t.set_leaning(s, SU, first, Leaning.TOWARDS)
    s = t.set_leaning(s, SU, second, Leaning.OPEN)
    s = t.set_leaning(s, SU, third, Leaning.UNSURE)
    s = t.add_note(s, SU, "I want to keep my job.")
    return pin(s)


def side_session(grid: OptionGrid) -> Session:
    """Two marked disagreements: one still open (importance), one talked through."""
    s = options_session(grid)
    first, second, _ = s.team_talk.options
    s = t.rate_importance(s, CARER, "weight", 0)  # 3 v 0: they differ
    s = t.rate_importance(s, CARER, "works", 3)
    s = t.set_leaning(s, DR, second, Leaning.TOWARDS)
    s = t.set_leaning(s, CARER, second, Leaning.AWAY)  # towards v away: they differ
    s = t.set_leaning(s, DR, first, Leaning.OPEN)
    s = t.set_view(s, f"leaning:{second}", CARER, "I saw the side effects last time.")
    s = t.set_view(s, f"leaning:{second}", DR, "It is worth another try at a lower dose.")
    s = t.set_disagreement_status(s, f"leaning:{second}", True)
    s = t.set_view(s, "importance:weight", SU, "Weight matters a lot to me.")
    return pin(s)


def decision_session(grid: OptionGrid) -> Session:
    """The first option chosen, a reason, everyone's stance and some next steps."""
    s = side_session(grid)
    first = s.team_talk.options[0]
    s = t.set_decision(s, outcome=Outcome.CHOSEN, option=first)
    s = t.set_decision(s, reason="It should not make me put on weight, and I can still work.")
    s = t.set_stance(s, SU, Stance.AGREE)
    s = t.set_stance(s, DR, Stance.AGREE)
    s = t.set_stance(s, CARER, Stance.GO_ALONG)
    s = t.set_next_steps(s, ["Start at a low dose", "Blood test in 4 weeks"])
    s = t.set_certainty(s, SU, "know", Answer3.YES)
    s = t.set_certainty(s, SU, "sure", Answer3.UNSURE)
    return pin(s)


def role_play_session(app: SdmApp) -> Session:
    """The "Worried about weight gain" role-play, just started (Sam, Dr Lee, Jo, Observer)."""
    scenario = app.scenarios.get("weight-worry")
    assert scenario is not None
    grid = app.catalog.get(scenario.grid)
    s = start_role_play(scenario, grid, app_version="snap", now=FIXED)
    return pin(s.model_copy(update={"record_id": RECORD_ID}))


def observer_session(app: SdmApp) -> Session:
    """Three items scored (one with a note) and two goals marked."""
    scenario = app.scenarios.get("weight-worry")
    s = role_play_session(app)
    s = score_item(s, "invite", 3)
    s = score_item(s, "team", 2)
    s = score_item(s, "inform", 4)
    s = set_observer_note(s, "invite", "Asked Sam first, then Jo.")
    s = mark_goal(s, scenario, "ask-what-matters", True)
    s = mark_goal(s, scenario, "hear-the-carer", False)
    return pin(s)


def debrief_session(app: SdmApp) -> Session:
    """The observer's work, the service user's feedback and some certainty answers."""
    s = observer_session(app)
    sam, lee, jo = (p.id for p in s.participants[:3])
    s = set_observer_note(s, "team", "Jo answered for Sam twice.")
    s = t.set_feedback(s, "understand", 3)
    s = t.set_feedback(s, "listened", 4)
    s = t.set_certainty(s, sam, "know", Answer3.YES)
    s = t.set_certainty(s, sam, "sure", Answer3.UNSURE)
    s = t.set_certainty(s, lee, "know", Answer3.YES)
    s = t.set_certainty(s, jo, "sure", Answer3.NO)
    s = t.set_decision(s, outcome=Outcome.DEFERRED)
    return pin(s)


# Driving the app -----------------------------------------------------------------


def steady_cursors(app: SdmApp) -> None:
    """No blinking: a text cursor is either always shown (focused) or not at all."""
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False


async def settle(pilot: Pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def open_pinned(pilot: Pilot, session: Session, talk_key: str = "") -> None:
    """Push the consultation with `session` (already pinned), then open a talk by key,
    and check that nothing changed the session on the way."""
    app = pilot.app
    assert isinstance(app, SdmApp)
    grid = app.catalog.get(session.grid.id)
    app.store.claim_draft(session.record_id)
    await app.push_screen(ConsultationScreen(app.store, grid, session))
    await settle(pilot)
    if talk_key:
        await pilot.press(talk_key)
        await settle(pilot)
    check_pinned(app, session)


def check_pinned(app: SdmApp, session: Session) -> None:
    """Opening the screen must not have changed the session (or the times on screen would)."""
    consult = app.consultation()
    assert consult is not None
    assert consult.session.updated == FIXED, "a transition ran after pinning"
    assert consult.session == session
