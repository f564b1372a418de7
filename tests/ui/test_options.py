"""Option talk: real key presses and clicks, checked against the session and the draft."""

from __future__ import annotations

import pytest
from flow import open_consultation, type_text
from textual.coordinate import Coordinate
from textual.widgets import Static, TextArea

from sdm_tui.core import record
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import CarerConsent, Leaning, Role, Session, grid_ref, new_session
from sdm_tui.core.transitions import add_note, add_participant, choose_options, set_carer_consent
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.options import (
    FIRST_OPTION_COL,
    LEAN_ROW,
    OptionTalkPane,
    fit_lines,
    plan_columns,
)
from sdm_tui.ui.screens.answer import AnswerScreen
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.note import NoteScreen
from sdm_tui.ui.widgets.person_bar import PersonBar

HOSTILE = "[@click=app.quit]x[/]"


def make_session(
    grid: OptionGrid,
    *,
    options: int = 3,
    labels: tuple[str, ...] = ("Service user", "Dr Test"),
    carer: str = "",
) -> Session:
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    session = add_participant(session, Role.SERVICE_USER, labels[0])
    session = add_participant(session, Role.CLINICIAN, labels[1])
    if carer:
        session = add_participant(session, Role.CARER, carer)
        session = set_carer_consent(session, CarerConsent.YES)
    return choose_options(session, [o.id for o in grid.options][:options])


async def open_options(app: SdmApp, pilot, grid: OptionGrid, session: Session) -> OptionTalkPane:
    await open_consultation(app, pilot, session, "f3")
    await pilot.pause()
    pane = app.screen.query_one(OptionTalkPane)
    assert pane.table.row_count == len(grid.questions) + 1
    return pane


def cell(pane: OptionTalkPane, row: str, column: str) -> str:
    """A cell's text on one line (cells wrap)."""
    return " ".join(pane.table.get_cell(row, column).plain.split())


def draft(app: SdmApp, session: Session) -> Session:
    return record.load(app.store.draft_path(session.record_id))


def person(session: Session, label: str):
    return next(p for p in session.participants if p.label == label)


def example_grid(app: SdmApp) -> OptionGrid:
    return app.catalog.get("example-grid")


def shipped_grid(app: SdmApp) -> OptionGrid:
    return app.catalog.get("antipsychotic-choice")


# Pure helpers ----------------------------------------------------------------


def test_columns_page_at_80_and_all_fit_at_200() -> None:
    question, importance, option = plan_columns(78, 6)
    assert option >= 13
    assert (78 - question - importance - 4) // (option + 2) == 3  # three options at 80
    question, importance, option = plan_columns(58, 6)
    assert (58 - question - importance - 4) // (option + 2) == 2  # two at 60
    question, importance, option = plan_columns(198, 6)
    assert question + importance + 4 + 6 * (option + 2) <= 198


