"""One finished record, read only: everyone's views side by side, and its summary.

The record is read from its TOML file (the source of truth), never from the
index. A record that fails its integrity check or cannot be read opens
`RecordProblemScreen` instead: the file, the reason and the fix, in words.

All typed text is shown as rich `Text` or with markup off; the summary is the
Markdown from `summary_markdown`, which escapes everything people typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Markdown, Static, TabbedContent, TabPane

from sdm_tui.core.history import decision_words, record_day
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    LEANING_SYMBOL,
    Mode,
    Participant,
    Session,
)
from sdm_tui.core.summary import DEFAULT_CONTACT, STANCE_TEXT, plain_date, summary_markdown
from sdm_tui.core.text import clean_line
from sdm_tui.ui.panes.side import IMPORTANCE_SHORT, OPEN_MARK, TALKED_MARK
from sdm_tui.ui.widgets.footer import Footer
from sdm_tui.ui.widgets.marks import CursorDataTable

if TYPE_CHECKING:
    from sdm_tui.ui.app import SdmApp

CHANGED_NOTE = (
    "≠ Changed on disk: this file is not what the records index held (its contents or the "
    "index row differ). What you see here is read from the file; the list now shows it too."
)
LEGEND = (
    "Matters: 0 not important … 4 most important, – not discussed. "
    "Leaning: ▲ towards ◆ open ▼ away ? unsure. ⚠ differ = still open, ✓ talked = talked through."
)
CERTAINTY_SHORT = {
    "know": "Knows the options",
    "values": "Clear what matters",
    "support": "Has the support",
    "sure": "Sure what's next",
}
MAX_NAME = 22
# Short enough that three people's columns fit beside the questions at 80 columns.
ROLE_SHORT = {
    "service-user": "service user",
    "clinician": "clinician",
    "carer": "carer",
    "peer-support": "peer worker",
    "observer": "observer",
}

# What to do about a record that cannot be used, by RecordProblem.kind.
FIXES: dict[str, str] = {
    "integrity": (
        "This record was changed outside sdm-tui, or damaged, after it was saved, so "
        "sdm-tui will not use it as it is. Restore the file from a backup copy. To correct "
        "a record, open the original in sdm-tui and make an amendment; never edit the file."
    ),
    "unreadable": (
        "The file could not be read as a record: it is damaged or is not an sdm-tui record. "
        "Restore it from a backup copy."
    ),
    "newer": (
        "It was written by a newer version of sdm-tui. Update sdm-tui to open it; "
        "the file has not been changed."
    ),
    "invalid": (
        "The file is not a valid sdm-tui record (a value is missing or not allowed). "
        "Restore it from a backup copy."
    ),
    "missing": (
        "The file is no longer in the records folder (moved or deleted since the list was "
        "made). The list catches up when the review screen next checks the folder."
    ),
}
CHECK_ALL = "To check every record: sdm-tui records verify"


def _short(text: str, width: int = MAX_NAME) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def day_of(session: Session) -> date:
    """The record's day (UTC), as the index and the timeline show it."""
    return record_day(session)


# The views table ---------------------------------------------------------------


def _importance(person: Participant, question_id: str) -> Text:
    value = person.importance.get(question_id)
    if value is None:
        return Text("–", style="dim")
    return Text(IMPORTANCE_SHORT[value], style="bold" if value >= 3 else "")


def _leaning(person: Participant, option_id: str) -> Text:
    leaning = person.leanings.get(option_id)
    if leaning is None:
        return Text("–", style="dim")
    return Text(f"{LEANING_SYMBOL[leaning]} {leaning.value}")


def _mark(session: Session, key: str) -> Text:
    item = next((d for d in session.disagreements if d.id == key), None)
    if item is None:
        return Text("")
    if item.status == "talked-through":
        return Text(TALKED_MARK)
    return Text(OPEN_MARK, style="bold reverse")


def views_rows(session: Session) -> list[tuple[str, Text, list[Text]]]:
    """(key, what was asked, [differ mark, one cell per person]) for the views table."""
    voices = session.voices()
    rows: list[tuple[str, Text, list[Text]]] = []

    def heading(key: str, text: str) -> None:
        blank = [Text("")] * (len(voices) + 1)
        rows.append((key, Text(text, style="bold underline"), blank))

    heading("section:importance", "How much it matters")
    for question_id, text in session.grid.questions.items():
        cells = [_mark(session, f"importance:{question_id}")]
        cells += [_importance(p, question_id) for p in voices]
        rows.append((f"importance:{question_id}", Text(_short(text)), cells))
    heading("section:leaning", "Leaning on each option")
    for option_id in session.team_talk.options or tuple(session.grid.options):
        cells = [_mark(session, f"leaning:{option_id}")]
        cells += [_leaning(p, option_id) for p in voices]
        name = session.grid.options.get(option_id, option_id)
        rows.append((f"leaning:{option_id}", Text(_short(name)), cells))
    heading("section:decision", "The decision")
    stances = session.decision.stances
    cells = [Text("")] + [
        Text(STANCE_TEXT[stances[p.id]]) if p.id in stances else Text("–", style="dim")
        for p in voices
    ]
    rows.append(("stance", Text("How they feel about it"), cells))
    for key in CERTAINTY_ITEMS:
        cells = [Text("")] + [
            Text(p.certainty[key].value) if key in p.certainty else Text("–", style="dim")
            for p in voices
        ]
        rows.append((f"certainty:{key}", Text(CERTAINTY_SHORT[key]), cells))
    return rows


