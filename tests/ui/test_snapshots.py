"""Snapshots of every screen at 100x30 and 80x24, on the app's own sdm-calm theme.

Run `pytest tests/ui/test_snapshots.py --snapshot-update` after a deliberate
change to the look, and look at the new SVGs in tests/ui/__snapshots__/ before
committing them. Everything on screen is pinned (see flow/pinned.py): record
id, times, review date, people; the records folder is a temporary one and is
never shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from flow import (
    debrief_session,
    decision_session,
    make_app,
    make_training_app,
    observer_session,
    open_pinned,
    options_session,
    role_play_session,
    settle,
    shipped_grid,
    side_session,
    steady_cursors,
    team_session,
)
from textual.pilot import Pilot
from textual.widgets import OptionList

from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.side import SideBySidePane
from sdm_tui.ui.screens.brief import BriefScreen
from sdm_tui.ui.screens.confirm import ConfirmQuit
from sdm_tui.ui.screens.disagree import DisagreementScreen
from sdm_tui.ui.screens.help import HelpScreen
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.screens.scenario_choice import ChooseScenario
from sdm_tui.ui.screens.start import ChooseGrid

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])

RunBefore = Callable[[Pilot], Awaitable[None]]


def shot(
    snap_compare,
    tmp_path: Path,
    size: tuple[int, int],
    run_before: RunBefore,
    *,
    training: bool = False,
) -> bool:
    app = make_training_app(tmp_path) if training else make_app(tmp_path)

    async def prepare(pilot: Pilot) -> None:
        await settle(pilot)
        await run_before(pilot)
        await settle(pilot)
        steady_cursors(pilot.app)
        await settle(pilot)

    return snap_compare(app, terminal_size=size, run_before=prepare)


def grid_of(pilot: Pilot):
    app = pilot.app
    assert isinstance(app, SdmApp)
    return shipped_grid(app)


# Home and its modals -------------------------------------------------------------


@SIZES
def test_home(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        assert isinstance(pilot.app.screen, HomeScreen)
        drafts = pilot.app.screen.query_one("#drafts", OptionList)
        assert drafts.option_count == 1  # "None: every consultation has been saved."

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_grid_chooser(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("enter")  # "Start a consultation" is highlighted first
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChooseGrid)

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_help(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)

    assert shot(snap_compare, tmp_path, size, run_before)


# The consultation ----------------------------------------------------------------


@SIZES
def test_team_talk(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, team_session(grid_of(pilot)))
        assert pilot.app.screen.current_talk() == "team"

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_option_talk(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, options_session(grid_of(pilot)), "f3")
        assert pilot.app.screen.current_talk() == "options"

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_side_by_side(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, side_session(grid_of(pilot)), "f4")
        assert pilot.app.screen.current_talk() == "side"

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_disagreement_modal(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, side_session(grid_of(pilot)), "f4")
        pilot.app.screen.query_one(SideBySidePane).open_disagreement("importance:weight")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisagreementScreen)

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_decision_talk(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, decision_session(grid_of(pilot)), "f5")
        assert pilot.app.screen.current_talk() == "decision"

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_decision_talk_stances(snap_compare, tmp_path: Path, size) -> None:
    """The same talk scrolled down to where each person stands."""

    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, decision_session(grid_of(pilot)), "f5")
        stances = pilot.app.screen.query_one("#stances")
        assert stances.children  # rebuilt for the three people
        # Its heading ("Where each person stands", a rule and a line) sits just above.
        scroll = pilot.app.screen.query_one("#decision-scroll")
        scroll.scroll_to(y=stances.virtual_region.y - 2, animate=False)
        await settle(pilot)

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_summary_before_saving(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, decision_session(grid_of(pilot)), "f6")
        assert pilot.app.screen.current_talk() == "summary"
        assert pilot.app.screen.session.completed is None

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_quit_confirmation(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, team_session(grid_of(pilot)))
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmQuit)

    assert shot(snap_compare, tmp_path, size, run_before)


# Reviewing past records ------------------------------------------------------------


async def open_review(pilot: Pilot, *keys: str) -> None:
    """The review screen on the review archive (fixed seed and today), folder checked."""
    from flow import REVIEW_TODAY, review_archive

    from sdm_tui.ui.screens.review import ReviewScreen

    app = pilot.app
    assert isinstance(app, SdmApp)
    review_archive(app.store.root)
    await app.push_screen(ReviewScreen(today=REVIEW_TODAY))
    await settle(pilot)
    await app.workers.wait_for_complete()
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await app.workers.wait_for_complete()


@SIZES
def test_review_list(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_review(pilot, "m", "m")  # all records, training ones too
        assert "records · all modes" in str(pilot.app.screen.query_one("#review-status").render())

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_record_view(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        from sdm_tui.ui.screens.record_view import RecordViewScreen

        await open_review(pilot, "down", "enter")  # TEST-0042's latest record
        assert isinstance(pilot.app.screen, RecordViewScreen)
        assert pilot.app.screen.session.record_id == "tst042000003"

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_person_timeline(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        from sdm_tui.ui.screens.timeline import TimelineScreen

        await open_review(pilot, "down", "t")
        assert isinstance(pilot.app.screen, TimelineScreen)

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_comparison(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        from sdm_tui.ui.screens.compare import CompareScreen

        await open_review(pilot, "down", "t", "c")  # the last two of TEST-0042
        assert isinstance(pilot.app.screen, CompareScreen)

    assert shot(snap_compare, tmp_path, size, run_before)


@SIZES
def test_clinic_view(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        from sdm_tui.ui.screens.clinic import ClinicScreen

        await open_review(pilot, "m", "m", "c")
        assert isinstance(pilot.app.screen, ClinicScreen)
        assert pilot.app.screen.stats is not None

    assert shot(snap_compare, tmp_path, size, run_before)


# Training role-plays (the example grid and the test scenarios) ------------------------


@SIZES
def test_scenario_chooser(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("down", "down", "enter")  # "Start a training role-play"
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChooseScenario)

    assert shot(snap_compare, tmp_path, size, run_before, training=True)


@SIZES
def test_role_play_brief(snap_compare, tmp_path: Path, size) -> None:
    """Sam's private brief, shown over team talk (F7, Sam, Enter)."""

    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, role_play_session(pilot.app))
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, BriefScreen)

    assert shot(snap_compare, tmp_path, size, run_before, training=True)


