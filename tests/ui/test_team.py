"""Team talk, driven with real key presses and clicks; checked on the saved draft."""

from __future__ import annotations

from flow import type_text, typing_applied
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioSet, Select, SelectionList, Static, TextArea

from sdm_tui.core.record import load
from sdm_tui.core.session import CarerConsent, Involvement, Role, Session
from sdm_tui.core.transitions import rate_importance
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.team import PersonRow, TeamTalkPane
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.team_modals import ConfirmRemove

ODD = "[b]bold[/b] and [@click=app.quit]x[/]"


async def open_team(app: SdmApp, pilot: Pilot) -> ConsultationScreen:
    """Home -> Start a consultation -> choose the (first) grid -> team talk."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ConsultationScreen)
    assert screen.current_talk() == "team"
    return screen


def draft(app: SdmApp) -> Session:
    return load(app.store.draft_path(app.screen.session.record_id))


def focused_id(app: SdmApp) -> str | None:
    return app.focused.id if app.focused is not None else None


async def add(pilot: Pilot, label: str) -> None:
    """Type a label into the (focused) label field and press Enter."""
    assert focused_id(pilot.app) == "team-label"
    await type_text(pilot, label)
    await pilot.press("enter")
    await pilot.pause()


async def add_three(app: SdmApp, pilot: Pilot) -> ConsultationScreen:
    screen = await open_team(app, pilot)
    await add(pilot, "Me")
    await add(pilot, "Dr K")
    await add(pilot, "Mum")
    return screen


async def tab_to(pilot: Pilot, widget_id: str, limit: int = 30) -> None:
    for _ in range(limit):
        if focused_id(pilot.app) == widget_id:
            return
        await pilot.press("tab")
        await pilot.pause()
    raise AssertionError(f"Tab never reached #{widget_id}; stuck on {focused_id(pilot.app)}")


def people(session: Session) -> list[tuple[Role, str]]:
    return [(p.role, p.label) for p in session.participants]


async def test_add_people_by_typing_with_role_defaults(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        role = pane.query_one("#team-role", Select)
        assert not screen.session.participants  # nothing pre-added
        assert role.value == Role.SERVICE_USER
        assert not pane.query_one("#team-consent-box").display
        await add(pilot, "Me")
        assert role.value == Role.CLINICIAN
        await add(pilot, "Dr K")
        assert role.value == Role.CARER
        await add(pilot, "Mum")
        expected = [(Role.SERVICE_USER, "Me"), (Role.CLINICIAN, "Dr K"), (Role.CARER, "Mum")]
        assert people(screen.session) == expected
        assert people(draft(example_app)) == expected
        rows = [str(row.query_one(Static).render()) for row in pane.query(PersonRow)]
        assert rows[:2] == ["Me (service user)", "Dr K (clinician)"]
        assert rows[2].startswith("Mum (carer or supporter)")
        assert pane.query_one("#team-consent-box").display
        assert pane.query_one("#team-label", Input).value == ""


async def test_add_error_is_inline_and_changes_nothing(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        await pilot.press("enter")  # empty label
        await pilot.pause()
        error = pane.query_one("#team-label-error", Static)
        assert error.display
        assert "short label" in str(error.render())
        await add(pilot, "Me")
        assert not error.display
        # A second person with the same label (any case) is refused, inline.
        await add(pilot, "me")
        assert error.display and "already called" in str(error.render())
        assert people(screen.session) == [(Role.SERVICE_USER, "Me")]


async def test_add_by_mouse(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        await type_text(pilot, "Me")
        await pilot.click("#team-add-button")
        await pilot.pause()
        assert people(screen.session) == [(Role.SERVICE_USER, "Me")]


async def test_carer_consent_no_means_nothing_recorded(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await add_three(example_app, pilot)
        carer = screen.session.participants[2]
        assert carer.role == Role.CARER
        assert carer not in screen.session.voices()  # not asked yet: not recorded
        await tab_to(pilot, "team-consent")
        # Radio set: Not asked yet, Yes, No. Choose Yes with the keys.
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.session.carer_consent == CarerConsent.YES
        assert draft(example_app).carer_consent == CarerConsent.YES
        question = next(iter(screen.session.grid.questions))
        assert screen.apply(lambda s: rate_importance(s, carer.id, question, 4))
        assert draft(example_app).participant(carer.id).importance == {question: 4}
        # The service user changes their mind: No. What the carer said is removed.
        await pilot.press("down", "space")
        await pilot.pause()
        assert screen.session.carer_consent == CarerConsent.NO
        saved = draft(example_app)
        assert saved.carer_consent == CarerConsent.NO
        assert saved.participant(carer.id).importance == {}
        assert carer.id not in {p.id for p in saved.voices()}
        # And nothing more can be recorded for the carer.
        assert not screen.apply(lambda s: rate_importance(s, carer.id, question, 2))
        assert draft(example_app).participant(carer.id).importance == {}
        row = next(r for r in screen.query(PersonRow) if r.person_id == carer.id)
        assert "views not recorded" in str(row.query_one(Static).render())


async def test_reference_rejects_a_name_and_stores_a_code(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        await tab_to(pilot, "team-ref")
        await type_text(pilot, "JaneDoe")
        await pilot.press("enter")
        await pilot.pause()
        error = pane.query_one("#team-ref-error", Static)
        assert error.display
        assert "Never use a name" in str(error.render())
        assert screen.session.service_user_ref == ""
        assert draft(example_app).service_user_ref == ""
        await pilot.press(*["backspace"] * 7, *"SU-0042", "enter")
        await pilot.pause()
        assert not error.display
        assert screen.session.service_user_ref == "SU-0042"
        assert draft(example_app).service_user_ref == "SU-0042"
        # Leaving the field with a name in it keeps the stored code and says so.
        await pilot.press(*["backspace"] * 7, *"Jane", "tab")
        await pilot.pause()
        assert error.display and "still SU-0042" in str(error.render())
        assert draft(example_app).service_user_ref == "SU-0042"


async def test_decision_prefilled_and_editable(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        decision = screen.query_one("#team-decision", Input)
        grid = example_app.catalog.get(screen.session.grid.id)
        assert decision.value == grid.decision
        assert screen.session.team_talk.decision == grid.decision
        await tab_to(pilot, "team-decision")
        await pilot.press("end")
        await type_text(pilot, " Soon.")
        await typing_applied(pilot)  # saved after a short pause, not on every key
        assert draft(example_app).team_talk.decision == grid.decision + " Soon."
        title = screen.query_one("#team-grid-title", Static)
        assert grid.title in str(title.render())


async def test_choose_options_with_space(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        count = pane.query_one("#team-options-count", Static)
        assert "No change can always be chosen" in str(count.render())
        options = pane.query_one("#team-options", SelectionList)
        # "No change" is visibly always available.
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert "always available" in prompts[2] and "always available" not in prompts[0]
        await tab_to(pilot, "team-options")
        await pilot.press("space")  # Tablet A
        await pilot.pause()
        assert screen.session.team_talk.options == ()
        assert "choose at least 2" in str(count.render())
        await pilot.press("down", "down", "space")  # No change
        await pilot.pause()
        assert screen.session.team_talk.options == ("tablet-a", "no-change")
        assert draft(example_app).team_talk.options == ("tablet-a", "no-change")
        assert "2 chosen" in str(count.render())
        # Down to one: not stored, and the room is told what is still saved.
        await pilot.press("space")
        await pilot.pause()
        assert draft(example_app).team_talk.options == ("tablet-a", "no-change")
        assert "Still saved: Tablet A, No change" in str(count.render())
        await pilot.press("up", "space")
        await pilot.pause()
        assert draft(example_app).team_talk.options == ("tablet-a", "tablet-b")


async def test_at_most_six_options(shipped_app: SdmApp) -> None:
    async with shipped_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(shipped_app, pilot)
        await tab_to(pilot, "team-options")
        for _ in range(7):
            await pilot.press("space", "down")
        await pilot.pause()
        options = screen.query_one("#team-options", SelectionList)
        assert len(options.selected) == 6
        assert len(screen.session.team_talk.options) == 6
        count = screen.query_one("#team-options-count", Static)
        assert "At most 6" in str(count.render())


async def test_what_matters_and_involvement_stored_literally(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        await tab_to(pilot, "team-matters")
        await type_text(pilot, ODD)
        await pilot.pause()
        assert example_app.is_running
        assert screen.query_one("#team-matters", TextArea).text == ODD
        await typing_applied(pilot)
        assert screen.session.team_talk.what_matters == ODD
        assert draft(example_app).team_talk.what_matters == ODD
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(example_app.focused, RadioSet)
        await pilot.press("down", "enter")  # "I want us to decide together"
        await pilot.pause()
        assert draft(example_app).team_talk.involvement == Involvement.TOGETHER
        assert example_app.is_running


async def test_markup_in_labels_shows_literally_and_runs_nothing(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_team(example_app, pilot)
        await add(pilot, "[@click=app.quit]x[/]")
        await add(pilot, "[/b]")
        assert people(screen.session) == [
            (Role.SERVICE_USER, "[@click=app.quit]x[/]"),
            (Role.CLINICIAN, "[/b]"),
        ]
        texts = [row.query_one(Static) for row in screen.query(PersonRow)]
        assert str(texts[0].render()) == "[@click=app.quit]x[/] (service user)"
        assert str(texts[1].render()) == "[/b] (clinician)"
        await pilot.click(texts[0], offset=(1, 0))
        await pilot.pause()
        assert example_app.is_running
        assert example_app.return_code is None


async def test_remove_person_asks_first(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await add_three(example_app, pilot)
        remove = next(r for r in screen.query(PersonRow) if r.text.startswith("Dr K"))
        await pilot.click(remove.query_one(Button))
        await pilot.pause()
        assert isinstance(example_app.screen, ConfirmRemove)
        await pilot.press("escape")  # keep
        await pilot.pause()
        assert len(screen.session.participants) == 3
        remove = next(r for r in screen.query(PersonRow) if r.text.startswith("Dr K"))
        remove.query_one(Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(example_app.screen, ConfirmRemove)
        await pilot.press("enter")  # Remove: the action is first and has the focus
        await pilot.pause()
        assert people(draft(example_app)) == [(Role.SERVICE_USER, "Me"), (Role.CARER, "Mum")]
        assert next(r.text for r in screen.query(PersonRow)) == "Me (service user)"
        assert example_app.focused is not None  # focus is not lost with the removed row
        # Removing the clinician makes "clinician" the next suggested role again.
        assert screen.query_one("#team-role", Select).value == Role.CLINICIAN


async def test_show_does_not_feed_changes_back(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await add_three(example_app, pilot)
        await tab_to(pilot, "team-ref")
        await type_text(pilot, "SU-1")
        await pilot.press("tab")
        await pilot.pause()
        applied: list[object] = []
        original = screen.apply

        def counting(change, **how):
            applied.append(change)
            return original(change, **how)

        screen.apply = counting  # type: ignore[method-assign]
        # Showing the same session again, and an unrelated change, post nothing back.
        screen._show_all()
        await pilot.pause()
        assert applied == []
        screen.set_active(screen.session.participants[0].id)
        await pilot.pause()
        await pilot.pause()
        assert applied == []
        assert screen.query_one("#team-ref", Input).value == "SU-1"


async def test_small_screen_everything_reachable(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await add_three(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        assert not pane.has_class("-wide")
        scroll = pane.query_one("#team-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # it scrolls inside the pane
        seen: list[str] = []
        for _ in range(40):
            await pilot.press("tab")
            await pilot.pause()
            focused = example_app.focused
            assert focused is not None
            if focused.id:
                seen.append(focused.id)
            # Whatever has focus is scrolled into view inside the pane.
            visible = scroll.region.intersection(focused.region)
            assert visible.area > 0, f"{focused} is out of view"
            if focused.id == "team-next":
                break
        for widget_id in (
            "team-consent",
            "team-ref",
            "team-decision",
            "team-options",
            "team-matters",
            "team-involvement",
            "team-next",
        ):
            assert widget_id in seen
        await pilot.press("enter")  # Next: option talk
        await pilot.pause()
        assert screen.current_talk() == "options"
        assert example_app.is_running


async def test_wide_screen_two_columns(example_app: SdmApp) -> None:
    async with example_app.run_test(size=(160, 50)) as pilot:
        screen = await open_team(example_app, pilot)
        pane = screen.query_one(TeamTalkPane)
        assert pane.has_class("-wide")
        left = pane.query_one("#team-left").region
        right = pane.query_one("#team-right").region
        assert right.x > left.right - 1
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert not pane.has_class("-wide")


async def test_chosen_options_show_a_tick_not_just_a_colour(example_app) -> None:
    """State must read in plain text too (high contrast, colour-blind viewers, screen capture)."""
    from sdm_tui.ui.widgets.marks import MarkedSelectionList

    async with example_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        options = example_app.screen.query_one("#team-options", MarkedSelectionList)
        options.select(options.get_option_at_index(0).value)
        await pilot.pause()
        lines = ["".join(seg.text for seg in options.render_line(y)) for y in range(2)]
        assert "✓" in lines[0]
        assert "✓" not in lines[1] and "X" not in lines[1]