def test_fit_lines_marks_cut_text() -> None:
    lines = fit_lines("one two three four five six seven eight", 10, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(len(line) <= 10 for line in lines)


# Keys -------------------------------------------------------------------------


async def test_arrows_move_and_rating_goes_to_session_and_draft(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        pane = await open_options(example_app, pilot, grid, session)
        table = pane.table
        assert table.has_focus
        assert table.cursor_coordinate == Coordinate(1, FIRST_OPTION_COL)
        await pilot.press("down", "right")
        assert table.cursor_coordinate == Coordinate(2, FIRST_OPTION_COL + 1)
        await pilot.press("up", "left")
        assert table.cursor_coordinate == Coordinate(1, FIRST_OPTION_COL)
        await pilot.press("down")
        question = grid.questions[1].id
        await pilot.press("3")
        await pilot.pause()
        live = example_app.screen.session
        assert person(live, "Service user").importance == {question: 3}
        assert person(live, "Dr Test").importance == {}
        assert person(draft(example_app, session), "Service user").importance == {question: 3}
        # the cursor stays where it was, and the cell shows the rating in words
        assert table.cursor_coordinate == Coordinate(2, FIRST_OPTION_COL)
        assert "3 · very" in cell(pane, question, "importance")
        await pilot.press("minus")
        await pilot.pause()
        assert person(example_app.screen.session, "Service user").importance == {}
        assert person(draft(example_app, session), "Service user").importance == {}
        assert "not discussed" in cell(pane, question, "importance")


async def test_leaning_on_the_current_column(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        pane = await open_options(example_app, pilot, grid, session)
        await pilot.press("right", "t")
        await pilot.pause()
        second = example_app.screen.session.team_talk.options[1]
        leanings = person(example_app.screen.session, "Service user").leanings
        assert leanings == {second: Leaning.TOWARDS}
        assert person(draft(example_app, session), "Service user").leanings == leanings
        assert "▲ towards" in cell(pane, LEAN_ROW, second)
        await pilot.press("a")
        await pilot.pause()
        assert person(example_app.screen.session, "Service user").leanings == {second: Leaning.AWAY}
        # leaning needs an option's column; in the question column nothing changes
        await pilot.press("left", "left", "o")
        await pilot.pause()
        assert person(example_app.screen.session, "Service user").leanings == {second: Leaning.AWAY}


async def test_p_switches_person_and_next_rating_goes_to_them(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        pane = await open_options(example_app, pilot, grid, session)
        bar = pane.query_one(PersonBar)
        assert bar.who == "Service user (service user)"
        await pilot.press("p")
        await pilot.pause()
        assert bar.who == "Dr Test (clinician)"
        await pilot.press("4")
        await pilot.pause()
        live = example_app.screen.session
        first = grid.questions[0].id
        assert person(live, "Dr Test").importance == {first: 4}
        assert person(live, "Service user").importance == {}
        await pilot.press("P")
        await pilot.pause()
        assert bar.who == "Service user (service user)"
        # the importance column now shows the service user's (empty) rating
        assert "not discussed" in cell(pane, first, "importance")


async def test_person_bar_click_switches(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        pane = await open_options(example_app, pilot, grid, session)
        bar = pane.query_one(PersonBar)
        assert bar.labels() == ["▶ Service user", "  Dr Test"]
        dr_test = person(session, "Dr Test").id
        await pilot.click(bar, offset=bar.offset_of(dr_test))
        await pilot.pause()
        assert example_app.screen.active == dr_test
        assert bar.who == "Dr Test (clinician)"
        assert bar.labels() == ["  Service user", "▶ Dr Test"]  # marked, not only coloured
        assert "Recording for: Dr Test (clinician)" in str(bar.render())
        assert pane.table.has_focus  # a click on a person keeps the focus on the grid
        await pilot.press("2")
        await pilot.pause()
        first = grid.questions[0].id
        assert person(draft(example_app, session), "Dr Test").importance == {first: 2}


async def test_note_and_question_in_own_words(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        await open_options(example_app, pilot, grid, session)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(example_app.screen, NoteScreen)
        example_app.screen.query_one(TextArea).insert("I worry about my weight")
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(example_app.screen, ConsultationScreen)
        notes = person(example_app.screen.session, "Service user").notes
        assert notes == ("I worry about my weight",)
        assert person(draft(example_app, session), "Service user").notes == notes
        # a question to ask, typed with real keys and saved with ctrl+s
        await pilot.press("q")
        await pilot.pause()
        await type_text(pilot, "Can I drive?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert person(example_app.screen.session, "Service user").questions == ("Can I drive?",)
        # Escape cancels and stores nothing
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "never mind")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(example_app.screen, ConsultationScreen)
        assert person(example_app.screen.session, "Service user").notes == notes


async def test_enter_opens_the_whole_answer_and_escape_closes(shipped_app: SdmApp) -> None:
    async with shipped_app.run_test(size=(100, 30)) as pilot:
        grid = shipped_grid(shipped_app)
        session = make_session(grid)
        pane = await open_options(shipped_app, pilot, grid, session)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = shipped_app.screen
        assert isinstance(screen, AnswerScreen)
        question = grid.questions[1]
        option = session.team_talk.options[0]
        answer = grid.answer(question.id, option)
        shown = screen.text.plain
        assert answer.text in shown
        assert question.text in shown
        assert grid.source(answer.sources[0]).citation in shown
        assert f"Published {grid.published:%d %B %Y}" in shown
        assert f"reviewed by {grid.review_by:%d %B %Y}" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(shipped_app.screen, ConsultationScreen)
        assert shipped_app.screen.current_talk() == "options"
        assert pane.table.cursor_coordinate == Coordinate(2, FIRST_OPTION_COL)


async def test_click_moves_the_cursor(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid)
        pane = await open_options(example_app, pilot, grid, session)
        table = pane.table
        # the second option's cell on the second question (header 2 lines, leaning row 1)
        x, y = table.cell_offset(2, FIRST_OPTION_COL + 1)
        assert x == sum(c.render_width for c in table.columns[:3])
        assert y == 2 + 1 + table.rows[1].height
        await pilot.click(table, offset=(x + 3, y + 1))
        await pilot.pause()
        assert table.cursor_coordinate == Coordinate(2, FIRST_OPTION_COL + 1)
        assert "Tablet B" in str(pane.query_one("#opt-detail", Static).visual)
        assert isinstance(example_app.screen, ConsultationScreen)


# Layout and safety -------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_shipped_grid_six_options_at_80x24_and_200x60(shipped_app: SdmApp, size) -> None:
    async with shipped_app.run_test(size=size) as pilot:
        grid = shipped_grid(shipped_app)
        session = make_session(grid, options=6, carer="Mum")
        pane = await open_options(shipped_app, pilot, grid, session)
        table = pane.table
        widths = [c.render_width for c in table.columns]
        assert min(widths[FIRST_OPTION_COL:]) >= 15  # never squashed below 13 + padding
        if size == (80, 24):
            assert sum(widths) > table.size.width  # columns scroll sideways
            await pilot.press("right", "right", "right", "right", "right")
            assert table.cursor_coordinate == Coordinate(1, 7)
            assert table.scroll_x > 0
        else:
            assert sum(widths) <= table.size.width  # all six fit
        await pilot.press("2", "t", "p", "enter")
        await pilot.pause()
        assert isinstance(shipped_app.screen, AnswerScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        live = shipped_app.screen.session
        column = table.cursor_coordinate.column - FIRST_OPTION_COL
        assert person(live, "Service user").importance == {grid.questions[0].id: 2}
        assert person(live, "Service user").leanings == {
            live.team_talk.options[column]: Leaning.TOWARDS
        }
        assert shipped_app.screen.active == person(live, "Dr Test").id


async def test_hostile_label_and_note_show_literally(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = make_session(grid, labels=(HOSTILE, "[b]Dr[/b]"))
        session = add_note(session, session.participants[0].id, "[/b]")
        pane = await open_options(example_app, pilot, grid, session)
        bar = pane.query_one(PersonBar)
        assert bar.who == f"{HOSTILE} (service user)"
        assert f"Recording for: {HOSTILE} (service user)" in str(bar.render())
        assert bar.labels() == [f"▶ {HOSTILE}", "  [b]Dr[/b]"]
        assert pane.table.get_cell(LEAN_ROW, "question").plain.startswith("[@click")
        await pilot.click(bar, offset=bar.offset_of(person(session, HOSTILE).id))
        await pilot.pause()
        await pilot.press("3", "n")
        await pilot.pause()
        assert isinstance(example_app.screen, NoteScreen)
        await type_text(pilot, "[/b] [@click=app.quit]y[/]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert example_app.is_running
        notes = person(example_app.screen.session, HOSTILE).notes
        assert notes == ("[/b]", "[/b] [@click=app.quit]y[/]")
        assert person(example_app.screen.session, HOSTILE).importance


async def test_no_people_says_add_people_first(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = new_session(grid_ref=grid_ref(grid), app_version="test")
        session = choose_options(session, [o.id for o in grid.options][:2])
        pane = await open_options(example_app, pilot, grid, session)
        assert "Add people in team talk first" in pane.query_one(PersonBar).who
        await pilot.press("3", "t", "n", "p")
        await pilot.pause()
        assert isinstance(example_app.screen, ConsultationScreen)
        assert example_app.screen.session.participants == ()


async def test_too_few_options_say_so_and_lead_to_team_talk(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_grid(example_app)
        session = new_session(grid_ref=grid_ref(grid), app_version="test")
        example_app.store.claim_draft(session.record_id)
        example_app.push_screen(ConsultationScreen(example_app.store, grid, session))
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert example_app.screen.query_one("#opt-switch").current == "opt-empty"
        await pilot.press("enter")
        await pilot.pause()
        assert example_app.screen.current_talk() == "team"


async def test_a_rating_redraws_only_its_cell_on_the_largest_grid(shipped_app: SdmApp) -> None:
    async with shipped_app.run_test(size=(200, 60)) as pilot:
        grid = shipped_grid(shipped_app)
        session = make_session(grid, options=6, carer="Mum")
        session = add_participant(session, Role.PEER_SUPPORT, "Peer")
        pane = await open_options(shipped_app, pilot, grid, session)
        updates: list[int] = []
        original = pane.table.update_cell

        def counting(*args, **kwargs) -> None:
            updates.append(1)
            original(*args, **kwargs)

        pane.table.update_cell = counting  # type: ignore[method-assign]
        for key in "1234":
            await pilot.press(key)
        await pilot.pause()
        assert len(updates) == 4  # only the one changed cell, each time
        assert pane.table.row_count == len(grid.questions) + 1
        assert "4 · most" in cell(pane, grid.questions[0].id, "importance")
        updates.clear()
        await pilot.press("p")
        await pilot.pause()
        # another person: their importance column and leaning row, nothing else
        assert 0 < len(updates) <= len(grid.questions) + 6 + 1
