"""Print handout and Copy note in the app: after finishing, keys in the summary talk
write the handout and the clinical note beside the record and say where.

The consultation is the invented one of tests/handout_cases.py ("Me", "Dr Test").
"""

from __future__ import annotations

import stat

from flow import open_consultation, saved_record
from handout_cases import typical
from textual.widgets import Static

from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.textual_compat import notifications


def toasts(app: SdmApp) -> str:
    return " ".join(str(n.message) for n in notifications(app))


async def test_finish_then_print_the_handout_and_copy_the_note(
    shipped_app: SdmApp, store: RecordStore
) -> None:
    app = shipped_app
    ready = typical().model_copy(update={"completed": None})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_consultation(app, pilot, ready, "f6")
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Print handout" in titles and "Copy note" in titles
        # Before finishing there is no record to put them beside: it says so.
        screen.action_takehome("html")
        await pilot.pause()
        assert "Finish and save first" in toasts(app)
        # Finish: Ctrl+S, Enter on "Finish and save".
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session.completed is not None
        for button in ("#done", "#amend", "#handout", "#note"):  # all fit at 80 columns
            assert 0 < screen.query_one(button).region.right <= 80, button
        # h: Print handout; c: Copy note (the summary's buttons have the focus).
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        status = str(screen.query_one("#summary-status", Static).render())
        await pilot.press("ctrl+q")
        await pilot.pause()
    _, _, path = saved_record(store.root)
    handout = path.with_name(path.stem + ".handout.html")
    note = path.with_name(path.stem + ".note.txt")
    assert f"Handout to print: {handout}" in status.replace("\n", "")
    assert f"Note to paste: {note}" in status.replace("\n", "")
    for written in (handout, note):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert written.name.startswith(path.stem)  # the date and record id only
    html = handout.read_text(encoding="utf-8")
    assert "We chose “Aripiprazole”." in html
    assert "default-src 'none'" in html.replace("&#x27;", "'")
    text = note.read_text(encoding="utf-8")
    assert 'Outcome: Option chosen: "Aripiprazole"' in text
    assert all(len(line) < 80 for line in text.splitlines())
