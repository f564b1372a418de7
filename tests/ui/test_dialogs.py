"""Every dialog: the action on the left with the focus, the way back on the right
(Escape); arrows, Tab and Enter move and press."""

from __future__ import annotations

from textual.widgets import Button

from sdm_tui.ui.screens.confirm import ConfirmFinish, ConfirmQuit
from sdm_tui.ui.screens.disagree import NameDisagreementScreen
from sdm_tui.ui.screens.note import NoteScreen
from sdm_tui.ui.screens.team_modals import ConfirmRemove


async def test_arrow_keys_move_between_dialog_buttons(example_app) -> None:
    answers: list[bool | None] = []
    async with example_app.run_test(size=(80, 24)) as pilot:
        example_app.push_screen(ConfirmQuit(), answers.append)
        await pilot.pause()
        assert example_app.focused.id == "yes"  # the action has the focus
        await pilot.press("right")
        assert example_app.focused.id == "no"
        await pilot.press("left")
        assert example_app.focused.id == "yes"
        await pilot.press("right", "enter")
        await pilot.pause()
        example_app.push_screen(ConfirmQuit(), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        example_app.push_screen(ConfirmQuit(), answers.append)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert answers == [False, False, True]


async def test_quit_confirmation_warns_when_the_draft_could_not_be_saved(example_app) -> None:
    async with example_app.run_test(size=(80, 24)) as pilot:
        example_app.push_screen(ConfirmQuit("Could not save to /x: the disk is full."))
        await pilot.pause()
        text = " ".join(str(w.render()) for w in example_app.screen.query("Static"))
        assert "could NOT be saved" in text and "disk is full" in text
        # Quitting now would lose work: the focus starts on the way back.
        assert example_app.focused.id == "no"


async def test_every_dialog_has_its_buttons_in_the_same_order(example_app) -> None:
    """The action first (primary), the way back last, labelled with Escape."""
    dialogs = [
        ConfirmQuit(),
        ConfirmRemove("Mum (carer)"),
        ConfirmFinish(["The review date"]),
        NoteScreen("Me (service user)"),
        NameDisagreementScreen(),
    ]
    async with example_app.run_test(size=(80, 24)) as pilot:
        for dialog in dialogs:
            example_app.push_screen(dialog)
            await pilot.pause()
            buttons = list(dialog.query(Button))
            assert len(buttons) == 2, dialog
            first, last = buttons
            assert last.label.plain.endswith("(Esc)"), (dialog, last.label)
            assert not first.label.plain.endswith("(Esc)"), dialog
            assert first.region.x < last.region.x, dialog  # side by side, action left
            await pilot.press("escape")
            await pilot.pause()
            assert example_app.screen is not dialog
