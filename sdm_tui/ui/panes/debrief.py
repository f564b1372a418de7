"""Debrief (training only): the observer's view beside the players', and its export.

Left: the observer's scores and notes and the learning goals (met, missed or
not marked). Right: the service user's feedback and everyone's certainty
check, person by person. On a narrow screen the two stack. Everything comes
from sdm_tui.core.debrief, which also writes the exported Markdown, so the file
says what the screen says.

Export needs the record saved first (Ctrl+S): the debrief is then written from
the finished record, next to it, and both say the same. A debrief is never
overwritten; if the folder cannot be written, another can be typed.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.widgets import Button, Input, Static

from sdm_tui.core.debrief import (
    CERTAINTY_SHORT,
    FEEDBACK_SHORT,
    NOT_ANSWERED,
    certainty_rows,
    debrief_markdown,
    debrief_path,
    feedback_rows,
    goal_rows,
    observer_rows,
    observer_total_text,
    outcome_text,
)
from sdm_tui.core.fsutil import StoreError, atomic_write, make_dir
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import Session
from sdm_tui.ui.messages import DoneAsked
from sdm_tui.ui.panes.base import Pane

WIDE = 96  # columns from which the two views sit side by side


def _grid(*, wide: int = 0, columns: int = 2) -> Table:
    """Rows without borders; column `wide` takes the room left, the others fit their words."""
    table = Table.grid(padding=(0, 2), expand=True)
    for i in range(columns):
        if i == wide:
            table.add_column(ratio=1, overflow="fold")
        else:
            table.add_column(no_wrap=True)
    return table


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def observer_view(session: Session, scenario: Scenario | None) -> RenderableType:
    """The observer's scores, notes and goal marks (typed text as Text, never markup)."""
    scores = _grid()
    for row in observer_rows(session):
        scores.add_row(Text(row.name), Text(row.score_text, style="bold"))
        if row.note:
            scores.add_row(Text("  “" + row.note + "”", style="italic"), Text(""))
    goals = _grid(wide=1)
    rows = goal_rows(session, scenario)
    for goal in rows:
        goals.add_row(Text(goal.mark, style="bold"), Text(goal.text))
    parts: list[RenderableType] = [
        _heading("What the observer saw (0 not seen to 4 fully)"),
        scores,
        Text(observer_total_text(session)),
        Text(""),
        _heading("Learning goals"),
    ]
    parts.append(goals if rows else Text("None: the scenario file is not available."))
    return Group(*parts)


def players_view(session: Session) -> RenderableType:
    """The service user's feedback, and each person's certainty check side by side."""
    su = session.service_user()
    who = su.label if su is not None else "the service user"
    feedback = _grid()
    for item, answer in feedback_rows(session):
        feedback.add_row(Text(FEEDBACK_SHORT.get(item, item)), Text(answer, style="bold"))
    parts: list[RenderableType] = [
        _heading(f"How involved {who} felt"),
        feedback,
        Text(""),
        _heading("How sure each person felt (— not answered)"),
    ]
    people, rows = certainty_rows(session)
    if people:
        certainty = _grid(columns=len(people) + 1)
        certainty.add_row(Text(""), *(Text(p.label, style="bold") for p in people))
        for item, answers in rows:
            marks = (Text("—" if a == NOT_ANSWERED else a) for a in answers)
            certainty.add_row(Text(CERTAINTY_SHORT.get(item, item)), *marks)
        parts.append(certainty)
    else:
        parts.append(Text("No one's views were recorded."))
    parts += [Text(""), Text(f"Outcome: {outcome_text(session)}")]
    return Group(*parts)


