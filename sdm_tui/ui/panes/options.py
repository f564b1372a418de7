"""Option talk: the grid as a table, and one person's views recorded at a time.

Rows are the grid's questions, columns the options chosen in team talk. Column
one (the question) and column two (how much it matters to the person being
recorded) stay put while the options scroll sideways. A fixed top row shows that
person's leaning on each option. Under the table a strip shows the whole of the
cell at the cursor.

The table is built once per layout (options chosen, width, height); after that
each new session only updates the few person cells whose text changed.
"""

from __future__ import annotations

import textwrap
from functools import partial

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, ContentSwitcher, Static

from sdm_tui.core.grid import LEVEL_SYMBOL, OptionGrid, OptionKind
from sdm_tui.core.session import IMPORTANCE_TEXT, LEANING_SYMBOL, Leaning, Participant, Session
from sdm_tui.core.transitions import add_note, rate_importance, set_leaning
from sdm_tui.ui.messages import PersonStep
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.widgets.grid_view import PAD as CELL_PAD
from sdm_tui.ui.widgets.grid_view import GridColumn, GridRow, GridView
from sdm_tui.ui.widgets.person_bar import PersonBar

LEAN_ROW = "lean"
QUESTION_COL = "question"
IMPORTANCE_COL = "importance"
FIRST_OPTION_COL = 2
HEADER_HEIGHT = 2
PAD = 2 * CELL_PAD  # blank cells either side of each column's text
MIN_OPTION_WIDTH = 13  # three options fit at 80 columns, two at 60
MAX_OPTION_WIDTH = 44
IMPORTANCE_WIDTH = 12
NARROW = 90  # below this width the question and importance columns are narrower
NO_ONE = "Add people in team talk first (F2): no one is being recorded yet."
KIND_WORDS = {OptionKind.NO_CHANGE: "no change", OptionKind.STOP: "stop", OptionKind.OTHER: ""}


