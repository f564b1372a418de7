"""The clinic view: how a clinic's decisions look across many records.

Counts by outcome, the share of consultations with a carer taking part and
with disagreements left open, overdue reviews, records that failed, and the
certainty check and feedback month by month. Charts are plain Unicode blocks
with the numbers beside them, and every monthly figure is in a table of
numbers too (n jumps to it). It respects the review screen's filters.

The figures come from the index (RecordIndex.clinic), counted in a worker
thread (the index gives each thread its own connection) so the screen opens
at once on a big folder.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from sdm_tui.core.index import ClinicStats, Filters, RecordIndex
from sdm_tui.core.session import CERTAINTY_ITEMS, FEEDBACK_ITEMS
from sdm_tui.ui.screens.record_view import CERTAINTY_SHORT
from sdm_tui.ui.widgets.charts import Bar, BarChart, MonthChart, Series
from sdm_tui.ui.widgets.footer import Footer

OUTCOME_NAMES = {
    "chosen": "Chosen",
    "deferred": "Deferred",
    "no-agreement": "No agreement",
    "": "Not decided",
}
FEEDBACK_SHORT = {
    "understand": "Helped understand",
    "listened": "Listened to me",
    "included": "Shaped the decision",
}
FEEDBACK_COLUMN = {"understand": "Underst.", "listened": "Listened", "included": "Shaped"}
CERTAINTY_COLUMN = {"know": "Know", "values": "Clear", "support": "Support", "sure": "Sure"}


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def outcome_bars(stats: ClinicStats) -> list[Bar]:
    readable = stats.total - stats.failed
    keys = list(OUTCOME_NAMES)
    keys += sorted(k for k in stats.by_outcome if k not in OUTCOME_NAMES)
    return [
        Bar(OUTCOME_NAMES.get(k, k), n, f"{n:,} ({share(n, readable)})")
        for k in keys
        if (n := stats.by_outcome.get(k, 0)) or k != ""
    ]


def share_bars(stats: ClinicStats) -> list[Bar]:
    readable = stats.total - stats.failed
    return [
        Bar(
            "Carer took part",
            stats.with_carer / readable * 100 if readable else 0,
            f"{share(stats.with_carer, readable)} ({stats.with_carer:,} of {readable:,})",
        ),
        Bar(
            "Disagreements left open",
            stats.with_open_disagreements / readable * 100 if readable else 0,
            f"{share(stats.with_open_disagreements, readable)} "
            f"({stats.with_open_disagreements:,} of {readable:,})",
        ),
    ]


def counts_text(stats: ClinicStats) -> str:
    people = "person" if stats.overdue_reviews == 1 else "people"
    failed = "record" if stats.failed == 1 else "records"
    return (
        f"◷ Overdue reviews: {stats.overdue_reviews:,} {people} whose latest record's review "
        "date has passed.\n"
        f"✗ Failed or unreadable: {stats.failed:,} {failed} (listed with ✗ in the review list; "
        "'sdm-tui records verify' names them).\n"
        f"Concerns raised: {stats.concerns_raised:,}; answered at the time: "
        f"{stats.concerns_answered:,} ({share(stats.concerns_answered, stats.concerns_raised)}); "
        "the rest were left open with who follows them up."
    )


def certainty_series(stats: ClinicStats) -> list[Series]:
    return [
        Series(
            CERTAINTY_SHORT[key],
            [m.certainty_yes.get(key) for m in stats.months],
            0.0,
            1.0,
            lambda v: f"{v:.0%} yes",
        )
        for key in CERTAINTY_ITEMS
    ]


def feedback_series(stats: ClinicStats) -> list[Series]:
    return [
        Series(
            FEEDBACK_SHORT[key],
            [m.feedback.get(key) for m in stats.months],
            0.0,
            4.0,
            lambda v: f"{v:.1f} of 4",
        )
        for key in FEEDBACK_ITEMS
    ]


def numbers_table(stats: ClinicStats) -> Table:
    """Every monthly figure as text: feedback means (0-4) and certainty shares (yes)."""
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("Month", no_wrap=True)
    table.add_column("Records", justify="right", no_wrap=True)
    for key in FEEDBACK_ITEMS:
        table.add_column(FEEDBACK_COLUMN[key], justify="right", no_wrap=True)
    for key in CERTAINTY_ITEMS:
        table.add_column(CERTAINTY_COLUMN[key], justify="right", no_wrap=True)
    table.add_column("Concerns", justify="right", no_wrap=True)
    table.add_column("Answered", justify="right", no_wrap=True)
    for month in stats.months:
        cells = [month.month, f"{month.count:,}"]
        cells += [
            "–" if (v := month.feedback.get(k)) is None else f"{v:.1f}" for k in FEEDBACK_ITEMS
        ]
        cells += [
            "–" if (v := month.certainty_yes.get(k)) is None else f"{v:.0%}"
            for k in CERTAINTY_ITEMS
        ]
        cells += [f"{month.concerns_raised:,}", f"{month.concerns_answered:,}"]
        table.add_row(*(Text(c) for c in cells))
    return table


NUMBERS_LEGEND = (
    "Feedback: the service user's mean answer, 0 not at all to 4 completely (Underst. = "
    "helped me understand, Listened = listened to what matters, Shaped = what I said shaped "
    "the decision). Certainty: share of service users answering yes. Concerns: how many "
    "were raised, and how many answered at the time (the rest left open with who follows "
    "them up). – = no answers."
)


class ClinicScreen(Screen[None]):
    """Figures across the records the review screen's filters select."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "numbers", "Numbers by month"),
    ]

    def __init__(
        self, index: RecordIndex, filters: Filters, described: str, *, today: date
    ) -> None:
        super().__init__()
        self.index = index
        self.filters = filters
        self.described = described
        self.today = today
        self.stats: ClinicStats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="clinic-scroll"):
            yield Static("Counting…", id="clinic-heading", classes="heading first", markup=False)
            yield Static("Outcomes", classes="heading", markup=False)
            yield BarChart(id="clinic-outcomes")
            yield Static("Across the records", classes="heading", markup=False)
            yield BarChart(id="clinic-shares", maximum=100)
            yield Static("", id="clinic-counts", markup=False)
            yield Static(
                "Certainty check by month (service users answering yes)",
                classes="heading",
                markup=False,
            )
            yield MonthChart(id="clinic-certainty")
            yield Static(
                "Feedback by month (mean, 0 not at all to 4 completely)",
                classes="heading",
                markup=False,
            )
            yield MonthChart(id="clinic-feedback")
            yield Static(
                "Numbers by month", id="clinic-numbers-heading", classes="heading", markup=False
            )
            yield Static(NUMBERS_LEGEND, classes="hint", markup=False)
            yield Static("", id="clinic-numbers")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Clinic view"
        self.query_one("#clinic-scroll").focus()
        self._count(self.app)  # fetched here: once the screen is closed the thread cannot

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _count(self, app: App) -> None:
        try:
            stats = self.index.clinic(self.filters, self.today)
        except sqlite3.Error as exc:
            app.call_from_thread(self._failed, str(exc))
            return
        app.call_from_thread(self.show, stats)

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            return  # closed before the figures were ready
        self.query_one("#clinic-heading", Static).update(
            f"⚠ The records index could not be read ({message}). Go back and press Ctrl+R "
            "to check the folder again."
        )

    def show(self, stats: ClinicStats) -> None:
        self.stats = stats
        if not self.is_attached:
            return  # closed before the figures were ready
        records = "record" if stats.total == 1 else "records"
        self.query_one("#clinic-heading", Static).update(
            f"Clinic view: {stats.total:,} {records} · {self.described}"
        )
        self.query_one("#clinic-outcomes", BarChart).update(outcome_bars(stats))
        self.query_one("#clinic-shares", BarChart).update(share_bars(stats), maximum=100)
        self.query_one("#clinic-counts", Static).update(counts_text(stats))
        months = [m.month for m in stats.months]
        self.query_one("#clinic-certainty", MonthChart).update(months, certainty_series(stats))
        self.query_one("#clinic-feedback", MonthChart).update(months, feedback_series(stats))
        self.query_one("#clinic-numbers", Static).update(numbers_table(stats))

    def action_numbers(self) -> None:
        heading = self.query_one("#clinic-numbers-heading")
        self.query_one("#clinic-scroll", VerticalScroll).scroll_to_widget(
            heading, top=True, animate=False
        )

    def action_back(self) -> None:
        self.dismiss(None)
