"""Review past records: a filtered list, newest first, from the records index.

The list shows what the index (sdm_tui.core.index) holds at once, then checks
the folder in a worker thread ("checking the folder…") and redraws when files
were added, changed or removed behind the app's back. Only the rows in view
are read from the index (VirtualList), so 100,000 records open as fast as 100.

Every filter change asks the index again (typing waits ~150 ms for a pause).
Training records appear only when asked for. A record that fails its integrity
check or cannot be read is listed with a ✗ and why, and opens to the reason
and the fix; it is never hidden.

After the folder is checked, every file is compared with what the index holds
(its sha256, and each row's seal) in another worker thread, in small batches,
with the progress in the status line; a file or row not as indexed is read
again and marked ≠ "changed on disk" in the list. Opening a record checks that
one file the same way, and its view says so when it differs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, Header, Input, Select, Static

from sdm_tui.core.index import Filters, IndexRow, RecordIndex, Verified
from sdm_tui.core.index.reading import read_record
from sdm_tui.core.record import RecordProblem
from sdm_tui.ui.screens.record_view import RecordProblemScreen, RecordViewScreen
from sdm_tui.ui.screens.review_checks import FolderChecks
from sdm_tui.ui.screens.review_rows import (
    LEGEND,
    MODE_NAMES,
    MODES,
    OUTCOMES,
    RecordHeading,
    describe,
    parse_day,
    row_text,
)
from sdm_tui.ui.widgets.footer import Footer
from sdm_tui.ui.widgets.marks import CursorSelect
from sdm_tui.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from sdm_tui.ui.app import SdmApp

DEBOUNCE_S = 0.15


class ReviewScreen(FolderChecks, Screen[None]):
    """Every finished record, newest first, with filters; open, timeline, clinic view."""

    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+f", "search", "Find"),
        Binding("t", "timeline", "Timeline"),
        Binding("c", "clinic", "Clinic view"),
        Binding("m", "next_mode", "Mode"),
        Binding("ctrl+r", "check_folder", "Re-check"),
    ]

    def __init__(self, root: Path | None = None, *, today: date | None = None) -> None:
        super().__init__()
        self._root = root
        self.today = today or date.today()
        self.index: RecordIndex | None = None
        self.filters = Filters()
        self.mode = "clinical"
        self.count = 0
        self.problems: list[str] = []
        self.checking = ""
        self.checked = ""
        self.verifying = ""  # the background check of every file's hash, while it runs
        self.verified = ""
        self._verify_started = False  # its thread began (a worker cancelled sooner never does)
        self.verify_result: Verified | str | None = None  # the last check's result
        self.index_error = ""
        self.empty_note = ""
        self._timer: Timer | None = None
        self._grid_titles: dict[str, str] = {}
        self._last_progress = 0.0
        self._last_requery = 0.0
        self._gone = False  # the screen was closed (a check may still be running)

    @property
    def root(self) -> Path:
        return self._root if self._root is not None else self.app.store.root

    # Layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-filters-1", classes="filter-row"):
            yield Static("Find", classes="filter-label", markup=False)
            yield Input(placeholder="e.g. weight", id="f-text", compact=True)
            yield Static("Ref", classes="filter-label", markup=False)
            yield Input(placeholder="e.g. SU-0042", id="f-ref", compact=True)
            yield CursorSelect(
                [(Text("Any grid"), "")], value="", allow_blank=False, id="f-grid", compact=True
            )
        with Horizontal(id="review-filters-2", classes="filter-row"):
            yield Static("From", classes="filter-label", markup=False)
            yield Input(placeholder="e.g. 2026-01-31", id="f-from", compact=True, max_length=10)
            yield Static("To", classes="filter-label", markup=False)
            yield Input(placeholder="e.g. 2026-12-31", id="f-to", compact=True, max_length=10)
            yield CursorSelect(
                [(Text(k), v) for k, v in OUTCOMES],
                value="",
                allow_blank=False,
                id="f-outcome",
                compact=True,
            )
            yield CursorSelect(
                [(Text(name), key) for key, name in MODE_NAMES.items()],
                value="clinical",
                allow_blank=False,
                id="f-mode",
                compact=True,
            )
            yield Checkbox("Open concerns", id="f-concerns", compact=True)
        yield Static("", id="review-status", markup=False)
        yield Static("", id="review-note", markup=False)
        yield Static(LEGEND, id="review-legend", classes="hint", markup=False)
        yield RecordHeading("", id="review-heading")
        yield VirtualList(
            self._page_for(self.filters),
            lambda row, width: row_text(row, width, self.today),
            id="review-list",
            empty="Opening the records index…",
        )
        yield Footer()

    @property
    def rows(self) -> VirtualList[IndexRow]:
        return self.query_one("#review-list", VirtualList)

    def on_mount(self) -> None:
        self.sub_title = "Review past records"
        self.rows.focus()
        try:
            self.index = RecordIndex.open(self.root)
        except (sqlite3.Error, OSError) as exc:
            self.index_error = (
                f"⚠ The records index in {self.root} cannot be opened ({exc}). "
                "Delete index.sqlite3 there and open this screen again; records are not touched."
            )
            self.rows.set_empty("The list cannot be shown.")
            self._show_status()
            return
        self.requery()
        # After the first paint: the list shows first, then the folder is checked (the
        # check's thread competes for the interpreter); a Select's options can be set then.
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self._load_grids()
        self.action_check_folder(full=False)  # unchanged month folders passed over

    def on_unmount(self) -> None:
        # A check still running closes the index when it ends (see _finish_check).
        self._gone = True
        if self.verifying and not self._verify_started:
            self.verifying = ""  # cancelled with the screen before its thread began
        if self.index is not None and not self.checking and not self.verifying:
            self.index.close()

    # Filters -----------------------------------------------------------------

    def _load_grids(self) -> None:
        if self.index is None:
            return
        try:
            grids = self.index.grids()
        except sqlite3.Error:
            return
        titles = dict(grids)
        if titles == self._grid_titles:
            return
        self._grid_titles = titles
        select = self.query_one("#f-grid", Select)
        current = select.value
        options = [(Text("Any grid"), "")] + [
            (Text(title or grid_id), grid_id) for grid_id, title in grids
        ]
        select.set_options(options)
        select.value = current if current in titles else ""

    def read_filters(self) -> tuple[Filters, list[str]]:
        problems = []
        date_from, problem = parse_day(self.query_one("#f-from", Input).value, "From")
        if problem:
            problems.append(problem)
        date_to, problem = parse_day(self.query_one("#f-to", Input).value, "To")
        if problem:
            problems.append(problem)
        if date_from and date_to and date_from > date_to:
            problems.append("⚠ The From date is after the To date, so nothing can match.")
        grid = self.query_one("#f-grid", Select).value
        outcome = self.query_one("#f-outcome", Select).value
        mode = self.query_one("#f-mode", Select).value
        self.mode = mode if isinstance(mode, str) and mode in MODES else "clinical"
        filters = Filters(
            text=self.query_one("#f-text", Input).value,
            reference=self.query_one("#f-ref", Input).value.strip(),
            date_from=date_from,
            date_to=date_to,
            grid=grid if isinstance(grid, str) else "",
            outcome=outcome if isinstance(outcome, str) else "",
            modes=MODES[self.mode],
            open_concerns=self.query_one("#f-concerns", Checkbox).value,
        )
        return filters, problems

    @on(Input.Changed, ".filter-row Input")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.requery)

    @on(Input.Submitted, ".filter-row Input")
    def _submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.requery()
        self.rows.focus()

    @on(Select.Changed, ".filter-row Select")
    @on(Checkbox.Changed, "#f-concerns")
    def _chosen(self) -> None:
        self.requery()

    def requery(self, *, keep_cursor: bool = False) -> None:
        """Ask the index again with the filters on screen, and redraw the list."""
        self._timer = None
        if self.index is None:
            return
        self.filters, self.problems = self.read_filters()
        try:
            self.count = self.index.count(self.filters)
            self.index_error = ""
        except sqlite3.Error as exc:
            self.count = 0
            self.index_error = (
                f"⚠ The records index could not be read ({exc}). "
                "Press Ctrl+R to check the folder again."
            )
        self.empty_note = self._empty_words()
        self.rows.set_empty("No records to show." if self.empty_note else "")
        self.rows.reset(self.count, self._page_for(self.filters), keep_cursor=keep_cursor)
        self._show_status()
        if self.index.stale and not self.checking:
            # Damage was found and the index made afresh: fill it from the files.
            self.call_later(self.action_check_folder)

    def _page_for(self, filters: Filters):
        def fetch(offset: int, limit: int) -> list[IndexRow]:
            if self.index is None:
                return []
            try:
                return self.index.page(filters, offset, limit)
            except sqlite3.Error as exc:
                self.index_error = f"⚠ The records index could not be read ({exc})."
                self.call_later(self._show_status)
                return []

        return fetch

    def _empty_words(self) -> str:
        if self.index is None:
            return "Opening the records index…"
        if self.count:
            return ""
        if self.filters.modes == ("clinical",):
            try:
                training = self.index.count(replace(self.filters, modes=("training",)))
            except sqlite3.Error:
                training = 0
            if training:
                return (
                    f"No clinical records match. {training:,} training record"
                    f"{'s' if training > 1 else ''} do: press m, or choose “Training records” "
                    "or “All records” under Mode, to show them."
                )
        if self.checking and not self.index_error:
            return "No records found yet: still checking the folder…"
        return (
            "No records match these filters."
            if self._filtered()
            else ("No finished records here yet. Saved consultations appear in this list.")
        )

    def _filtered(self) -> bool:
        f = self.filters
        return bool(
            f.text.strip()
            or f.reference
            or f.date_from
            or f.date_to
            or f.grid
            or f.outcome
            or f.open_concerns
        )

    def _show_status(self) -> None:
        status = f"{self.count:,} record{'' if self.count == 1 else 's'} · "
        status += describe(self.filters, self.mode, self._grid_titles)
        if self.checking:
            status += f" · {self.checking}"
        elif self.checked:
            status += f" · {self.checked}"
        if self.verifying or self.verified:
            status += f" · {self.verifying or self.verified}"
        self.query_one("#review-status", Static).update(status)
        notes = [n for n in (self.index_error, *self.problems) if n]
        if self.index is not None and self.index.warning:
            notes.append(f"⚠ {self.index.warning}")
        if not self.count and self.empty_note and self.index is not None:
            notes.append(self.empty_note)
        note = self.query_one("#review-note", Static)
        note.update("\n".join(notes))
        note.display = bool(notes)

    # Opening -----------------------------------------------------------------

    @on(VirtualList.Selected, "#review-list")
    def _open(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.open_record(event.row)  # type: ignore[arg-type]

    def open_record(self, row: IndexRow) -> None:
        path = self.root / row.path
        if row.status != "ok":
            self.app.push_screen(RecordProblemScreen(str(path), row.status, row.problem))
            return
        if not path.exists():
            self.app.push_screen(
                RecordProblemScreen(str(path), "missing", "the file is not there any more")
            )
            self.action_check_folder()
            return
        try:
            session, digest = read_record(path)
        except RecordProblem as exc:
            self.app.push_screen(RecordProblemScreen(str(path), exc.kind, str(exc.problems[0])))
            self.action_check_folder()  # it changed since the index read it
            return
        # Marked by the background check, or found just now: the view says so.
        changed = bool(row.flag)
        if self.index is not None:
            with contextlib.suppress(sqlite3.Error):  # the file itself is shown either way
                changed = not self.index.check_file(row.path, digest) or changed
        self.app.push_screen(
            RecordViewScreen(
                session, path, today=self.today, timeline=self.open_timeline, changed=changed
            )
        )
        if changed:
            self.requery(keep_cursor=True)

    def open_timeline(self, reference: str) -> None:
        from sdm_tui.ui.screens.timeline import TimelineScreen

        if self.index is None:
            return
        self.app.push_screen(
            TimelineScreen(self.index, self.root, reference, MODES[self.mode], today=self.today)
        )

    # Actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a filter box the letter types into the box.
        return not (
            action in ("timeline", "clinic", "next_mode") and isinstance(self.focused, Input)
        )

    def action_timeline(self) -> None:
        row = self.rows.current
        if row is None:
            self.notify("No record is highlighted.", timeout=3)
            return
        if not row.service_user_ref:
            self.notify("This record has no service-user reference to follow.", severity="warning")
            return
        self.open_timeline(row.service_user_ref)

    def action_clinic(self) -> None:
        from sdm_tui.ui.screens.clinic import ClinicScreen

        if self.index is None:
            return
        self.app.push_screen(
            ClinicScreen(
                self.index,
                self.filters,
                describe(self.filters, self.mode, self._grid_titles),
                today=self.today,
            )
        )

    def action_next_mode(self) -> None:
        keys = list(MODES)
        select = self.query_one("#f-mode", Select)
        select.value = keys[(keys.index(self.mode) + 1) % len(keys)]

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input | Select):
            self.rows.focus()
            return
        if len(self.app.screen_stack) > 1:  # Home (the app's first screen) is below
            self.dismiss(None)
        else:
            self.app.exit()
