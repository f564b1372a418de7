"""The reading view: option talk's r shows the chosen options question by question,
with each person's ratings and leanings in words; r or Escape goes back."""

from __future__ import annotations

from flow import open_consultation

from sdm_tui.core.session import Leaning, Role, grid_ref, new_session
from sdm_tui.core.transitions import add_participant, choose_options, rate_importance, set_leaning
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.options import OptionTalkPane
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.reading import ReadingScreen


def make_session(app: SdmApp):  # type: ignore[no-untyped-def]
    grid = app.catalog.get("example-grid")
    assert grid is not None
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    session = add_participant(session, Role.SERVICE_USER, "Zoë Example")
    session = add_participant(session, Role.CLINICIAN, "Dr Invented")
    session = choose_options(session, ["tablet-a", "tablet-b"])
    su, doc = session.participants
    session = rate_importance(session, su.id, "weight", 4)
    session = set_leaning(session, su.id, "tablet-b", Leaning.AWAY)
    session = set_leaning(session, doc.id, "tablet-a", Leaning.TOWARDS)
    return session


async def test_r_in_option_talk_opens_the_reading_view_and_goes_back(
    example_app: SdmApp,
) -> None:
    app = example_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_consultation(app, pilot, make_session(app), "f3")
        assert app.screen.query_one(OptionTalkPane).table.has_focus
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadingScreen)
        text = screen.plain
        assert "Options compared: Tablet A, Tablet B." in text
        assert "Will I put on weight?" in text
        assert "Tablet B, high: Weight gain is common and can be large." in text
        assert "How much it matters to Zoë Example (service user): 4 of 4, most" in text
        assert "Dr Invented (clinician) leans towards it." in text
        assert "Zoë Example (service user) leans away from it." in text
        assert "No change" not in text  # not one of the chosen options
        shown = str(screen.query_one("#reading-text").render())
        assert "Will I put on weight?" in shown
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)


async def test_the_reading_view_wraps_to_a_narrow_screen(example_app: SdmApp) -> None:
    app = example_app
    async with app.run_test(size=(60, 20)) as pilot:
        await open_consultation(app, pilot, make_session(app), "f3")
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadingScreen)
        lines = screen.plain.splitlines()
        assert max(len(line) for line in lines) <= 60 - 4
        at = next(i for i, line in enumerate(lines) if line.startswith("  Tablet B, high:"))
        assert lines[at + 1].startswith("    ") and "large." in lines[at + 1]  # wrapped, indented