@SIZES
def test_observer_talk(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, observer_session(pilot.app), "f8")
        assert pilot.app.screen.current_talk() == "observer"

    assert shot(snap_compare, tmp_path, size, run_before, training=True)


@SIZES
def test_debrief(snap_compare, tmp_path: Path, size) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_pinned(pilot, debrief_session(pilot.app), "f9")
        assert pilot.app.screen.current_talk() == "debrief"

    assert shot(snap_compare, tmp_path, size, run_before, training=True)


# Every talk at three sizes: 60x20 (narrow), 80x24 and 120x40 ----------------------
# 80x24 is drawn by the tests of each talk above (the same sessions and keys gave
# byte-identical pictures), so here only the narrow and the wide one.

NARROW_AND_WIDE = [(60, 20), (120, 40)]
TALK_SHOTS = {
    "team": ("f2", team_session, False),
    "options": ("f3", options_session, False),
    "side": ("f4", side_session, False),
    "decision": ("f5", decision_session, False),
    "summary": ("f6", decision_session, False),
    "observer": ("f8", observer_session, True),
    "debrief": ("f9", debrief_session, True),
}


@pytest.mark.parametrize("size", NARROW_AND_WIDE, ids=[f"{w}x{h}" for w, h in NARROW_AND_WIDE])
@pytest.mark.parametrize("talk", list(TALK_SHOTS))
def test_talk_at_three_sizes(snap_compare, tmp_path: Path, talk: str, size) -> None:
    key, make_session, training = TALK_SHOTS[talk]

    async def run_before(pilot: Pilot) -> None:
        source = pilot.app if training else grid_of(pilot)
        await open_pinned(pilot, make_session(source), key)
        assert pilot.app.screen.current_talk() == talk

    assert shot(snap_compare, tmp_path, size, run_before, training=training)
