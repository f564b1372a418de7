"""Side by side: every person's ratings and leanings in columns, disagreements marked.

Rows are the grid's questions (how much each matters to each person) and the
compared options (each person's leaning). A row where people differ carries a
symbol and a word ("⚠ differ" / "✓ talked through"), never colour alone, in
the second column, fixed so it stays in view when the table scrolls sideways.
Below the table every disagreement is listed; Enter opens one to record each
side's view in their own words.

All user text goes into `rich.text.Text` (DataTable parses plain strings as
markup) or into widgets with markup off.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.core.session import (
    LEANING_SYMBOL,
    Disagreement,
    Participant,
    Session,
    SessionError,
)
from sdm_tui.core.text import clean
from sdm_tui.core.transitions import record_disagreement, set_disagreement_status, set_view
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.screens.disagree import (
    DisagreementScreen,
    DisagreementViews,
    NameDisagreementScreen,
)
from sdm_tui.ui.widgets.cursor import CursorOptionList
from sdm_tui.ui.widgets.marks import CursorDataTable

NAME_COLUMN = "name"
MARK_COLUMN = "mark"
SECTION_IMPORTANCE = "section:importance"
SECTION_LEANING = "section:leaning"
MAX_NAME = 24
PERSON_WIDTH = 12  # each person's column: "1 a little", "▲ towards", a name cut with …
MARK_WIDTH = 8  # "⚠ differ"
ROLE_SHORT = {
    "service-user": "service user",
    "clinician": "clinician",
    "carer": "carer",
    "peer-support": "peer worker",
    "observer": "observer",
}

OPEN_MARK = "⚠ differ"
TALKED_MARK = "✓ talked"
# Short words so every person's column fits on an 80-column screen; the legend
# above the table gives the whole scale.
IMPORTANCE_SHORT = {0: "0 not", 1: "1 a little", 2: "2 some", 3: "3 very", 4: "4 most"}
LEGEND = (
    "Matters: 0 not important … 4 most important, – not discussed. "
    "Towards an option or away: ▲ towards ◆ open ▼ away ? unsure. "
    "⚠ differ = views differ, still open; ✓ talked = talked through. Enter opens; d names one."
)


def _short(text: str, width: int = MAX_NAME) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def status_words(item: Disagreement) -> str:
    return "✓ talked through" if item.status == "talked-through" else "⚠ still open"


def _mark(item: Disagreement | None) -> Text:
    if item is None:
        return Text("")
    if item.status == "talked-through":
        return Text(TALKED_MARK)
    return Text(OPEN_MARK, style="bold reverse")


def _importance_cell(person: Participant, question_id: str) -> Text:
    value = person.importance.get(question_id)
    if value is None:
        return Text("–", style="dim")
    return Text(IMPORTANCE_SHORT[value], style="bold" if value >= 3 else "")


def _leaning_cell(person: Participant, option_id: str) -> Text:
    leaning = person.leanings.get(option_id)
    if leaning is None:
        return Text("–", style="dim")
    return Text(f"{LEANING_SYMBOL[leaning]} {leaning.value}")


def plan_people(width: int, n_people: int) -> tuple[int, int]:
    """(width of the "Asked about" column, people per page) for a table `width` wide.

    Every person keeps a readable column; when they do not all fit (a narrow screen,
    many people) they are shown a page at a time ([ and ] turn the page), never cut off.
    """
    name = MAX_NAME if width >= 100 else 18 if width >= 70 else 14
    fixed = (name + 2) + (MARK_WIDTH + 2)
    fit = max(1, (width - fixed) // (PERSON_WIDTH + 2))
    return name, min(fit, max(n_people, 1))


class SideBySidePane(Pane):
    """The heart of decision talk: who said what, and where we differ."""

    BINDINGS = [
        Binding("d", "name_disagreement", "Name a disagreement"),
        Binding("right_square_bracket", "page(1)", "More people", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "Previous people", show=False),
    ]

    def __init__(self, grid, *, id: str | None = None) -> None:
        super().__init__(grid, id=id)
        self._structure: tuple = ()
        self._cells: dict[tuple[str, str], Text] = {}
        self._list_prompts: tuple[tuple[str, str], ...] = ()
        self._highlight_last = False
        self._page = 0  # which page of people the table shows, on a narrow screen

    def compose(self) -> ComposeResult:
        yield Static(
            LEGEND,
            id="side-legend",
            classes="hint",
            markup=False,
        )
        yield Static("", id="side-page", classes="hint", markup=False)
        table: DataTable = CursorDataTable(
            id="side-table",
            cursor_type="row",
            zebra_stripes=True,
            header_height=2,
            fixed_columns=2,
        )
        yield table
        yield Static("Where we differ", id="side-list-heading", classes="heading", markup=False)
        yield Static(
            "No disagreements yet. Press d to name one.",
            id="side-none",
            classes="hint",
            markup=False,
        )
        yield CursorOptionList(id="side-disagreements")

    def on_mount(self) -> None:
        if self.session is not None:
            self._draw()

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        if self.is_mounted:
            self._draw()

    def on_resize(self) -> None:
        if self.session is not None:
            self._draw()

    # People, a page at a time on a narrow screen ------------------------------

    def _plan(self, session: Session) -> tuple[int, tuple[Participant, ...], int]:
        """(name column width, the people shown, how many pages)."""
        voices = session.voices()
        width = self.size.width - 4  # the table's border and its scroll bar
        name, per_page = plan_people(width if width > 0 else 100, len(voices))
        pages = max(1, -(-len(voices) // per_page))
        self._page = min(self._page, pages - 1)
        start = self._page * per_page
        return name, voices[start : start + per_page], pages

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            return self.session is not None and self._plan(self.session)[2] > 1
        return True

    def action_page(self, step: int) -> None:
        if self.session is None:
            return
        pages = self._plan(self.session)[2]
        self._page = (self._page + step) % pages
        self._draw()

    # Reading the session ---------------------------------------------------

    def _question_label(self, question_id: str, session: Session) -> str:
        try:
            return self.grid.question(question_id).label
        except KeyError:
            return session.grid.questions.get(question_id, question_id)

    def _compared(self, session: Session) -> tuple[str, ...]:
        return session.team_talk.options or tuple(session.grid.options)

    def _rows(
        self, session: Session, voices: tuple[Participant, ...], name_width: int = MAX_NAME
    ) -> list[tuple[str, Text, dict[str, Text]]]:
        found = {d.id: d for d in session.disagreements}
        rows: list[tuple[str, Text, dict[str, Text]]] = []
        heading = _short("How much it matters", name_width)
        rows.append((SECTION_IMPORTANCE, Text(heading, style="bold underline"), {}))
        for question_id in session.grid.questions:
            cells = {p.id: _importance_cell(p, question_id) for p in voices}
            cells[MARK_COLUMN] = _mark(found.get(f"importance:{question_id}"))
            name = Text(_short(self._question_label(question_id, session), name_width))
            rows.append((f"importance:{question_id}", name, cells))
        heading = _short("Towards or away", name_width)
        rows.append((SECTION_LEANING, Text(heading, style="bold underline"), {}))
        for option_id in self._compared(session):
            cells = {p.id: _leaning_cell(p, option_id) for p in voices}
            cells[MARK_COLUMN] = _mark(found.get(f"leaning:{option_id}"))
            name = Text(_short(session.grid.options.get(option_id, option_id), name_width))
            rows.append((f"leaning:{option_id}", name, cells))
        return rows

    # Drawing ---------------------------------------------------------------

    def _draw(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            table = self.query_one("#side-table", DataTable)
            options = self.query_one("#side-disagreements", OptionList)
        except NoMatches:
            return
        self._render_table(table, session)
        self._render_list(options, session)

    def _render_table(self, table: DataTable, session: Session) -> None:
        name_width, voices, pages = self._plan(session)
        rows = self._rows(session, voices, name_width)
        columns = tuple((p.id, p.label, p.role) for p in voices)
        self._show_page(session, voices, pages)
        structure = (
            name_width,
            columns,
            tuple(key for key, _, _ in rows),
            tuple(name.plain for _, name, _ in rows),
        )
        if structure != self._structure:
            self._rebuild_table(table, voices, rows, structure)
            return
        for key, _name, cells in rows:
            for column, cell in cells.items():
                if self._cells.get((key, column)) != cell:
                    table.update_cell(key, column, cell)
                    self._cells[(key, column)] = cell

    def _show_page(self, session: Session, shown: tuple[Participant, ...], pages: int) -> None:
        hint = self.query_one("#side-page", Static)
        hint.display = pages > 1
        if pages > 1:
            voices = session.voices()
            first = voices.index(shown[0]) + 1 if shown else 0
            names = ", ".join(p.label for p in voices if p not in shown)
            hint.update(
                f"People {first}-{first + len(shown) - 1} of {len(voices)} "
                f"(page {self._page + 1} of {pages}; ] next page, [ back). "
                f"Not on this page: {names}."
            )

    def _rebuild_table(
        self, table: DataTable, voices: tuple[Participant, ...], rows: list, structure: tuple
    ) -> None:
        keep = None
        if table.row_count:
            try:
                keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                keep = None
        table.clear(columns=True)
        self._cells = {}
        name_width = structure[0]
        width = min(name_width, max((len(name.plain) for _, name, _ in rows), default=10))
        table.add_column(Text("Asked about"), key=NAME_COLUMN, width=max(width, 12))
        table.add_column(Text("Views"), key=MARK_COLUMN, width=MARK_WIDTH)
        for person in voices:
            label = _short(person.label, PERSON_WIDTH)
            header = Text(label)
            header.append(f"\n{ROLE_SHORT[person.role.value]}", style="italic")
            table.add_column(header, key=person.id, width=PERSON_WIDTH)
        blank = Text("")
        column_keys = [MARK_COLUMN] + [p.id for p in voices]
        for key, name, cells in rows:
            values = [cells.get(column, blank) for column in column_keys]
            table.add_row(name, *values, key=key)
            for column, value in zip(column_keys, values, strict=True):
                self._cells[(key, column)] = value
        self._structure = structure
        keys = [key for key, _, _ in rows]
        if keep in keys:
            table.move_cursor(row=keys.index(keep), animate=False)
        else:
            # The first row is the section heading: start there so it stays in view.
            table.move_cursor(row=0, animate=False)

    def _prompt(self, item: Disagreement, session: Session) -> Text:
        voices = session.voices()
        written = sum(1 for p in voices if item.views.get(p.id))
        text = Text()
        text.append(status_words(item), style="bold")
        text.append("  ")
        text.append(item.subject)
        text.append(f"  · views from {written} of {len(voices)}", style="dim")
        return text

    def _render_list(self, options: OptionList, session: Session) -> None:
        prompts = tuple((d.id, self._prompt(d, session).plain) for d in session.disagreements)
        self.query_one("#side-none", Static).display = not prompts
        options.display = bool(prompts)
        if prompts == self._list_prompts and not self._highlight_last:
            return
        highlighted = options.highlighted
        if prompts != self._list_prompts:
            options.clear_options()
            options.add_options(
                Option(self._prompt(d, session), id=d.id) for d in session.disagreements
            )
            self._list_prompts = prompts
        if self._highlight_last and prompts:
            options.highlighted = len(prompts) - 1
            options.focus()
            self._highlight_last = False
        elif prompts:
            options.highlighted = min(highlighted or 0, len(prompts) - 1)

    # Opening a disagreement --------------------------------------------------

    def open_disagreement(self, disagreement_id: str) -> None:
        session = self.session
        if session is None:
            return
        item = next((d for d in session.disagreements if d.id == disagreement_id), None)
        if item is None:
            self.notify("That disagreement is no longer in this session.", severity="warning")
            return
        self.app.push_screen(DisagreementScreen(item, session.voices()), self._saved_views)

    def _saved_views(self, result: DisagreementViews | None) -> None:
        if result is None:
            return

        def apply(session: Session) -> Session:
            item = next((d for d in session.disagreements if d.id == result.disagreement_id), None)
            if item is None:
                raise SessionError("That disagreement is no longer in this session.")
            voices = {p.id for p in session.voices()}
            for person_id, text in result.views.items():
                if person_id in voices and clean(text).strip() != item.views.get(person_id, ""):
                    session = set_view(session, result.disagreement_id, person_id, text)
            wanted = "talked-through" if result.talked_through else "open"
            if item.status != wanted:
                session = set_disagreement_status(
                    session, result.disagreement_id, result.talked_through
                )
            return session

        self.change(apply)

    @on(DataTable.RowSelected, "#side-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value or ""
        if self.session is None:
            return
        if key.startswith("section:"):
            self.notify("This is a heading. Move down to a row; rows marked ⚠ open.", timeout=3)
            return
        if any(d.id == key for d in self.session.disagreements):
            self.open_disagreement(key)
        else:
            self.notify("No disagreement on this row. Press d to name one.", timeout=3)

    @on(OptionList.OptionSelected, "#side-disagreements")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.open_disagreement(event.option.id)

    # Naming a new one ----------------------------------------------------------

    def action_name_disagreement(self) -> None:
        def named(subject: str | None) -> None:
            if subject:
                self._highlight_last = True
                self.change(lambda s: record_disagreement(s, subject))

        self.app.push_screen(NameDisagreementScreen(), named)
