"""The reading view's text: the grid and each person's views, question by question."""

from __future__ import annotations

from pathlib import Path

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.linear import grid_blocks, render, session_blocks
from sdm_tui.core.session import CarerConsent, Leaning, Role, grid_ref, new_session
from sdm_tui.core.transitions import (
    add_participant,
    choose_options,
    rate_importance,
    set_carer_consent,
    set_leaning,
)

DATA = Path(__file__).resolve().parent.parent / "data"
GRID = load_catalog(DATA).get("example-grid")


def make_session(*, carer_consent: CarerConsent = CarerConsent.YES):  # type: ignore[no-untyped-def]
    assert GRID is not None
    session = new_session(grid_ref=grid_ref(GRID), app_version="test")
    session = add_participant(session, Role.SERVICE_USER, "Zoë Example")
    session = add_participant(session, Role.CLINICIAN, "Dr Invented")
    session = add_participant(session, Role.CARER, "Sam Madeup")
    session = set_carer_consent(session, carer_consent)
    return choose_options(session, ["tablet-a", "no-change"])


def test_the_grid_reads_question_by_question_with_levels_in_words() -> None:
    assert GRID is not None
    text = render(grid_blocks(GRID))
    assert "Options: Tablet A, Tablet B, No change." in text
    assert (
        "Will I put on weight?\n"
        "  Tablet A, low: Small weight gain is common.\n"
        "  Tablet B, high: Weight gain is common and can be large.\n"
        "  No change, none: No new effect on weight.\n"
    ) in text
    assert text.isascii()  # words, no symbols (the example grid has no other letters)


def test_only_the_chosen_options_and_every_person_s_views_in_words() -> None:
    assert GRID is not None
    session = make_session()
    su, doc, carer = session.participants
    session = rate_importance(session, su.id, "weight", 4)
    session = rate_importance(session, carer.id, "weight", 0)
    session = set_leaning(session, su.id, "tablet-a", Leaning.AWAY)
    session = set_leaning(session, doc.id, "tablet-a", Leaning.TOWARDS)
    session = set_leaning(session, carer.id, "no-change", Leaning.UNSURE)
    text = render(session_blocks(session, GRID))
    assert "Options compared: Tablet A, No change." in text
    assert "Tablet B" not in text
    assert (
        "Will I put on weight?\n"
        "  Tablet A, low: Small weight gain is common.\n"
        "  No change, none: No new effect on weight.\n"
        "  How much it matters to Zoë Example (service user): 4 of 4, most important.\n"
        "  How much it matters to Dr Invented (clinician): not discussed.\n"
        "  How much it matters to Sam Madeup (carer or supporter): 0 of 4, not important.\n"
    ) in text
    assert (
        "Leanings on Tablet A:\n"
        "  Zoë Example (service user) leans away from it.\n"
        "  Dr Invented (clinician) leans towards it.\n"
        "  Sam Madeup (carer or supporter) has not said.\n"
    ) in text
    assert "Dr Invented (clinician) leans towards it." in text
    assert "Zoë Example (service user) leans away from it." in text
    assert "is unsure." in text


def test_a_carer_without_consent_is_not_read_out() -> None:
    assert GRID is not None
    text = render(session_blocks(make_session(carer_consent=CarerConsent.NO), GRID))
    assert "Sam Madeup" not in text
    assert "Zoë Example" in text


def test_with_no_one_yet_it_says_so_and_still_reads_the_grid() -> None:
    assert GRID is not None
    session = choose_options(
        new_session(grid_ref=grid_ref(GRID), app_version="test"), ["tablet-a", "tablet-b"]
    )
    text = render(session_blocks(session, GRID))
    assert "No one's views are recorded yet" in text
    assert "  Tablet B, high: Weight gain is common and can be large." in text
    assert "Leanings" not in text


def test_wrapping_keeps_the_indent_and_leaves_no_trailing_blank() -> None:
    assert GRID is not None
    text = render(grid_blocks(GRID), width=30)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 30
    assert all(line == line.rstrip() for line in lines)
    assert "  Tablet B, high: Weight gain\n    is common and can be\n    large." in text
