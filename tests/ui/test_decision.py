"""Decision talk: outcome, reason, stances, steps, review date, certainty and feedback."""

from __future__ import annotations

from datetime import date, timedelta

from flow import open_consultation, type_text, typing_applied
from textual.containers import VerticalScroll
from textual.widgets import Input, RadioSet, Select, Static, TextArea

from sdm_tui.core import record
from sdm_tui.core import transitions as t
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
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.panes.decision import DecisionPane
from sdm_tui.ui.screens.consult import ConsultationScreen


def make_session(app: SdmApp) -> Session:
    grid = app.catalog.get("example-grid")
    assert grid is not None
    s = new_session(grid_ref=grid_ref(grid), app_version="test")
    s = t.add_participant(s, Role.SERVICE_USER, "Service user")
    s = t.add_participant(s, Role.CARER, "Carer")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.choose_options(s, ["tablet-a", "tablet-b", "no-change"])
    s = t.set_leaning(s, "p1", "no-change", Leaning.AWAY)
    s = t.set_leaning(s, "p2", "no-change", Leaning.TOWARDS)
    return s


async def start(app: SdmApp, pilot, session: Session) -> ConsultationScreen:
    return await open_consultation(app, pilot, session, "f5")


def saved(app: SdmApp, session: Session) -> Session:
    return record.load(app.store.draft_path(session.record_id))


