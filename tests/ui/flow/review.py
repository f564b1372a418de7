"""The review archive: hand-made clinical records over time and synthetic training
records (fixed seed), for test_review.py, the review snapshots and the ASCII mode
test; and opening the review screen on it. "Today" is pinned, so the review-date
flags are the same on every run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from textual.pilot import Pilot

from flow.pinned import CARER, DR, GRID_ID, SHIPPED, SU
from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.index import IndexRow
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Leaning,
    Outcome,
    Role,
    Session,
    grid_ref,
    new_session,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.review import ReviewScreen
from sdm_tui.ui.widgets.virtual_list import VirtualList

REVIEW_TODAY = date(2026, 11, 2)  # "today" for review screens: flags and overdue reviews
REVIEW_SEED = 7
REVIEW_REF = "TEST-0042"  # three clinical records over time
OTHER_REF = "TEST-0007"  # one clinical record


def _clinical(
    grid: OptionGrid,
    record_id: str,
    day: date,
    *,
    reference: str,
    rate: dict[str, dict[str, int]],
    lean: dict[str, dict[str, Leaning]],
    outcome: Outcome,
    option: str = "",
    reason: str = "",
    review_weeks: int = 6,
    carer: bool = False,
) -> Session:
    """A finished clinical record made through the real transitions, all times pinned."""
    from datetime import time, timedelta

    start = datetime.combine(day, time(10, 0), UTC)
    s = new_session(grid_ref=grid_ref(grid), app_version="snap", now=start, record_id=record_id)
    s = t.set_team_talk(s, decision=grid.decision)
    s = t.add_participant(s, Role.SERVICE_USER, "Service user")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    if carer:
        s = t.add_participant(s, Role.CARER, "Carer")
        s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, reference)
    s = t.choose_options(s, ["olanzapine", "aripiprazole", "stay-current"])
    for person, ratings in rate.items():
        for question, value in ratings.items():
            s = t.rate_importance(s, person, question, value)
    for person, leanings in lean.items():
        for option_id, leaning in leanings.items():
            s = t.set_leaning(s, person, option_id, leaning)
    s = t.set_decision(s, outcome=outcome, option=option or None, reason=reason)
    s = t.set_decision(s, review_date=day + timedelta(weeks=review_weeks), today=day)
    s = t.set_certainty(s, SU, "know", Answer3.YES)
    s = t.set_certainty(s, SU, "sure", Answer3.UNSURE)
    s = t.set_feedback(s, "listened", 3)
    return t.complete(s, now=start + timedelta(minutes=40))


def clinical_records(grid: OptionGrid) -> list[Session]:
    """TEST-0042 three times (views change, one review kept, one missed) and TEST-0007 once."""
    first = _clinical(
        grid,
        "tst042000001",
        date(2026, 3, 2),
        reference=REVIEW_REF,
        rate={SU: {"weight": 1, "works": 4}, DR: {"weight": 2, "works": 4}},
        lean={SU: {"olanzapine": Leaning.TOWARDS, "aripiprazole": Leaning.OPEN}},
        outcome=Outcome.CHOSEN,
        option="olanzapine",
        reason="It worked for me before.",
    )
    second = _clinical(  # seven days after the review date: kept
        grid,
        "tst042000002",
        date(2026, 4, 20),
        reference=REVIEW_REF,
        rate={SU: {"weight": 4, "works": 4}, DR: {"weight": 3, "works": 4}},
        lean={SU: {"olanzapine": Leaning.AWAY, "aripiprazole": Leaning.TOWARDS}},
        outcome=Outcome.CHOSEN,
        option="aripiprazole",
        reason="Weight matters more to me now.",
    )
    third = _clinical(  # months after the review date: missed; its own review has passed
        grid,
        "tst042000003",
        date(2026, 9, 7),
        reference=REVIEW_REF,
        rate={SU: {"weight": 4, "works": 3}, DR: {"weight": 3}, CARER: {"weight": 0}},
        lean={SU: {"aripiprazole": Leaning.TOWARDS}},
        outcome=Outcome.DEFERRED,
        reason="I want to talk to my family first.",
        carer=True,
    )
    other = _clinical(
        grid,
        "tst007000001",
        date(2026, 10, 1),
        reference=OTHER_REF,
        rate={SU: {"sleepy": 4}},
        lean={SU: {"stay-current": Leaning.TOWARDS}},
        outcome=Outcome.NO_AGREEMENT,
        reason="I need to think about my sleep first.",
        review_weeks=8,
    )
    return [first, second, third, other]


def review_archive(root: Path, synthetic: int = 120) -> list[Session]:
    """Synthetic training records (fixed seed) and the hand-made clinical ones, saved.

    Returns the clinical sessions. Synthetic records go first: write_synthetic
    refuses a folder that already holds clinical records.
    """
    from sdm_tui.core.summary import summary_markdown
    from sdm_tui.core.synth import write_synthetic

    catalog = load_catalog(SHIPPED)
    write_synthetic(root, synthetic, REVIEW_SEED, catalog.grids)
    grid = catalog.get(GRID_ID)
    assert grid is not None
    store = RecordStore(root)
    sessions = clinical_records(grid)
    for session in sessions:
        store.save_finished(session, summary_markdown(session, grid))
    return sessions


def review_app(root: Path) -> SdmApp:
    """The app on the shipped grids and the records folder `root`."""
    return SdmApp(RecordStore(root), load_catalog(SHIPPED))


async def checked(pilot: Pilot) -> None:
    """Until the review screen's background work is done: the folder check, then the
    check of every file it starts when that ends (in the app's thread, so after the
    first wait), and a search."""
    app = pilot.app
    await pilot.pause()
    for _ in range(100):  # a bound against a hang, not a timing check
        await app.workers.wait_for_complete()
        await pilot.pause()
        review = next((s for s in app.screen_stack if isinstance(s, ReviewScreen)), None)
        if review is None or not (review.checking or review.verifying):
            break
    await pilot.pause()


async def open_review(pilot: Pilot) -> ReviewScreen:
    """Push the review screen ("today" pinned) and wait until it has checked the folder."""
    screen = ReviewScreen(today=REVIEW_TODAY)
    await pilot.app.push_screen(screen)
    await checked(pilot)
    return screen


def rows_of(screen: ReviewScreen) -> list[IndexRow]:
    """The rows the review list holds, top to bottom."""
    rows = screen.query_one("#review-list", VirtualList)
    return [rows.row_at(i) for i in range(rows.count)]  # type: ignore[misc]
