"""How the review list draws a record's row and reads its filters (no screen here).

Split from review.py: the column widths, the flags (◷ ⚠ ✗ ≠), the row and heading
text for a given width, parsing a typed date and describing the filters in words.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from sdm_tui.core.index import Filters, IndexRow
from sdm_tui.core.text import clean_line

LEGEND = "◷ review passed · ⚠ disagreement open · ✗ failed check · ≠ changed on disk"
CHANGED_WORDS = "changed on disk"  # the background check found the file not as indexed
OUTCOMES = [
    ("Any outcome", ""),
    ("Chosen", "chosen"),
    ("Deferred", "deferred"),
    ("No agreement", "no-agreement"),
]
MODES: dict[str, tuple[str, ...]] = {
    "clinical": ("clinical",),
    "training": ("training",),
    "all": ("clinical", "training"),
}
MODE_NAMES = {"clinical": "Clinical records", "training": "Training records", "all": "All records"}
PROBLEM_WORDS = {
    "integrity": "failed integrity check",
    "unreadable": "cannot be read",
    "newer": "from a newer sdm-tui",
    "invalid": "not a valid record",
}
DECISION_WORDS = {"deferred": "Deferred", "no-agreement": "No agreement"}

# Column widths of the list (cells); the decision and the grid title share what is left.
FLAGS_W, DATE_W, REF_W, MODE_W = 3, 10, 11, 8
FIXED_W = FLAGS_W + DATE_W + REF_W + MODE_W + 5 * 2


def decision_width(width: int) -> int:
    return min(32, max(16, (width - FIXED_W) * 3 // 5))


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def decision_text(row: IndexRow) -> str:
    if row.outcome == "chosen":
        return f"Chosen: {row.option}" if row.option else "Chosen"
    return DECISION_WORDS.get(row.outcome, "No decision")


def flags(row: IndexRow, today: date) -> str:
    """◷ ⚠ ✗ ≠ marks for one row (the legend says what each means)."""
    changed = "≠" if row.flag else ""
    if row.status != "ok":
        return "✗" + changed
    marks = changed
    if row.review_passed(today):
        marks += "◷"
    if row.open_disagreements:
        marks += "⚠"
    return marks


def _columns(cells: list[tuple[str, int]], width: int) -> Text:
    """Cells padded to their widths (the last one takes the rest), two spaces apart."""
    text = Text(no_wrap=True)
    used = 0
    for i, (value, cell_width) in enumerate(cells):
        last = i == len(cells) - 1
        room = max(width - used, 0) if last else cell_width
        piece = Text(_fit(value, room))
        if piece.cell_len < room and not last:
            piece.pad_right(room - piece.cell_len)
        text.append_text(piece)
        used += room
        if not last:
            text.append("  ")
            used += 2
    return text


def row_text(row: IndexRow, width: int, today: date) -> Text:
    """One record on one line: flags, date, reference, decision, mode, grid."""
    day = row.created[:10] or "date ?"
    mark = flags(row, today)
    if row.status != "ok":
        reason = PROBLEM_WORDS.get(row.status, "cannot be read")
        if row.flag:
            reason = f"{CHANGED_WORDS}, {reason}"
        line = _columns(
            [
                (mark, FLAGS_W),
                (day, DATE_W),
                (f"✗ {reason}: record {row.record_id} ({clean_line(row.path)})", width),
            ],
            width,
        )
        line.stylize("bold")
        return line
    return _columns(
        [
            (mark, FLAGS_W),
            (day, DATE_W),
            (row.service_user_ref or "—", REF_W),
            (decision_text(row), decision_width(width)),
            (row.mode, MODE_W),
            (
                f"≠ {CHANGED_WORDS} · {row.grid_title or row.grid_id}"
                if row.flag
                else row.grid_title or row.grid_id,
                width,
            ),
        ],
        width,
    )


def heading_text(width: int) -> Text:
    text = Text("  ", no_wrap=True)  # under the list's cursor mark
    width = max(width - 2, 1)
    text.append_text(
        _columns(
            [
                ("", FLAGS_W),
                ("Date", DATE_W),
                ("Reference", REF_W),
                ("Decision", decision_width(width)),
                ("Mode", MODE_W),
                ("Grid", width),
            ],
            width,
        )
    )
    text.stylize("bold")
    return text


def parse_day(value: str, label: str) -> tuple[date | None, str]:
    """A YYYY-MM-DD date from a filter box, or a one-line message saying how to type it."""
    value = value.strip()
    if not value:
        return None, ""
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value), ""
    except ValueError:
        return (
            None,
            f"⚠ {label} date “{_fit(value, 12)}” is not a date: type YYYY-MM-DD, e.g. 2026-11-02.",
        )


def describe(filters: Filters, mode: str, grid_titles: dict[str, str]) -> str:
    """Which filters are on, in words."""
    parts = [MODE_NAMES[mode].split()[0].lower() + (" only" if mode != "all" else " modes")]
    if filters.text.strip():
        parts.append(f"words “{_fit(filters.text.strip(), 24)}”")
    if filters.reference.strip():
        parts.append(f"reference {filters.reference.strip()}")
    if filters.date_from:
        parts.append(f"from {filters.date_from.isoformat()}")
    if filters.date_to:
        parts.append(f"to {filters.date_to.isoformat()}")
    if filters.grid:
        parts.append(f"grid “{_fit(grid_titles.get(filters.grid, filters.grid), 24)}”")
    if filters.outcome:
        parts.append(dict((v, k) for k, v in OUTCOMES)[filters.outcome].lower())
    if filters.open_concerns:
        parts.append("with open concerns")
    return ", ".join(parts)


class RecordHeading(Static):
    """The column names, drawn to the list's width."""

    def render(self) -> Text:
        return heading_text(self.content_size.width or 80)
