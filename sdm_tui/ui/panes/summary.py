"""Summary: the take-away Markdown, and Save (record + summary), with a way out if saving fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Markdown, Static, TabbedContent

from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.session import Session, SessionError
from sdm_tui.core.store import SavedRecord
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.core.transitions import missing_for_completion
from sdm_tui.ui.messages import AmendAsked, DoneAsked, FinishAsked, SaveElsewhere
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.takehome import NAMES, TakeHomeAsked


class SummaryPane(Pane):
    """The summary talk. Finishing is the screen's job: it posts FinishAsked or
    SaveElsewhere here, and the screen calls `saved`, `not_saved` or `not_finished`."""

    # After finishing: the take-home handout and the clinical note, beside the record.
    BINDINGS = [
        Binding("h", "takehome('html')", "Print handout"),
        Binding("c", "takehome('text')", "Copy note"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="summary-actions"):
            yield Button("Finish and save (Ctrl+S)", id="save", variant="primary")
            yield Button("Done: back to Home", id="done")
            yield Button("Make an amendment", id="amend")
            yield Button("Print handout", id="handout")
            yield Button("Copy note", id="note")
        yield Static("", id="summary-status", markup=False)
        with Horizontal(id="save-elsewhere"):
            yield Input(placeholder="Another folder, e.g. /media/usb/records", id="other-folder")
            yield Button("Save there", id="save-other")
        with VerticalScroll(id="summary-scroll"):
            yield Markdown("", id="summary-text")

    def on_mount(self) -> None:
        self.query_one("#save-elsewhere").display = False
        self.query_one("#done").display = False
        self.query_one("#amend").display = False
        self.query_one("#handout").display = False
        self.query_one("#note").display = False
        self._dirty = True

    # The clinic's contact line for the summary (the screen gives its store's).
    contact: Callable[[], str] = staticmethod(lambda: DEFAULT_CONTACT)

    _shown_text = ""

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        self._dirty = True
        if self._visible():
            self.activated()
        self._show_missing()

    def _visible(self) -> bool:
        """Is this talk's tab the open one?"""
        tab = self.parent
        tabs = next((w for w in self.ancestors if isinstance(w, TabbedContent)), None)
        return tab is not None and tabs is not None and tabs.active == tab.id

    def activated(self) -> None:
        if not self._dirty or self.session is None:
            return
        self._dirty = False
        text = summary_markdown(self.session, self.grid, contact=self.contact())
        if text != self._shown_text:  # Markdown builds every block again, laid out anew
            self._shown_text = text
            self.query_one("#summary-text", Markdown).update(text)

    def _show_missing(self) -> None:
        if self.session is None or self.session.completed is not None:
            return
        missing = missing_for_completion(self.session)
        status = self.query_one("#summary-status", Static)
        if missing:
            status.update("Before finishing: " + " ".join(missing))
            status.set_class(True, "hint")
        elif not status.has_class("error"):
            status.update(
                "Ready to finish. Finishing saves the record and its summary; changes "
                "after that are made as an amendment."
            )

    def focus_first(self) -> None:
        self.query_one("#save" if self.query_one("#save").display else "#done").focus()

    def not_finished(self, exc: SessionError) -> None:
        """Finishing was refused (something still needed): say what, nothing saved."""
        status = self.query_one("#summary-status", Static)
        status.update(f"Not saved yet. {exc}")
        status.set_class(True, "error")
        self.notify(str(exc), title="Not saved yet", severity="warning", markup=False)

    def not_saved(self, exc: StoreError) -> None:
        """The folder could not be written: offer another; the consultation stays open."""
        status = self.query_one("#summary-status", Static)
        status.update(
            f"⚠ Not saved. {exc}\nType another folder below and press "
            "'Save there'. The consultation stays open, nothing is lost."
        )
        status.set_class(True, "error")
        self.query_one("#save-elsewhere").display = True
        self.query_one("#other-folder", Input).focus()
        self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=10)

    def saved(self, saved: SavedRecord) -> None:
        """Say where the record and its summary were saved; offer the take-homes."""
        status = self.query_one("#summary-status", Static)
        status.set_class(False, "error")
        lines = [f"✓ Saved the record: {saved.toml}"]
        if saved.markdown:
            lines.append(f"✓ Saved the summary: {saved.markdown}")
        else:
            lines.append(
                f"⚠ The summary could not be written ({saved.markdown_error}). "
                "The record is safe; export the summary later with "
                "'sdm-tui records export'."
            )
        status.update("\n".join(lines))
        self.query_one("#save-elsewhere").display = False
        self.query_one("#save").display = False
        self.query_one("#done").display = True
        self.query_one("#amend").display = True
        self.query_one("#handout").display = True
        self.query_one("#note").display = True
        self.refresh_bindings()  # h and c now write the handout and the note
        if self.session is None or self.session.training is None:
            self.query_one("#done", Button).focus()  # a role-play goes on to its debrief
        self.notify("Record and summary saved.", title="Saved")

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.post_message(FinishAsked())  # the screen asks first, as for Ctrl+S

    @on(Button.Pressed, "#save-other")
    @on(Input.Submitted, "#other-folder")
    def _save_other(self) -> None:
        folder = self.query_one("#other-folder", Input).value.strip()
        if not folder:
            self.notify("Type a folder to save to.", severity="warning")
            return
        self.post_message(SaveElsewhere(Path(folder).expanduser()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "takehome":  # only once there is a saved record to put them beside
            return self.session is not None and self.session.completed is not None
        return True

    def action_takehome(self, kind: str) -> None:
        self.post_message(TakeHomeAsked(kind))

    @on(Button.Pressed, "#handout")
    def _handout(self) -> None:
        self.post_message(TakeHomeAsked("html"))

    @on(Button.Pressed, "#note")
    def _note(self) -> None:
        self.post_message(TakeHomeAsked("text"))

    def written(self, kind: str, path: Path) -> None:
        """Say where the handout or note was written (the screen wrote it)."""
        status = self.query_one("#summary-status", Static)
        lines = [line for line in str(status.render()).split("\n") if line]
        lines = [line for line in lines if not line.startswith(f"✓ {NAMES[kind]}: ")]
        status.update("\n".join([*lines, f"✓ {NAMES[kind]}: {path}"]))
        self.refresh_bindings()

    @on(Button.Pressed, "#amend")
    def _amend(self) -> None:
        self.post_message(AmendAsked())

    @on(Button.Pressed, "#done")
    def _done(self) -> None:
        self.post_message(DoneAsked())
