"""A grid as plain text for a terminal: options as columns, paged to fit the width."""

from __future__ import annotations

import textwrap

from sdm_tui.core.grid import LEVEL_SYMBOL, OptionGrid

MIN_COLUMN = 24
QUESTION_COLUMN = 20
# The narrowest page that fits the question column and one option column.
MIN_WIDTH = QUESTION_COLUMN + 3 + MIN_COLUMN


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=max(width, 8)) or [""]


def _row(cells: list[list[str]], widths: list[int]) -> list[str]:
    height = max(len(c) for c in cells)
    lines = []
    for i in range(height):
        parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
        lines.append(" │ ".join(parts).rstrip())
    return lines


def render_grid(grid: OptionGrid, width: int = 100) -> str:
    """The grid as lines no wider than `width` (or MIN_WIDTH, if that is more)."""
    width = max(width, MIN_WIDTH)
    out: list[str] = []
    rule = "─" * width
    out += _wrap(grid.title.upper(), width)
    out += ["", *_wrap(f"The decision: {grid.decision}", width)]
    out += _wrap(f"Who it is for: {grid.audience}", width)
    out += _wrap(f"Condition: {grid.condition}", width)
    out += _wrap(
        f"Version {grid.version}, published {grid.published}, review by {grid.review_by}.", width
    )
    out += _wrap(grid.disclaimer, width)
    levels = "  ".join(f"{sym} {lvl.value}" for lvl, sym in LEVEL_SYMBOL.items())
    out += _wrap(f"Levels: {levels}", width)
    fits = max(1, (width - QUESTION_COLUMN) // (MIN_COLUMN + 3))
    options = grid.options
    pages = -(-len(options) // fits)
    per_page = -(-len(options) // pages)  # spread options evenly over the pages
    for start in range(0, len(options), per_page):
        page = options[start : start + per_page]
        column = (width - QUESTION_COLUMN - 3 * len(page)) // len(page)
        widths = [QUESTION_COLUMN] + [column] * len(page)
        out += ["", f"Options {start + 1}-{start + len(page)} of {len(options)}", rule]
        header = [[""]] + [_wrap(o.name.upper(), column) for o in page]
        out += _row(header, widths)
        notes = [[""]] + [_wrap(o.note, column) if o.note else [""] for o in page]
        if any(o.note for o in page):
            out += _row(notes, widths)
        for question in grid.questions:
            out.append(rule)
            cells = [_wrap(question.text, QUESTION_COLUMN)]
            if question.level_meaning:
                cells[0] += _wrap(f"Level: {question.level_meaning}", QUESTION_COLUMN)
            for option in page:
                answer = grid.answer(question.id, option.id)
                level = (
                    f"{LEVEL_SYMBOL[answer.level]} {answer.level.value}. " if answer.level else ""
                )
                body = _wrap(f"{level}{answer.text}", column)
                body += _wrap("[" + ", ".join(answer.sources) + "]", column)
                cells.append(body)
            out += _row(cells, widths)
        out.append(rule)
    out += ["", "Sources:"]
    for source in grid.sources:
        out += _wrap(f"{source.id}: {source.citation}", width)
    out += [
        "",
        *_wrap(
            f"Written by: {grid.authors}. Funding: {grid.funding} "
            f"Conflicts of interest: {grid.conflicts_of_interest}",
            width,
        ),
    ]
    out += _wrap(f"Updates: {grid.update_policy}", width)
    latest = [c for c in grid.changes if c.version == grid.version]
    if latest:
        out += ["", f"Changes in version {grid.version} ({latest[0].date}):"]
        for change in latest:
            out += _wrap(f"- {change.what}", width)
    return "\n".join(out) + "\n"
