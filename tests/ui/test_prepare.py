"""Get ready for an appointment (issue #17): written by keys, saved as it goes under the
reference, a printable sheet, discarded by the person who wrote it. Everyone is invented."""

from __future__ import annotations

import stat

from flow import choose_radio, focused_id, go, tab_to, type_text
from textual.widgets import OptionList, RadioSet

from sdm_tui.core.session import Involvement, WrittenWith
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.prepare import PrepareScreen


async def wait_saved(pilot, screen: PrepareScreen) -> None:
    """Until the save timer has run (the app's own timer, not a fixed pause)."""
    await pilot.pause()  # the last key's Changed message starts the timer
    for _ in range(100):
        if screen._timer is None:
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def test_home_entry_opens_it_and_words_are_saved_as_typed(
    example_app: SdmApp, store: RecordStore
) -> None:
    async with example_app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        actions = pilot.app.screen.query_one("#home-actions", OptionList)
        ids = [actions.get_option_at_index(i).id for i in range(actions.option_count)]
        await pilot.press(*["down"] * ids.index("prepare"), "enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, PrepareScreen)
        assert focused_id(pilot) == "prep-reference"
        await type_text(pilot, "TEST-0042")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.reference == "TEST-0042"
        assert focused_id(pilot) == "prep-want"
        await type_text(pilot, "I want to talk about my weight.\nAnd sleep.")
        await pilot.press("tab")  # to what matters
        await type_text(pilot, "Keeping my job.")
        await wait_saved(pilot, screen)
        saved = store.load_preparation("TEST-0042")
        assert saved is not None
        assert saved.want == "I want to talk about my weight.\nAnd sleep."
        assert saved.matters == "Keeping my job."
        # Who helped, and how involved: radio buttons by keys.
        await tab_to(pilot, "prep-involvement")
        await choose_radio(pilot, screen.query_one("#prep-involvement", RadioSet), 1)
        for _ in range(12):  # back up to "I am writing this"
            if focused_id(pilot) == "prep-with":
                break
            await pilot.press("shift+tab")
        await choose_radio(pilot, screen.query_one("#prep-with", RadioSet), 2)
        await wait_saved(pilot, screen)
        saved = store.load_preparation("TEST-0042")
        assert saved.written_with == WrittenWith.PEER_SUPPORT
        assert saved.involvement == Involvement.TOGETHER
        path = store.preparation_path("TEST-0042")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        await go(pilot, "escape")
        assert not isinstance(pilot.app.screen, PrepareScreen)


async def test_a_preparation_reopens_under_its_reference_only(
    example_app: SdmApp, store: RecordStore
) -> None:
    from sdm_tui.core.preparation import update_preparation
    from sdm_tui.core.session import Preparation

    store.save_preparation("TEST-0042", update_preparation(Preparation(), want="Mine"))
    async with example_app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.app.push_screen(PrepareScreen())
        await pilot.pause()
        screen = pilot.app.screen
        await type_text(pilot, "TEST-OO42")  # looks alike, is someone else
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#prep-want").text == ""
        screen.query_one("#prep-reference").value = ""
        screen.query_one("#prep-reference").focus()
        await type_text(pilot, "TEST-0042")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#prep-want").text == "Mine"


async def test_a_name_is_refused_and_nothing_saved(example_app: SdmApp, store: RecordStore) -> None:
    async with example_app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.app.push_screen(PrepareScreen())
        await pilot.pause()
        screen = pilot.app.screen
        await type_text(pilot, "JaneDoe")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.reference == ""
        assert "Never use a name" in str(screen.query_one("#prep-state").render())
        assert not store.preparations_dir.exists() or not list(store.preparations_dir.iterdir())


async def test_printable_sheet_and_discard(example_app: SdmApp, store: RecordStore) -> None:
    async with example_app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.app.push_screen(PrepareScreen("TEST-0042"))
        await pilot.pause()
        screen = pilot.app.screen
        assert focused_id(pilot) == "prep-want"
        await type_text(pilot, "I want <b>answers</b>.")
        await wait_saved(pilot, screen)
        screen.query_one("#prep-sheet").focus()
        await go(pilot, "enter")
        sheet = store.preparation_path("TEST-0042").with_suffix(".html")
        html = sheet.read_text("utf-8")
        assert "I want &lt;b&gt;answers&lt;/b&gt;." in html
        assert "<script" not in html and "Content-Security-Policy" in html
        assert "TEST-0042" in html and stat.S_IMODE(sheet.stat().st_mode) == 0o600
        screen.query_one("#prep-discard").focus()
        await go(pilot, "enter")
        await go(pilot, "escape")  # "Keep it" first: nothing happens
        assert store.load_preparation("TEST-0042") is not None
        screen.query_one("#prep-discard").focus()
        await go(pilot, "enter")
        await pilot.press("left")  # to "Discard it"
        await go(pilot, "enter")
        assert store.load_preparation("TEST-0042") is None
        assert not sheet.exists()
        assert screen.query_one("#prep-want").text == ""


async def test_sdm_tui_prepare_opens_straight_on_it(store: RecordStore) -> None:
    from sessions import DATA

    from sdm_tui.__main__ import _parser
    from sdm_tui.core.catalog import load_catalog

    args = _parser().parse_args(["prepare", "--records", str(store.root)])
    assert args.command == "prepare"
    app = SdmApp(store, load_catalog(DATA), start="prepare")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, PrepareScreen)
        assert focused_id(pilot) == "prep-reference"