async def test_default_review_date_is_six_weeks_on(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        expected = date.today() + timedelta(weeks=6)
        assert screen.session.decision.review_date == expected
        assert saved(example_app, session).decision.review_date == expected
        assert screen.query_one("#review-date", Input).value == expected.isoformat()


async def test_outcome_reason_stances_steps_by_keys(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        outcome = screen.query_one("#outcome", RadioSet)
        assert outcome.has_focus
        select = screen.query_one("#chosen-option", Select)
        assert select.disabled
        await pilot.press("enter")  # the first: we chose an option
        await pilot.pause()
        assert screen.session.decision.outcome == Outcome.CHOSEN
        assert not select.disabled
        await pilot.press("tab")
        assert select.has_focus
        await pilot.press("enter", "down", "down", "enter")  # blank, Tablet A, Tablet B
        await pilot.pause()
        assert screen.session.decision.option == "tablet-b"
        await pilot.press("tab")
        assert screen.query_one("#reason", TextArea).has_focus
        await type_text(pilot, "[b]it keeps my head clear")
        await pilot.press("tab")
        assert screen.query_one("#stance-p1", Select).has_focus
        await pilot.press("enter", "down", "enter")  # Agree
        await pilot.press("tab", "enter", "down", "down", "enter")  # carer: go along with
        await pilot.press("tab", "enter", "down", "down", "down", "enter")  # clinician
        await pilot.pause()
        await pilot.press("tab")
        assert screen.query_one("#next-steps", TextArea).has_focus
        await type_text(pilot, "Blood test in 2 weeks\n\nSee the GP")
        await typing_applied(pilot)  # typed text is applied after a short pause
        decision = screen.session.decision
        assert decision.reason == "[b]it keeps my head clear"
        assert decision.stances == {
            "p1": Stance.AGREE,
            "p2": Stance.GO_ALONG,
            "p3": Stance.DISAGREE,
        }
        assert decision.next_steps == ("Blood test in 2 weeks", "See the GP")
        on_disk = saved(example_app, session).decision
        assert on_disk == decision
        # Another outcome clears the option and disables the choice again.
        outcome.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.session.decision.outcome == Outcome.DEFERRED
        assert screen.session.decision.option == ""
        assert select.disabled
        # The reason box was not rewritten under the typist's fingers.
        assert screen.query_one("#reason", TextArea).text == "[b]it keeps my head clear"


async def test_review_date_validation(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        default = date.today() + timedelta(weeks=6)
        field = screen.query_one("#review-date", Input)
        error = screen.query_one("#review-error", Static)
        field.focus()
        await pilot.pause()
        for bad, words in (
            ("2020-01-01", "after today"),
            ("31/02/2027", "YYYY-MM-DD"),
            ("2027-02-31", "not a real date"),
            ("2999-01-01", "two years"),
        ):
            await pilot.press("home", "ctrl+k")
            await type_text(pilot, bad)
            await pilot.press("enter")
            await pilot.pause()
            assert str(error.render()).startswith("⚠"), bad
            assert words in str(error.render()), bad
            assert field.has_class("invalid")
            assert screen.session.decision.review_date == default
            assert field.value == bad
        # Another change elsewhere keeps the wrong date and its message on screen.
        screen.apply(lambda s: t.set_stance(s, "p1", Stance.AGREE))
        await pilot.pause()
        assert field.value == "2999-01-01" and str(error.render()).startswith("⚠")
        good = date.today() + timedelta(days=30)
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, good.isoformat())
        await pilot.press("tab")  # blur checks too
        await pilot.pause()
        assert str(error.render()) == ""
        assert screen.session.decision.review_date == good
        assert saved(example_app, session).decision.review_date == good


async def test_certainty_and_feedback(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        await pilot.pause()
        scroll = screen.query_one("#decision-scroll", VerticalScroll)
        know = screen.query_one("#cert-p1-know", RadioSet)
        know.focus()
        await pilot.pause()
        await pilot.press("enter")  # Yes
        await pilot.press("tab", "right", "enter")  # values: Unsure
        await pilot.pause()
        assert screen.query_one("#cert-p1-values", RadioSet).has_focus
        carer_sure = screen.query_one("#cert-p2-sure", RadioSet)
        carer_sure.focus()
        await pilot.press("right", "right", "enter")  # No
        feedback = screen.query_one("#fb-listened", RadioSet)
        feedback.focus()
        await pilot.pause()
        await pilot.press("right", "right", "right", "enter")  # 3 a lot
        await pilot.pause()
        assert scroll.scroll_y > 0
        assert feedback.region.y >= 0 and feedback.region.bottom <= 24
        people = {p.id: p for p in screen.session.participants}
        assert people["p1"].certainty == {"know": Answer3.YES, "values": Answer3.UNSURE}
        assert people["p2"].certainty == {"sure": Answer3.NO}
        assert screen.session.feedback == {"listened": 3}
        disk = saved(example_app, session)
        assert {p.id: p.certainty for p in disk.participants}["p1"] == people["p1"].certainty
        assert disk.feedback == {"listened": 3}


async def test_everything_reachable_and_missing_shown(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        missing = screen.query_one("#missing", Static)
        text = str(missing.render())
        assert "Choose the outcome" in text
        assert "reference" in text
        pane = screen.query_one(DecisionPane)
        # Tab through every control to the last button; each comes into view.
        seen = []
        for _ in range(40):
            focused = example_app.focused
            if focused is None or pane not in focused.ancestors:
                break
            seen.append(focused.id)
            assert focused.region.bottom <= 24 and focused.region.y >= 0, focused.id
            if focused.id == "to-summary":
                break
            await pilot.press("tab")  # press waits until the app has handled it
        assert seen[0] == "outcome"
        assert seen[-1] == "to-summary"
        assert "fb-included" in seen and "cert-p3-sure" in seen and "review-date" in seen
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current_talk() == "summary"


async def test_voices_change_rebuilds_people(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(120, 40)) as pilot:
        screen = await start(example_app, pilot, session)
        assert screen.query("#stance-p2")
        screen.apply(lambda s: t.set_carer_consent(s, CarerConsent.NO))
        await pilot.pause()
        assert not screen.query("#stance-p2")
        assert not screen.query("#cert-p2-know")
        assert screen.query("#stance-p1") and screen.query("#fb-understand")
        screen.apply(lambda s: t.set_stance(s, "p1", Stance.AGREE))
        await pilot.pause()
        assert screen.query_one("#stance-p1", Select).value == Stance.AGREE


async def test_typed_review_date_is_pending_for_save(example_app: SdmApp) -> None:
    session = make_session(example_app)
    async with example_app.run_test(size=(80, 24)) as pilot:
        screen = await start(example_app, pilot, session)
        pane = screen.query_one(DecisionPane)
        assert pane.pending() == []
        screen.query_one("#review-date", Input).focus()
        good = date.today() + timedelta(days=20)
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, good.isoformat())
        changes = pane.pending()
        assert len(changes) == 1
        assert changes[0](screen.session).decision.review_date == good
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "2020-01-01")
        assert pane.pending() == []