def plan_columns(width: int, n_options: int) -> tuple[int, int, int]:
    """Content widths (question, importance, each option) for a table `width` cells wide.

    Options are never squashed below MIN_OPTION_WIDTH: when they do not all fit, as
    many as fit are shown and the rest scroll sideways.
    """
    question = 14 if width < NARROW else 18 if width < 110 else 26
    importance = 10 if width < NARROW else IMPORTANCE_WIDTH
    room = width - (question + PAD) - (importance + PAD)
    fit = max(1, min(n_options, room // (MIN_OPTION_WIDTH + PAD)))
    option = max(MIN_OPTION_WIDTH, min(MAX_OPTION_WIDTH, room // fit - PAD))
    return question, importance, option


def plan_row_height(body: int, n_questions: int) -> int:
    """Lines per question row: 3 on a small screen, up to 6 when there is room."""
    return max(3, min(6, body // max(1, n_questions)))


def fit_lines(text: str, width: int, lines: int) -> list[str]:
    """`text` wrapped to `width`, at most `lines` lines, with … when cut short."""
    wrapped = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    kept[-1] = kept[-1][: max(0, width - 1)].rstrip() + "…"
    return kept


def importance_words(value: int | None) -> str:
    return "– not discussed" if value is None else f"{value} · {IMPORTANCE_TEXT[value]}"


def leaning_words(leaning: Leaning | None) -> str:
    return "· not said" if leaning is None else f"{LEANING_SYMBOL[leaning]} {leaning.value}"


class OptionTalkPane(Pane):
    BINDINGS = [
        Binding("0", "rate(0)", "Importance", key_display="0-4"),
        Binding("1", "rate(1)", "Importance 1", show=False),
        Binding("2", "rate(2)", "Importance 2", show=False),
        Binding("3", "rate(3)", "Importance 3", show=False),
        Binding("4", "rate(4)", "Importance 4", show=False),
        Binding("minus", "rate(-1)", "Not discussed", key_display="-", show=False),
        Binding("t", "lean('towards')", "Towards/away", key_display="t/o/a/u"),
        Binding("o", "lean('open')", "Open", show=False),
        Binding("a", "lean('away')", "Away", show=False),
        Binding("u", "lean('unsure')", "Unsure", show=False),
        Binding("p", "person(1)", "Person"),
        Binding("P", "person(-1)", "Previous person", show=False),
        Binding("n", "note(False)", "Note"),
        Binding("q", "note(True)", "Question to ask", show=False),
        Binding("r", "read", "Read"),
    ]

    def __init__(self, grid: OptionGrid, *, id: str | None = None) -> None:
        super().__init__(grid, id=id)
        self.options: tuple[str, ...] = ()
        self._layout: tuple | None = None  # what the table was last built for
        self._cells: dict[tuple[str, str], str] = {}  # person cells as last shown
        self._detail: Text | None = None  # the detail strip as last shown

    # Building -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield PersonBar(id="opt-person")  # p / P switch from the keyboard
        with ContentSwitcher(initial="opt-grid", id="opt-switch"):
            with Vertical(id="opt-empty"):
                yield Static(
                    "Choose at least two options to compare in team talk first. "
                    "Then the grid shows them side by side here.",
                    id="opt-empty-text",
                    markup=False,
                )
                yield Button("Go to team talk (F2)", id="opt-to-team", variant="primary")
            with Vertical(id="opt-grid"):
                yield GridView(
                    id="opt-table",
                    header_height=HEADER_HEIGHT,
                    fixed_rows=1,
                    fixed_columns=2,
                    zebra_stripes=True,
                )
                yield Static("", id="opt-detail", markup=False)

    @property
    def table(self) -> GridView:
        return self.query_one("#opt-table", GridView)

    @property
    def person(self) -> Participant | None:
        if self.session is None:
            return None
        return next((p for p in self.session.voices() if p.id == self.active), None)

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        options = tuple(o for o in session.team_talk.options if self._known_option(o))
        enough = len(options) >= 2
        self.query_one("#opt-switch", ContentSwitcher).current = (
            "opt-grid" if enough else "opt-empty"
        )
        person = self.person
        extra = ""
        if person is not None:
            extra = (
                f"{_count(len(person.notes), 'note')} · "
                f"{_count(len(person.questions), 'question')} to ask"
            )
        self.query_one(PersonBar).show(session, active, extra)
        if options != self.options:
            self.options = options
            self._layout = None
        if enough:
            self._build()
            self._show_person()
            self._show_detail()

    def _known_option(self, option_id: str) -> bool:
        return any(o.id == option_id for o in self.grid.options)

    def _plan(self) -> tuple | None:
        """(question, importance, option widths, row height) for the current size."""
        table = self.table
        width = self.size.width - 2  # room for the vertical scrollbar
        if width <= 0 or table.size.height <= 0:
            return None
        question_w, importance_w, option_w = plan_columns(width, len(self.options))
        all_fit = (
            question_w + importance_w + len(self.options) * (option_w + PAD) + 2 * PAD
        ) <= width
        body = table.size.height - HEADER_HEIGHT - 1 - (0 if all_fit else 1)
        height = plan_row_height(body, len(self.grid.questions))
        return (self.options, question_w, importance_w, option_w, height)

    def _build(self) -> None:
        """(Re)build the whole table, only when the options or the layout change."""
        plan = self._plan()
        if plan is None or plan == self._layout:
            return
        self._layout = plan
        _, question_w, importance_w, option_w, height = plan
        columns = [
            GridColumn(QUESTION_COL, Text("Question"), question_w),
            GridColumn(IMPORTANCE_COL, Text("How much\nit matters"), importance_w),
        ]
        for option_id in self.options:
            option = self.grid.option(option_id)
            kind = KIND_WORDS.get(option.kind, "")
            shown_kind = kind and kind.casefold() != option.name.casefold()
            # A long name is cut with …, never mid-letter at the column's edge.
            name = fit_lines(option.name, option_w, 1 if shown_kind else HEADER_HEIGHT)
            label = Text("\n".join(name), style="bold")
            if shown_kind:
                label.append("\n" + fit_lines(f"({kind})", option_w, 1)[0], style="italic")
            columns.append(GridColumn(option_id, label, option_w))
        rows = [(GridRow(LEAN_ROW, 1), [Text("") for _ in columns])]
        for question in self.grid.questions:
            words = question.text if question_w >= 26 else question.label
            cells = [self._answer_cell(question.id, o, option_w, height) for o in self.options]
            question_cell = Text("\n".join(fit_lines(words, question_w, height)))
            rows.append((GridRow(question.id, height), [question_cell, Text(""), *cells]))
        self._cells.clear()
        first = self.table.row_count == 0
        self.table.set_grid(columns, rows)
        if first:
            self.table.move_cursor(row=1, column=FIRST_OPTION_COL)

    def _answer_cell(self, question_id: str, option_id: str, width: int, height: int) -> Text:
        try:
            answer = self.grid.answer(question_id, option_id)
        except KeyError:
            return Text("(no answer in this grid)", style="italic")
        text = Text()
        lines = height
        if answer.level is not None:
            text.append(f"{LEVEL_SYMBOL[answer.level]} {answer.level.value}", style="bold")
            lines -= 1
            text.append("\n")
        text.append("\n".join(fit_lines(answer.text, width, lines)))
        return text

    # Updating in place ----------------------------------------------------

    def _set(self, row: str, column: str, value: str, style: str = "") -> None:
        """Update one cell, only if its text changed (cheap on every key press)."""
        if self._cells.get((row, column)) == value:
            return
        self._cells[(row, column)] = value
        self.table.update_cell(row, column, Text(value, style=style))

    def _show_person(self) -> None:
        if self._layout is None:
            return
        _, _, importance_w, _, height = self._layout
        person = self.person
        for question in self.grid.questions:
            if person is None:
                value = ""
            else:
                words = importance_words(person.importance.get(question.id))
                value = "\n".join(fit_lines(words, importance_w, height))
            self._set(question.id, IMPORTANCE_COL, value)
        for option_id in self.options:
            value = "" if person is None else leaning_words(person.leanings.get(option_id))
            self._set(LEAN_ROW, option_id, value, "bold")
        _, question_w, _, _, _ = self._layout
        lead = "Towards or away?" if person is None else f"{person.label}: towards?"
        self._set(LEAN_ROW, QUESTION_COL, fit_lines(lead, question_w, 1)[0], "bold")

    def _at_cursor(self) -> tuple[str, str]:
        """(row key, column key) at the cursor, or ("", "") when there is no table yet."""
        table = self.table
        return table.cell_key_at(table.cursor_coordinate)

    def _show_detail(self) -> None:
        """The whole of the cell at the cursor, in the strip under the table.

        The strip has a fixed height (options.tcss), so its new text needs no new
        layout of the screen; and the same text is not drawn twice.
        """
        if self._layout is None:
            return
        text = self._detail_text()
        if text == self._detail:
            return
        self._detail = text
        self.query_one("#opt-detail", Static).update(text, layout=False)

    def _detail_text(self) -> Text:
        row, column = self._at_cursor()
        person = self.person
        who = person.display if person else "no one yet"
        text = Text()
        if row == LEAN_ROW:
            if column in self.options and person is not None:
                name = self.grid.option(column).name
                text.append(f"Is {who} drawn towards {name}, or away? ", style="bold")
                text.append(leaning_words(person.leanings.get(column)))
            else:
                text.append(f"Is {who} drawn towards each option, or away?", style="bold")
            text.append(
                "\nKeys: t towards · o open · a away · u unsure · - clear. "
                "This is not deciding: it can change as you talk.",
                style="dim",
            )
            return text
        if not row:
            return text
        question = self.grid.question(row)
        if column in self.options:
            option = self.grid.option(column)
            text.append(f"{option.name} · {question.text}", style="bold")
            text.append("\n")
            try:
                answer = self.grid.answer(row, column)
            except KeyError:
                return text.append("(no answer in this grid)")
            if answer.level is not None:
                text.append(f"{LEVEL_SYMBOL[answer.level]} {answer.level.value}: ", style="bold")
            text.append(answer.text)
            text.append(f"\nSources: {', '.join(answer.sources)} · Enter: read it all", style="dim")
            return text
        text.append(question.text, style="bold")
        text.append("\n")
        if person is None:
            text.append(NO_ONE)
            return text
        text.append(f"How much this matters to {who}: ")
        text.append(importance_words(person.importance.get(row)), style="bold")
        text.append(
            "\nKeys: 0 not important · 1 a little · 2 somewhat · 3 very · "
            "4 most important · - not discussed",
            style="dim",
        )
        return text

    # Events -----------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._relayout)

    def on_show(self, event: events.Show) -> None:
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        if self.session is not None and len(self.options) >= 2:
            self._build()
            self._show_person()
            self._show_detail()

    def on_mount(self) -> None:
        # The strip follows the cursor through a watcher, not the CellHighlighted
        # message: the watcher runs while the key is handled, so the cursor and the
        # strip change in the same frame instead of two frames apart.
        self.watch(self.table, "cursor_coordinate", self._moved, init=False)

    def _moved(self) -> None:
        self._show_detail()

    @on(GridView.CellSelected, "#opt-table")
    def _selected(self, event: GridView.CellSelected) -> None:
        event.stop()
        self.action_open_answer()

    @on(Button.Pressed, "#opt-to-team")
    def _to_team(self, event: Button.Pressed) -> None:
        event.stop()
        self.go("team")

    def focus_first(self) -> None:
        if len(self.options) >= 2:
            self.table.focus()
        else:
            self.query_one("#opt-to-team", Button).focus()

    # Actions ----------------------------------------------------------------

    def _recording(self) -> Participant | None:
        person = self.person
        if person is None:
            self.notify(NO_ONE, severity="warning", markup=False)
        return person

    def action_rate(self, value: int) -> None:
        row, column = self._at_cursor()
        if not row:
            return
        if row == LEAN_ROW:
            if value < 0 and column in self.options:
                person = self._recording()
                if person is not None:
                    self.change(partial(_lean, pid=person.id, oid=column, leaning=None))
                return
            self.notify("Move down to a question to say how much it matters.", timeout=3)
            return
        person = self._recording()
        if person is None:
            return
        self.change(partial(_rate, pid=person.id, qid=row, value=None if value < 0 else value))

    def action_lean(self, leaning: str) -> None:
        _, column = self._at_cursor()
        if not column:
            return
        if column not in self.options:
            self.notify(
                "Move right to an option's column to lean towards or away from it.", timeout=3
            )
            return
        person = self._recording()
        if person is None:
            return
        self.change(partial(_lean, pid=person.id, oid=column, leaning=Leaning(leaning)))

    def action_person(self, step: int) -> None:
        self.post_message(PersonStep(step))  # the person bar and the leaning row say who

    def action_read(self) -> None:
        """The reading view: the chosen options question by question, in words."""
        from sdm_tui.ui.screens.reading import ReadingScreen

        if self.session is not None:
            self.app.push_screen(ReadingScreen(self.session, self.grid))

    def action_note(self, question: bool) -> None:
        from sdm_tui.ui.screens.note import NoteScreen

        person = self._recording()
        if person is None:
            return

        def done(text: str | None) -> None:
            if text:
                self.change(partial(_note, pid=person.id, text=text, question=question))

        self.app.push_screen(NoteScreen(person.display, question=question), done)

    def action_open_answer(self) -> None:
        from sdm_tui.ui.screens.answer import AnswerScreen

        row, column = self._at_cursor()
        if row and row != LEAN_ROW and column in self.options:
            try:
                self.grid.answer(row, column)
            except KeyError:
                return
            self.app.push_screen(AnswerScreen(self.grid, row, column))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _rate(session: Session, *, pid: str, qid: str, value: int | None) -> Session:
    return rate_importance(session, pid, qid, value)


def _lean(session: Session, *, pid: str, oid: str, leaning: Leaning | None) -> Session:
    return set_leaning(session, pid, oid, leaning)


def _note(session: Session, *, pid: str, text: str, question: bool) -> Session:
    return add_note(session, pid, text, question=question)