def facts(session: Session, today: date, grid_note: str = "") -> str:
    """The record's key facts in a few plain lines; `grid_note` says how the grid it
    used compares with today's (Catalog.version_note), when it differs."""
    kind = "training role-play" if session.mode == Mode.TRAINING else "clinical record"
    if session.synthetic:
        kind += " (made-up example)"
    reference = session.service_user_ref or "no reference"
    first = f"{plain_date(day_of(session), weekday=False)} · {reference} · {kind}"
    grid = f"{session.grid.title or session.grid.id}, version {session.grid.version}"
    parts = [f"Decided: {decision_words(session)}"]
    review = session.decision.review_date
    if review is None:
        parts.append("no review date")
    elif review < today:
        parts.append(f"◷ review date passed ({plain_date(review, weekday=False)})")
    else:
        parts.append(f"review {plain_date(review, weekday=False)}")
    still_open = len(session.open_disagreements())
    if still_open:
        parts.append(f"⚠ {still_open} disagreement{'s' if still_open > 1 else ''} still open")
    if session.carer_took_part():
        parts.append("a carer took part")
    lines = [first, f"Grid: {grid}", " · ".join(parts)]
    if grid_note:
        lines.append(grid_note)
    if session.amends:
        lines.append(f"This record corrects record {session.amends}.")
    return "\n".join(lines)


class RecordViewScreen(Screen[None]):
    """A saved record: views side by side (v) and the summary (s); t the person's timeline."""

    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("v", "tab('views')", "Views"),
        Binding("s", "tab('summary')", "Summary"),
        Binding("t", "timeline", "Person timeline"),
    ]

    def __init__(
        self,
        session: Session,
        path: Path,
        *,
        today: date,
        timeline: Callable[[str], None] | None = None,
        changed: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.path = path
        self.changed = changed  # the file is not what the index held (review list flag ≠)
        self.today = today
        self._timeline = timeline
        self._summary_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        note = self.app.catalog.version_note(self.session.grid)
        yield Static(facts(self.session, self.today, note), id="record-facts", markup=False)
        if self.changed:
            yield Static(CHANGED_NOTE, id="record-changed", markup=False)
        with TabbedContent(id="record-tabs"):
            with TabPane("Views side by side (v)", id="tab-views"):
                yield Static(LEGEND, classes="hint", id="record-legend", markup=False)
                yield CursorDataTable(
                    id="record-views",
                    cursor_type="row",
                    zebra_stripes=True,
                    header_height=2,
                    fixed_columns=2,
                )
            with (
                TabPane("Summary (s)", id="tab-summary"),
                VerticalScroll(id="record-summary-scroll"),
            ):
                yield Markdown("", id="record-summary")
        yield Footer()

    def on_mount(self) -> None:
        mode = "TRAINING · " if self.session.mode == Mode.TRAINING else ""
        self.sub_title = f"{mode}Record {self.session.record_id}"
        self._fill_table()
        self.query_one("#record-views", DataTable).focus()

    def _fill_table(self) -> None:
        table = self.query_one("#record-views", DataTable)
        table.add_column(Text("Asked about"), key="name")
        table.add_column(Text("Views"), key="mark")
        for person in self.session.voices():
            header = Text(f"{_short(person.label, 14)}\n({ROLE_SHORT[person.role.value]})")
            table.add_column(header, key=person.id)
        for key, name, cells in views_rows(self.session):
            table.add_row(name, *cells, key=key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "timeline":
            return self._timeline is not None and bool(self.session.service_user_ref)
        return True

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"
        target = "#record-views" if name == "views" else "#record-summary-scroll"
        self.query_one(target).focus()

    @on(TabbedContent.TabActivated, "#record-tabs")
    def _opened(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-summary" and not self._summary_shown:
            self._summary_shown = True
            grid = self.app.catalog.exact(self.session.grid)
            contact = self.app.store.clinic_contact(DEFAULT_CONTACT)
            markdown = summary_markdown(self.session, grid, contact=contact)
            self.query_one("#record-summary", Markdown).update(markdown)

    def action_timeline(self) -> None:
        if self._timeline is not None and self.session.service_user_ref:
            self._timeline(self.session.service_user_ref)

    def action_back(self) -> None:
        self.dismiss(None)


class RecordProblemScreen(ModalScreen[None]):
    """A record that cannot be used: which file, why, and what to do. Never a crash."""

    CSS_PATH = "review.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, path: str, kind: str, problem: str) -> None:
        super().__init__()
        # Shown as they are given: a file's name or a problem line could hold escapes.
        self.path = clean_line(path)
        self.kind = kind
        self.problem = clean_line(problem)

    def compose(self) -> ComposeResult:
        title = {
            "integrity": "✗ This record failed its integrity check",
            "newer": "✗ This record is from a newer sdm-tui",
            "missing": "✗ This record's file is missing",
        }.get(self.kind, "✗ This record cannot be read")
        with Vertical(classes="dialog", id="problem-dialog"):
            yield Static(title, classes="heading", markup=False)
            yield Static(f"File: {self.path}", markup=False)
            yield Static(f"Reason: {self.problem}", id="problem-reason", markup=False)
            yield Static(
                "What to do: " + FIXES.get(self.kind, FIXES["unreadable"]),
                id="problem-fix",
                markup=False,
            )
            yield Static(CHECK_ALL, classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