class DebriefPane(Pane):
    BINDINGS = [Binding("ctrl+e", "export", "Export debrief")]

    def __init__(self, grid: OptionGrid, scenario: Scenario | None, *, id: str | None = None):
        super().__init__(grid, id=id)
        self.scenario = scenario
        self.exported: Path | None = None
        self._problem = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="debrief-actions"):
            yield Button(
                "Export debrief (Ctrl+E)", id="debrief-export", variant="primary", compact=True
            )
            yield Button("Done: back to Home", id="debrief-done", compact=True)
        yield Static("", id="debrief-status", markup=False)
        with Horizontal(id="debrief-elsewhere"):
            yield Input(placeholder="Another folder, e.g. /media/usb/debriefs", id="debrief-folder")
            yield Button("Export there", id="debrief-export-other")
        with VerticalScroll(id="debrief-scroll"), Horizontal(id="debrief-columns"):
            yield Static("", id="debrief-observer")
            yield Static("", id="debrief-players")

    def on_mount(self) -> None:
        self.query_one("#debrief-elsewhere").display = False
        self.query_one("#debrief-scroll", VerticalScroll).can_focus = True
        self._set_width(self.size.width or self.app.size.width)
        if self.session is not None:
            self._draw(self.session)

    def on_resize(self, event: Resize) -> None:
        self._set_width(event.size.width)

    def _set_width(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")

    def focus_first(self) -> None:
        self.focus_on(self.query_one("#debrief-export", Button))

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        if self.is_mounted:
            self._draw(session)

    def _draw(self, session: Session) -> None:
        self.query_one("#debrief-observer", Static).update(observer_view(session, self.scenario))
        self.query_one("#debrief-players", Static).update(players_view(session))
        self.query_one("#debrief-done").display = self._record_path() is not None
        self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#debrief-status", Static)
        saved = self._record_path()
        if self._problem:
            text = self._problem  # why the last export failed, until the next try
        elif self.exported is not None:
            text = f"✓ Debrief exported: {self.exported}"
        elif saved is None:
            text = (
                "Not exported yet: save the record first (Ctrl+S). The debrief is then "
                "written next to it, from the same finished record."
            )
        else:
            text = f"✓ Record saved: {saved}\nCtrl+E exports this debrief next to it."
        status.update(text)
        status.set_class(bool(self._problem), "error")

    def _record_path(self) -> Path | None:
        saved_to = self.saved_to
        if not saved_to or self.session is None or self.session.completed is None:
            return None
        return Path(saved_to)

    # Export -----------------------------------------------------------------------------

    def action_export(self) -> None:
        self.export()

    def export(self, folder: Path | None = None) -> Path | None:
        """Write the debrief next to the saved record (or into `folder`); never overwrite."""
        record_path = self._record_path()
        if self.session is None or record_path is None:
            self.notify(
                "Save the record first (Ctrl+S), then export the debrief.",
                title="Not exported yet",
                severity="warning",
                markup=False,
            )
            return None
        target = debrief_path(record_path)
        if folder is not None:
            target = folder / target.name
        self._problem = ""
        if target.exists():
            self.exported = target
            self._show_status()
            self.query_one("#debrief-status", Static).update(
                f"✓ The debrief is already at {target}; it was not written again."
            )
            self.notify("Already exported; nothing was overwritten.", markup=False)
            return target
        text = debrief_markdown(self.session, self.scenario, self.grid)
        try:
            if folder is not None:
                make_dir(folder)
            atomic_write(target, text.encode("utf-8"), replace=False)
        except StoreError as exc:
            self._problem = (
                f"⚠ Not exported. {exc}\nType another folder below and press 'Export "
                "there'. The record is saved; nothing is lost."
            )
            self._show_status()
            self.query_one("#debrief-elsewhere").display = True
            self.query_one("#debrief-folder", Input).focus()
            self.notify(str(exc), title="Not exported", severity="error", markup=False, timeout=10)
            return None
        self.exported = target
        self._show_status()
        self.query_one("#debrief-elsewhere").display = False
        self.focus_first()
        self.notify(f"Debrief exported to {target}", title="Exported", markup=False)
        return target

    @on(Button.Pressed, "#debrief-export")
    def _export(self, event: Button.Pressed) -> None:
        event.stop()
        self.export()

    @on(Button.Pressed, "#debrief-export-other")
    @on(Input.Submitted, "#debrief-folder")
    def _export_other(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        folder = self.query_one("#debrief-folder", Input).value.strip()
        if not folder:
            self.notify("Type a folder to export to.", severity="warning")
            return
        self.export(Path(folder).expanduser())

    @on(Button.Pressed, "#debrief-done")
    def _done(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(DoneAsked())
