"""Finishing is a decision; a finished record is read-only; small things a clinician
notices (resume where it was left, help, the Add button); and a whole consultation
at 80x24 that saves exactly the words typed."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import flow
from flow import consultation, focused_id, open_consultation, saved_files, saved_record
from textual.widgets import Button, Input, Markdown, Static, TextArea

from sdm_tui.core import transitions as t
from sdm_tui.core.session import (
    Answer3,
    Involvement,
    Leaning,
    Outcome,
    Role,
    Session,
    grid_ref,
    new_session,
    utc_now,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.confirm import ConfirmFinish
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.help import HelpScreen
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.textual_compat import notifications


def ready_to_finish(app: SdmApp) -> Session:
    """Everything needed to finish, and much still empty (stances, certainty...)."""
    grid = app.catalog.get("example-grid")
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.add_participant(s, Role.SERVICE_USER, "Me")
    s = t.add_participant(s, Role.CLINICIAN, "Dr K")
    s = t.set_reference(s, "SU-0042")
    s = t.choose_options(s, ["tablet-a", "tablet-b"])
    review = utc_now().date() + timedelta(weeks=6)
    return t.set_decision(s, outcome=Outcome.DEFERRED, review_date=review)


def toasts(app: SdmApp) -> str:
    return " ".join(str(n.message) for n in notifications(app))


async def test_finish_asks_first_and_then_everything_is_read_only(
    example_app: SdmApp, store: RecordStore
) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app), "f5")
        # Ctrl+S asks, and says what is still empty; Escape (No) keeps editing.
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = example_app.screen
        assert isinstance(dialog, ConfirmFinish)
        empty = str(dialog.query_one("#finish-empty", Static).render())
        for words in ("own words", "Where Me (service user) stands", "How sure Dr K"):
            assert words in empty, words
        assert "How involved Me (service user) felt" in empty
        await pilot.press("escape")
        await pilot.pause()
        assert example_app.screen is screen
        assert saved_files(store.root) == []
        assert screen.session.completed is None
        assert store.draft_path(screen.session.record_id).exists()
        # The summary's button asks the same question; "Keep editing" is on the right.
        await pilot.press("f6")
        await pilot.pause()
        assert "Finish and save" in str(screen.query_one("#save", Button).label)
        await pilot.press("enter")  # the button has the focus
        await pilot.pause()
        assert isinstance(example_app.screen, ConfirmFinish)
        await pilot.press("right", "enter")  # Keep editing
        await pilot.pause()
        assert example_app.screen is screen and saved_files(store.root) == []
        # Ctrl+S again, Enter on "Finish and save": the record is written.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert focused_id(pilot) == "yes"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session.completed is not None
        _, _, path = saved_record(store.root)
        before = path.read_bytes()
        # Decision talk: read-only, typing changes nothing. F5 opens it although its first
        # control is disabled now (the focus used to stay on the summary and switch back).
        await pilot.press("f5")
        await pilot.pause()
        assert screen.current_talk() == "decision"
        reason = screen.query_one("#reason", TextArea)
        assert reason.read_only
        reason.focus()
        await flow.type_text(pilot, "changed later")
        await pilot.pause()
        assert reason.text == ""
        assert screen.query_one("#review-date", Input).disabled
        assert "Read-only" in str(screen.query_one("#save-state").render())
        # Option talk: a rating key is refused with a clear line about amendments.
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert "amendment" in toasts(example_app)
        assert screen.session.participant("p1").importance == {}
        # Team talk: nothing to add or type in.
        await pilot.press("f2")
        await pilot.pause()
        assert screen.current_talk() == "team"
        assert screen.query_one("#team-add-button", Button).disabled
        assert screen.query_one("#team-matters", TextArea).read_only
        # Done on the summary: back to Home (the pane asks the screen with a message).
        await pilot.press("f6")
        await pilot.pause()
        await pilot.click("#done")
        await pilot.pause()
        assert isinstance(example_app.screen, HomeScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert path.read_bytes() == before  # the saved TOML is unchanged


async def test_finish_is_named_in_footer_palette_and_help(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app))
        footer_keys = [b.description for b in screen.BINDINGS if getattr(b, "key", "") == "ctrl+s"]
        assert footer_keys == ["Finish and save"]
        commands = [c.title for c in example_app.get_system_commands(screen)]
        assert "Finish and save" in commands and "Save" not in commands
        await pilot.press("f1")
        await pilot.pause()
        help_screen = example_app.screen
        assert isinstance(help_screen, HelpScreen)
        # How to close it is the first thing it says.
        first = help_screen.query_one("#help").children[0]
        assert isinstance(first, Static) and "Escape" in str(first.render())
        source = help_screen.query_one(Markdown).source
        assert "Finish and save" in source
        for talk in ("Team talk", "Option talk", "Decision talk"):
            assert talk in source, talk  # the three-talk model is kept in help
        await pilot.press("escape")
        await pilot.pause()
        assert example_app.screen is screen


async def test_the_shared_screen_uses_plain_words(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        session = ready_to_finish(example_app)
        screen = await open_consultation(example_app, pilot, session)
        tabs = [str(tab.label) for tab in screen.query("ContentTab")]
        plain = ["F2 Who is here", "F3 Compare options", "F4 Side by side", "F5 Decide"]
        assert tabs == [*plain, "F6 Summary"]
        line = str(screen.query_one("#save-state").render())
        assert session.record_id not in line and "UTC" not in line
        assert line.startswith("✓ Draft saved at ")
        assert f"{screen.session.updated.astimezone():%H:%M:%S}" in line  # local time
        await pilot.press("f4")
        await pilot.pause()
        side = screen.query_one("#side-table")
        headers = [str(c.label) for c in side.columns.values()]
        assert "Differ?" not in headers
        await pilot.press("f2")
        await pilot.pause()
        note = screen.query("#team-option-note")
        assert all("no note in this grid" not in str(n.render()) for n in note)


async def test_resume_opens_the_draft_with_one_enter_where_it_was_left(
    example_app: SdmApp, store: RecordStore
) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app), "f4")
        record_id = screen.session.record_id
        assert screen.current_talk() == "side"
        await pilot.press("f2", "escape")  # back to Home from team talk...
        await pilot.pause()
        assert not isinstance(example_app.screen, ConsultationScreen)
    store.release_draft(record_id)
    # ...and to side by side again, to be left there: in a new app, as after a restart.
    app = SdmApp(RecordStore(store.root), example_app.catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # Home: "Resume" (one draft): opens it
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        assert app.screen.session.record_id == record_id
        assert app.screen.current_talk() == "team"  # it was left at team talk
        await pilot.press("f5")
        await pilot.pause()
    app.store.release_draft(record_id)  # as the process ending would
    app = SdmApp(RecordStore(store.root), example_app.catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        assert app.screen.current_talk() == "decision"  # where it was left


async def test_add_button_fully_visible_at_100_columns(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        grid = example_app.catalog.get("example-grid")
        session = new_session(grid_ref=grid_ref(grid), app_version="test")
        screen = await open_consultation(example_app, pilot, session)
        button = screen.query_one("#team-add-button", Button)
        room = screen.query_one("#team-scroll").scrollable_content_region
        assert button.region.x >= room.x and button.region.right <= room.right
        assert button.content_region.width >= len(str(button.label)) + 2


MATTERS = "Keeping my job, and my weight: I'd rather sleep well than feel 'flat'.\nNo injections."
REASON = (
    "Tablet A first; weight gain worries me most (my sister gained 10 kg).\nLook again in 6 weeks."
)


async def test_words_typed_at_80x24_are_saved_character_for_character(
    example_app: SdmApp, store: RecordStore
) -> None:
    """At 80x24, from a prepared session (people, options, a rating; test_consultations.py
    has the whole consultation from Home by keys): the words typed, the rest by keys."""
    grid = example_app.catalog.get("example-grid")
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.set_team_talk(s, decision=grid.decision)
    s = t.add_participant(s, Role.SERVICE_USER, "Me")
    s = t.add_participant(s, Role.CLINICIAN, "Dr K")
    s = t.set_reference(s, "SU-0042")
    s = t.choose_options(s, ["tablet-a", "tablet-b"])
    s = t.rate_importance(s, "p1", "weight", 4)  # one question rated, the others not
    s = t.rate_importance(s, "p2", "weight", 2)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    async with example_app.run_test(size=(80, 24)) as pilot:
        await open_consultation(example_app, pilot, s)
        await flow.what_matters(pilot, MATTERS, Involvement.TOGETHER)
        await flow.decide(pilot, Outcome.CHOSEN, option="tablet-a", reason=REASON)
        await flow.certainty(pilot, "Me", {"sure": "unsure"})
        await flow.save(pilot)
        assert consultation(pilot).saved_to
    saved, md, path = saved_record(store.root)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["decision"]["reason"] == REASON  # character for character
    assert raw["team_talk"]["what_matters"] == MATTERS
    assert saved.decision.reason == REASON and saved.team_talk.what_matters == MATTERS
    me = next(p for p in saved.participants if p.label == "Me")
    assert me.certainty["sure"] == Answer3.UNSURE
    assert saved.decision.review_date is not None and saved.decision.review_date > date.today()
    assert "not discussed" in md  # the question no one rated is counted, not listed


async def test_an_amendment_starts_from_the_finished_record(
    example_app: SdmApp, store: RecordStore
) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app))
        await flow.save(pilot)
        finished = screen.session
        assert finished.completed is not None
        await flow.tab_to(pilot, "amend")
        await pilot.press("enter")
        await pilot.pause()
        amended = example_app.screen
        assert isinstance(amended, ConsultationScreen) and amended is not screen
        assert amended.session.amends == finished.record_id
        assert amended.session.completed is None
        assert amended.session.decision == finished.decision
        reason = amended.query_one("#reason", TextArea)
        assert not reason.read_only
    assert len([p for p in saved_files(store.root) if p.suffix == ".toml"]) == 1
