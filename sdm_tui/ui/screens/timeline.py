"""One person over time: their records oldest first, and a way to compare any two.

The newest record is highlighted on opening, so "c" at once compares the last
decision with the one before it; Space marks any two records to compare
instead. Each record's line says what was decided and whether its review date
was kept (sdm_tui.core.history.review_status). Records are read from their
files; one that cannot be read is listed with ✗ and why, and cannot be compared.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.core.history import CompareError, compare, decision_words, review_status
from sdm_tui.core.index import IndexRow, RecordIndex
from sdm_tui.core.index.reading import read_record
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import Session
from sdm_tui.core.summary import plain_date
from sdm_tui.ui.screens.record_view import RecordProblemScreen, RecordViewScreen, day_of
from sdm_tui.ui.screens.review_rows import PROBLEM_WORDS
from sdm_tui.ui.widgets.cursor import CursorOptionList
from sdm_tui.ui.widgets.footer import Footer

HINT = (
    "Space marks a record ([●]); with two marked, c compares them. Otherwise c compares "
    "the highlighted record with the one before it. Enter opens a record. A record that "
    "cannot be read is matched to no one: the review list shows it with ✗."
)


@dataclass(frozen=True)
class Entry:
    """One record of the person: the session, or why it cannot be used."""

    row: IndexRow
    session: Session | None
    kind: str = ""  # RecordProblem.kind when session is None
    problem: str = ""
    review: str = ""
    changed: bool = False  # the file is not what the index held (see RecordIndex.check_file)


def load_entries(
    index: RecordIndex, root: Path, reference: str, modes: tuple[str, ...], today: date
) -> list[Entry]:
    """The person's records, oldest first, each read from its file."""
    entries: list[Entry] = []
    for row in index.person(reference, modes):
        if row.status != "ok":
            entries.append(Entry(row, None, row.status, row.problem))
            continue
        try:
            session, digest = read_record(root / row.path)
        except RecordProblem as exc:
            entries.append(Entry(row, None, exc.kind, str(exc.problems[0])))
            continue
        changed = bool(row.flag)
        with contextlib.suppress(sqlite3.Error):  # the file itself is shown either way
            changed = not index.check_file(row.path, digest) or changed
        entries.append(Entry(row, session, changed=changed))
    sessions = [e.session for e in entries if e.session is not None]
    lines = iter(review_status(sessions, today))
    return [
        Entry(e.row, e.session, e.kind, e.problem, next(lines), e.changed)
        if e.session is not None
        else e
        for e in entries
    ]


def entry_text(entry: Entry, marked: bool) -> Text:
    text = Text(no_wrap=False)
    text.append("[●] " if marked else "[ ] ", style="bold" if marked else "")
    session = entry.session
    if session is None:
        day = entry.row.created[:10] or "date ?"
        reason = PROBLEM_WORDS.get(entry.kind, "cannot be read")
        text.append(f"{day} · ✗ {reason}: record {entry.row.record_id}", style="bold")
        text.append(f"\n    {entry.problem}", style="dim")
        return text
    text.append(f"{day_of(session).isoformat()} · ")
    text.append(decision_words(session), style="bold")
    text.append(f" · {session.grid.title or session.grid.id}")
    extra = []
    if session.mode.value == "training":
        extra.append("training")
    still_open = len(session.open_disagreements())
    if still_open:
        extra.append(f"⚠ {still_open} still open")
    if entry.changed:
        extra.append("≠ changed on disk")
    if extra:
        text.append(" · " + " · ".join(extra))
    text.append(f"\n    {entry.review}", style="dim")
    return text


