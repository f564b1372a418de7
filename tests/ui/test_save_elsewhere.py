"""When the records folder cannot be written, finishing says so and saves into another
folder typed in the summary (the pane posts SaveElsewhere; the screen saves)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flow import focused_id, open_consultation, tab_to, type_text, until
from test_finish import ready_to_finish
from textual.widgets import Input, Static

from sdm_tui.core import record
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.session import Session
from sdm_tui.core.store import RecordStore, SavedRecord
from sdm_tui.ui.app import SdmApp


async def test_a_failed_save_offers_another_folder_and_saves_there(
    example_app: SdmApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(session: Session, markdown: str) -> SavedRecord:
        raise StoreError("The records folder is full.")

    monkeypatch.setattr(example_app.store, "save_finished", refuse)
    elsewhere = tmp_path / "usb"
    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app), "f6")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert focused_id(pilot) == "yes"
        await pilot.press("enter")
        await pilot.pause()
        status = str(screen.query_one("#summary-status", Static).render())
        assert status.startswith("⚠ Not saved. The records folder is full.")
        assert screen.session.completed is None  # still open, nothing lost
        assert screen.query_one("#save-elsewhere").display
        assert focused_id(pilot) == "other-folder"
        screen.query_one("#other-folder", Input).value = str(elsewhere)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session.completed is not None
        assert screen.saved_to.startswith(str(elsewhere))
        assert not screen.query_one("#save-elsewhere").display
        status = str(screen.query_one("#summary-status", Static).render())
        assert f"✓ Saved the record: {screen.saved_to}" in status
        assert all(pane.saved_to == screen.saved_to for pane in screen.panes.values())
    files = list(RecordStore(elsewhere).record_files())
    assert len(files) == 1
    assert record.load(files[0]).record_id == screen.session.record_id


async def test_a_draft_write_that_failed_is_known_as_soon_as_it_is_waited_for(
    example_app: SdmApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed text is written by the writer thread; whoever waits for that write (quitting,
    finishing) must see its failure then, not only once the loop runs its callback."""
    release = threading.Event()

    def full(session: Session) -> Path:
        release.wait(10)
        raise StoreError("The records folder is full.")

    async with example_app.run_test(size=(100, 30)) as pilot:
        screen = await open_consultation(example_app, pilot, ready_to_finish(example_app), "f2")
        monkeypatch.setattr(example_app.store, "save_draft", full)
        await tab_to(pilot, "team-matters")
        await type_text(pilot, " and sleeping well")
        await until(
            pilot,
            lambda: screen.session.team_talk.what_matters.endswith("sleeping well"),
            "the typed words applied (their write is now waiting)",
        )
        assert screen.save_error == ""
        release.set()
        screen.wait_saved()  # no await: the loop has not run the write's callback yet
        assert screen.save_error == "The records folder is full."
