"""Yes/no dialogs answer to arrows, Tab, Enter and Escape."""

from __future__ import annotations

from sdm_tui.ui.screens.confirm import ConfirmQuit


async def test_arrow_keys_move_between_dialog_buttons(example_app) -> None:
    answers: list[bool | None] = []
    async with example_app.run_test(size=(80, 24)) as pilot:
        example_app.push_screen(ConfirmQuit(), answers.append)
        await pilot.pause()
        assert example_app.focused.id == "stay"  # the safe choice has focus
        await pilot.press("right")
        assert example_app.focused.id == "quit"
        await pilot.press("left")
        assert example_app.focused.id == "stay"
        await pilot.press("enter")
        await pilot.pause()
        example_app.push_screen(ConfirmQuit(), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert answers == [False, False]


async def test_quit_confirmation_warns_when_the_draft_could_not_be_saved(example_app) -> None:
    async with example_app.run_test(size=(80, 24)) as pilot:
        example_app.push_screen(ConfirmQuit("Could not save to /x: the disk is full."))
        await pilot.pause()
        text = " ".join(str(w.render()) for w in example_app.screen.query("Static"))
        assert "could NOT be saved" in text and "disk is full" in text