class TimelineScreen(Screen[None]):
    """A service user's records, oldest to newest; compare two of them."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("enter", "open", "Open", show=False),
    ]

    def __init__(
        self,
        index: RecordIndex,
        root: Path,
        reference: str,
        modes: tuple[str, ...] = ("clinical",),
        *,
        today: date,
    ) -> None:
        super().__init__()
        self.index = index
        self.root = root
        self.reference = reference
        self.modes = modes
        self.today = today
        self.entries: list[Entry] = []
        self.marked: list[int] = []  # entry positions, in the order they were marked

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="timeline-heading", markup=False)
        yield Static(HINT, id="timeline-hint", classes="hint", markup=False)
        yield CursorOptionList(id="timeline-list")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Timeline: {self.reference}"
        try:
            self.entries = load_entries(
                self.index, self.root, self.reference, self.modes, self.today
            )
        except sqlite3.Error as exc:
            self.notify(
                f"The records index could not be read ({exc}).", severity="error", markup=False
            )
            self.entries = []
        self._draw()
        options = self.query_one("#timeline-list", OptionList)
        options.focus()
        if self.entries:
            options.highlighted = len(self.entries) - 1

    def _draw(self) -> None:
        options = self.query_one("#timeline-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(entry_text(e, i in self.marked), id=str(i)) for i, e in enumerate(self.entries)
        )
        if highlighted is not None and self.entries:
            options.highlighted = min(highlighted, len(self.entries) - 1)
        heading = self.query_one("#timeline-heading", Static)
        if not self.entries:
            heading.update(f"{self.reference}: no records found with this reference.")
            return
        kinds = " and ".join(sorted(self.modes))
        days = [e.session for e in self.entries if e.session is not None]
        span = ""
        if days:
            first, last = day_of(days[0]), day_of(days[-1])
            span = f", {plain_date(first, weekday=False)} to {plain_date(last, weekday=False)}"
        count = len(self.entries)
        heading.update(
            f"{self.reference}: {count} {kinds} record{'s' if count > 1 else ''}{span}, "
            "oldest first."
        )

    def _highlighted(self) -> int | None:
        return self.query_one("#timeline-list", OptionList).highlighted

    # Actions ---------------------------------------------------------------------

    def action_mark(self) -> None:
        index = self._highlighted()
        if index is None:
            return
        if index in self.marked:
            self.marked.remove(index)
        else:
            self.marked.append(index)
            if len(self.marked) > 2:
                self.marked.pop(0)
        self._draw()
        if len(self.marked) == 2:
            self.notify("Two records marked: press c to compare them.", timeout=3)

    def action_compare(self) -> None:
        if len(self.marked) == 2:
            first, second = sorted(self.marked)
        else:
            index = self._highlighted()
            if index is None:
                return
            if index == 0:
                self.notify(
                    "This is the first record: highlight a later one, or mark two with Space.",
                    timeout=4,
                )
                return
            first, second = index - 1, index
        older, newer = self.entries[first], self.entries[second]
        for entry in (older, newer):
            if entry.session is None:
                self.notify(
                    f"Record {entry.row.record_id} cannot be read, so it cannot be compared. "
                    "Enter on it shows why.",
                    severity="warning",
                    timeout=6,
                )
                return
        assert older.session is not None and newer.session is not None
        try:
            comparison = compare(older.session, newer.session)
        except CompareError as exc:
            self.notify(str(exc), severity="warning", timeout=8, markup=False)
            return
        from sdm_tui.ui.screens.compare import CompareScreen

        self.marked.clear()
        self._draw()
        self.app.push_screen(CompareScreen(comparison))

    @on(OptionList.OptionSelected, "#timeline-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_entry(event.option_index)

    def action_open(self) -> None:
        index = self._highlighted()
        if index is not None:
            self.open_entry(index)

    def open_entry(self, index: int) -> None:
        entry = self.entries[index]
        path = self.root / entry.row.path
        if entry.session is None:
            self.app.push_screen(RecordProblemScreen(str(path), entry.kind, entry.problem))
            return
        self.app.push_screen(
            RecordViewScreen(entry.session, path, today=self.today, changed=entry.changed)
        )

    def action_back(self) -> None:
        self.dismiss(None)
