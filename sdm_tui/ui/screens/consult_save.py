"""Saving a consultation: the draft on every change, finishing, the take-home files.

`Saving` is a base of ConsultationScreen (screens/consult.py), which owns the session
and handles the messages; the methods here write what the screen holds and say so in
its status line. It is a plain mixin, so it has no @on handlers (Textual collects those
only from Widget and Screen classes); the screen's handlers call these methods.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Button, Static, TextArea

from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Session, SessionError
from sdm_tui.core.store import RecordStore, SavedRecord
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.core.transitions import complete, missing_for_completion, still_empty
from sdm_tui.ui.panes.base import Pane

if TYPE_CHECKING:
    from sdm_tui.ui.panes.summary import SummaryPane

    _Base = Screen[None]
else:
    _Base = object

READ_ONLY = "Read-only now. To change anything, make an amendment (Summary, F6)."


class Saving(_Base):
    """Autosave, finish and save, and the status line (a base of ConsultationScreen)."""

    # Set by ConsultationScreen.__init__.
    store: RecordStore
    grid: OptionGrid
    session: Session
    training: bool
    panes: dict[str, Pane]
    saved_to: str
    save_error: str
    _writer: ThreadPoolExecutor | None
    _writing: Future[str] | None
    _save_line: str

    if TYPE_CHECKING:  # ConsultationScreen's, used here

        @property
        def summary(self) -> SummaryPane: ...

        def action_talk(self, key: str) -> None: ...

        def flush(self) -> None: ...

        def _show_all(self, *, everywhere: bool = False) -> None: ...

        def _talk_file(self) -> Path: ...

    def _show_save_state(self) -> None:
        # The line is one row high whatever it says, so no new layout is needed:
        # laying the screen out again after every key press doubled key latency.
        label = self.query_one("#save-state", Static)
        if self.saved_to:
            width = label.size.width or self.size.width
            # A second line, once: every talk says it is read-only and what to do instead.
            label.update(
                fit_path("✓ Finished and saved: ", self.saved_to, width) + "\n" + READ_ONLY
            )
            label.remove_class("error")
        elif self.save_error:
            label.update(f"⚠ Not saved: {self.save_error}", layout=False)
            label.add_class("error")
        else:
            # Local time, as the clock on the wall; the record id is in the summary.
            text = f"✓ Draft saved at {self.session.updated.astimezone():%H:%M:%S}"
            if label.has_class("error") or text != self._save_line:
                label.update(text, layout=False)  # not again when it says the same
            self._save_line = text
            label.remove_class("error")
            return
        self._save_line = ""

    def on_resize(self) -> None:
        if self.saved_to:
            self.call_after_refresh(self._show_save_state)  # the path fits the new width

    def _autosave(self, *, background: bool = False) -> None:
        """Write the draft. `background`: by the one writer thread, in order, so typing
        goes on meanwhile; any other save first waits for the writes before it."""
        if self.session.completed is not None:
            return
        session = self.session
        if background:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draft")
            loop = asyncio.get_running_loop()
            future = self._writer.submit(self._write_draft, session)
            self._writing = future
            future.add_done_callback(
                lambda done: loop.call_soon_threadsafe(self._written, done, session)
            )
            return
        self.wait_saved()
        self._saved(self._write_draft(session))

    def _write_draft(self, session: Session) -> str:
        """ "" when written, else the reason (runs in the writer thread, or here)."""
        try:
            self.store.save_draft(session)
        except StoreError as exc:
            return str(exc)
        return ""

    def _written(self, done: Future[str], session: Session) -> None:
        # Only the newest write's result counts: each write holds the whole draft, so an
        # older failure that a newer write put right must not come back after it
        # (wait_saved may have taken the newest result already).
        if self._writing is done:
            self._writing = None
            self._saved(done.result())
        if session is self.session and self.is_mounted:
            self._show_save_state()

    def _saved(self, error: str) -> None:
        if error and not self.save_error:
            self.notify(error, title="Draft not saved", severity="error", timeout=10, markup=False)
        self.save_error = error

    def wait_saved(self) -> None:
        """Wait for a draft being written in the background (a few ms at most)."""
        writing = self._writing
        if writing is not None:
            error = writing.result()
            if self._writing is writing:
                self._writing = None
            self._saved(error)  # save_error is up to date for whoever asks next

    def action_save(self) -> None:
        """Ctrl+S, "Finish and save": say what is still empty and ask first."""
        if self.session.completed is not None:
            self.action_talk("summary")
            return
        self.flush()
        if missing_for_completion(self.session):
            self._finish_now()  # says what is needed, and saves nothing
            return
        from sdm_tui.ui.screens.confirm import ConfirmFinish

        def answered(finish: bool | None) -> None:
            if finish:
                self._finish_now()

        self.app.push_screen(ConfirmFinish(still_empty(self.session)), answered)

    def action_takehome(self, kind: str) -> None:
        """Print handout (html) / Copy note (text): write it beside the saved record and
        say where; before finishing there is no record yet, and it says so."""
        from sdm_tui.ui.takehome import NAMES, NOT_SAVED, write_takehome

        if self.session.completed is None or not self.saved_to:
            self.notify(NOT_SAVED, title="Not written", severity="warning", markup=False)
            return
        try:
            path = write_takehome(kind, self.session, self.grid, self.saved_to, self.store)
        except StoreError as exc:
            self.notify(str(exc), title="Not written", severity="error", markup=False, timeout=10)
            return
        self.summary.written(kind, path)
        self.notify(f"{NAMES[kind]}: {path}", title="Written", markup=False, timeout=10)

    def _finish_now(self, store: RecordStore | None = None) -> None:
        """Finish and save; the summary says what was saved, or why not."""
        already_saved = bool(self.saved_to)
        self.action_talk("summary")
        try:
            saved = self.finish(store)
        except SessionError as exc:
            self.summary.not_finished(exc)
            return
        except StoreError as exc:
            self.summary.not_saved(exc)
            return
        self.summary.saved(saved)
        if self.training:
            # A role-play goes on to its debrief, so it is not left unexported.
            self.call_after_refresh(self.action_talk, "debrief")
        if self.training and not already_saved:
            self.notify(
                "This is the debrief to talk it through; Ctrl+E exports it.",
                title="Role-play saved",
                timeout=15,
            )

    def finish(self, store: RecordStore | None = None) -> SavedRecord:
        """Complete the session and save record + summary; raise SessionError/StoreError.

        On any error the session stays as it was, in memory, so nothing is lost
        and it can be saved again (or to another folder).
        """
        target = store or self.store
        self.wait_saved()  # no draft write may land after the record is finished
        if self.session.completed is not None and self.saved_to:
            raise SessionError(f"Already saved to {self.saved_to}.")
        finished = complete(self.session)
        contact = target.clinic_contact(DEFAULT_CONTACT)
        saved = target.save_finished(
            finished, summary_markdown(finished, self.grid, contact=contact)
        )
        if target is not self.store:
            with contextlib.suppress(OSError):
                self.store.discard_draft(finished.record_id)
        with contextlib.suppress(OSError):
            self._talk_file().unlink(missing_ok=True)
        self.session = finished
        self.saved_to = str(saved.toml)
        for pane in self.panes.values():
            pane.saved_to = self.saved_to
        self.save_error = ""
        self._show_all(everywhere=True)
        self._read_only()
        return saved

    def _read_only(self) -> None:
        """After finishing, every talk shows the record but takes no more edits."""
        for key, pane in self.panes.items():
            if key == "debrief":
                continue  # exporting the debrief changes no record
            for area in pane.query(TextArea):
                area.read_only = True
            for widget in pane.query("Input, RadioSet, Select, SelectionList, Checkbox"):
                if widget.id not in ("other-folder",):
                    widget.disabled = True
            for button in pane.query(Button):
                if button.id == "team-add-button" or button.has_class("team-remove"):
                    button.disabled = True

    @property
    def has_unsaved_work(self) -> bool:
        return self.session.completed is None and bool(self.save_error)


def fit_path(lead: str, path: str, width: int) -> str:
    """`lead` + `path` in `width` cells, keeping the end of the path (its file name)."""
    if width <= 0 or len(lead) + len(path) <= width:
        return lead + path
    room = max(width - len(lead) - 1, 8)
    return f"{lead}…{path[-room:]}"
