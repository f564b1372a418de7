"""Two records of one person side by side: what was decided, the review, what changed.

Everything comes from sdm_tui.core.history.compare, so the screen, the command
line and the tests read the same words. Each person's changed ratings and
leanings are listed under their name with before and after, and for importance
an arrow and a word (↑ more, ↓ less), not colour alone.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from sdm_tui.core.history import Change, Comparison, record_day
from sdm_tui.core.summary import plain_date
from sdm_tui.ui.widgets.footer import Footer

CHANGES_LEGEND = (
    "Importance 0 (not important) to 4 (most important); leaning ▲ towards ◆ open ▼ away "
    "? unsure; — not given."
)


def direction(change: Change) -> str:
    """↑ more / ↓ less for an importance change; "" for leanings or a rating not given."""
    if change.kind != "importance":
        return ""
    before, after = change.before[:1], change.after[:1]
    if not (before.isdigit() and after.isdigit()):
        return "now rated" if after.isdigit() else "not rated"
    return "↑ more" if after > before else "↓ less"


def decisions_table(c: Comparison) -> Table:
    old_day = plain_date(record_day(c.older), weekday=False)
    new_day = plain_date(record_day(c.newer), weekday=False)
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("")
    table.add_column(Text(f"Earlier: {old_day}"), overflow="fold")
    table.add_column(Text(f"Later: {new_day}"), overflow="fold")

    def review(day) -> Text:
        return Text(plain_date(day, weekday=False) if day else "none set")

    table.add_row(Text("Decided", style="bold"), Text(c.decision_before), Text(c.decision_after))
    table.add_row(
        Text("Review date", style="bold"),
        review(c.older.decision.review_date),
        review(c.newer.decision.review_date),
    )
    table.add_row(Text("Record", style="bold"), Text(c.older.record_id), Text(c.newer.record_id))
    return table


def people_text(c: Comparison) -> Text:
    text = Text()
    for i, (before, after) in enumerate(c.people):
        if i:
            text.append("\n")
        text.append(f"• {before}")
        text.append(" → ")
        text.append(after)
    return text


def changes_table(c: Comparison) -> Table | Text:
    if not c.changes:
        return Text("No one's importance ratings or leanings changed.")
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
    table.add_column("About", ratio=1, overflow="fold")
    table.add_column("Before", no_wrap=True)
    table.add_column("After", no_wrap=True)
    table.add_column("", no_wrap=True)
    who = None
    for change in c.changes:
        if change.who != who:
            who = change.who
            table.add_row(Text(who, style="bold underline"), Text(""), Text(""), Text(""))
        about = change.subject if change.kind == "importance" else f"Leaning on {change.subject}"
        table.add_row(
            Text(about),
            Text(change.before),
            Text(change.after, style="bold"),
            Text(direction(change)),
        )
    return table


class CompareScreen(Screen[None]):
    """How things changed between two of one person's records."""

    CSS_PATH = "review.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison

    def compose(self) -> ComposeResult:
        c = self.comparison
        reference = c.newer.service_user_ref or "no reference"
        yield Header()
        with VerticalScroll(id="compare-scroll"):
            yield Static(
                f"{reference}: how things changed between two decisions",
                classes="heading first",
                markup=False,
            )
            if c.newer.mode.value == "training":
                yield Static("Training role-plays, not clinical records.", classes="hint")
            yield Static(decisions_table(c), id="compare-decisions")
            yield Static(c.review_kept, id="compare-review", markup=False)
            yield Static(c.grid_note, classes="hint", markup=False)
            yield Static("What changed", classes="heading", markup=False)
            yield Static(CHANGES_LEGEND, classes="hint", markup=False)
            yield Static(changes_table(c), id="compare-changes")
            if c.only_older or c.only_newer:
                yield Static("Only in one record", classes="heading", markup=False)
                lines = [f"• Only in the earlier record: {x}" for x in c.only_older]
                lines += [f"• Only in the later record: {x}" for x in c.only_newer]
                yield Static("\n".join(lines), id="compare-only", markup=False)
            yield Static("Who took part (earlier → later)", classes="heading", markup=False)
            yield Static(people_text(c), id="compare-people")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Compare two records"
        self.query_one("#compare-scroll").focus()

    def action_back(self) -> None:
        self.dismiss(None)
