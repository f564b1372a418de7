"""The grid, and each person's views, as plain text read question by question.

For people who use a screen reader or a magnifier, or who simply prefer reading: no
table and no symbols; every level, rating and leaning is said in words, one question
to a block ("Will I put on weight?", then "Olanzapine, high: …", "Aripiprazole, low: …").
`sdm-tui grids show ID --linear` prints the grid this way, and option talk's reading
view (the r key) shows the chosen options with each person's ratings and leanings.
Pure functions: the text is the same on the command line and in the app.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from sdm_tui.core.grid import GridOption, OptionGrid, Question
from sdm_tui.core.session import IMPORTANCE_TEXT, Leaning, Session

NO_ANSWER = "no answer in this grid"
NOT_DISCUSSED = "not discussed"
NOT_SAID = "has not said"
Block = list[str]  # a heading line, then lines shown indented under it
LEANING_WORDS = {
    Leaning.TOWARDS: "leans towards it",
    Leaning.OPEN: "is open to it",
    Leaning.AWAY: "leans away from it",
    Leaning.UNSURE: "is unsure",
}


def _lead(question: Question) -> str:
    text = " ".join(question.text.split())
    return text if text.endswith(("?", ".", ":")) else f"{text}:"


def answer_words(grid: OptionGrid, question: Question, option: GridOption) -> str:
    """'Olanzapine, high: Weight gain is common.' (the level in words, if it has one)."""
    answer = grid.answer(question.id, option.id)
    if answer is None:
        return f"{option.name}: {NO_ANSWER}."
    level = f", {answer.level.value}" if answer.level else ""
    return f"{option.name}{level}: {' '.join(answer.text.split())}"


def question_block(grid: OptionGrid, question: Question, options: list[GridOption]) -> Block:
    """The question, then each option's answer to it."""
    return [_lead(question), *(answer_words(grid, question, option) for option in options)]


def importance_words(value: int | None) -> str:
    return NOT_DISCUSSED if value is None else f"{value} of 4, {IMPORTANCE_TEXT[value]}"


def leaning_words(leaning: Leaning | None) -> str:
    return NOT_SAID if leaning is None else LEANING_WORDS[leaning]


def _options(grid: OptionGrid, option_ids: Iterable[str] | None) -> list[GridOption]:
    wanted = list(option_ids or ())
    if not wanted:
        return list(grid.options)
    known = {option.id: option for option in grid.options}
    return [known[option_id] for option_id in wanted if option_id in known]


def grid_blocks(grid: OptionGrid, option_ids: Iterable[str] | None = None) -> list[Block]:
    """The grid (or the options `option_ids`), question by question."""
    options = _options(grid, option_ids)
    head = [
        [grid.title],
        [f"The decision: {' '.join(grid.decision.split())}"],
        [f"Options: {', '.join(option.name for option in options)}."],
    ]
    return head + [question_block(grid, question, options) for question in grid.questions]


def session_blocks(session: Session, grid: OptionGrid) -> list[Block]:
    """The chosen options question by question, each answer, then how much the question
    matters to each person; then each person's leaning on each option. All in words."""
    options = _options(grid, session.team_talk.options)
    people = session.voices()
    out = [[grid.title], [f"Options compared: {', '.join(o.name for o in options)}."]]
    if not people:
        out.append(["No one's views are recorded yet: add people in team talk (F2)."])
    for question in grid.questions:
        block = question_block(grid, question, options)
        for person in people:
            matters = importance_words(person.importance.get(question.id))
            block.append(f"How much it matters to {person.display}: {matters}.")
        out.append(block)
    for option in options:
        block = [f"Leanings on {option.name}:"]
        for person in people:
            block.append(f"{person.display} {leaning_words(person.leanings.get(option.id))}.")
        if people:
            out.append(block)
    return out


def render(blocks: Iterable[Block], width: int | None = None) -> str:
    """Each block's first line, then its other lines indented by two; a blank line
    between blocks; wrapped to `width` if given; never a blank at a line's end."""
    out = []
    for block in blocks:
        lines = []
        for number, line in enumerate(block):
            indent = "" if number == 0 else "  "
            if width is None:
                lines.append(f"{indent}{line}")
            else:
                lines.append(
                    textwrap.fill(
                        line,
                        width=max(width, 20),
                        initial_indent=indent,
                        subsequent_indent=indent + "  ",
                    )
                )
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
