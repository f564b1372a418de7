"""The role-play debrief: what the observer saw next to what the players felt.

Pure functions, no I/O and no Textual. The debrief screen and the exported
Markdown are both built from the rows here, so what is shown is what is saved.
Everything typed (labels, observer notes) and all scenario and grid text goes
through `md_escape` / `md_cell` in the Markdown, so it always shows literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    FEEDBACK_SCALE,
    Outcome,
    Participant,
    Session,
)
from sdm_tui.core.text import md_cell, md_escape
from sdm_tui.core.training import OBSERVER_ITEMS, OBSERVER_SCALE, observer_total

# Short names for the five observer items (the full wording is in training.py).
OBSERVER_SHORT: dict[str, str] = {
    "invite": "Inviting the person in",
    "team": "Deliberating as a team",
    "inform": "Informing about options",
    "elicit": "Eliciting preferences",
    "integrate": "Integrating preferences",
}
CERTAINTY_SHORT: dict[str, str] = {
    "know": "Knows the options",
    "values": "Clear what matters",
    "support": "Has the support",
    "sure": "Sure what's next",
}
FEEDBACK_SHORT: dict[str, str] = {
    "understand": "Helped to understand the choices",
    "listened": "Listened to what matters most",
    "included": "What they said shaped the decision",
}
NOT_SCORED = "not scored"
NOT_ANSWERED = "not answered"
GOAL_MARK: dict[str, str] = {"met": "✓ met", "missed": "✗ missed", "not marked": "· not marked"}
DEBRIEF_SUFFIX = ".debrief.md"


@dataclass(frozen=True)
class ObserverRow:
    item: str
    name: str  # short name
    wording: str  # the full item
    score: int | None
    note: str

    @property
    def score_text(self) -> str:
        if self.score is None:
            return NOT_SCORED
        return f"{self.score} of 4 ({OBSERVER_SCALE[self.score]})"


@dataclass(frozen=True)
class GoalRow:
    goal_id: str
    text: str
    status: str  # "met" | "missed" | "not marked"

    @property
    def mark(self) -> str:
        return GOAL_MARK[self.status]


def observer_rows(session: Session) -> list[ObserverRow]:
    training = session.training
    scores = training.observer_scores if training else {}
    notes = training.observer_notes if training else {}
    return [
        ObserverRow(
            item, OBSERVER_SHORT.get(item, item), wording, scores.get(item), notes.get(item, "")
        )
        for item, wording in OBSERVER_ITEMS.items()
    ]


def observer_total_text(session: Session) -> str:
    got, most = observer_total(session)
    scored = len(session.training.observer_scores) if session.training else 0
    if not scored:
        return "No items scored yet."
    return f"Total {got} of {most} ({scored} of {len(OBSERVER_ITEMS)} items scored)."


def goal_rows(session: Session, scenario: Scenario | None) -> list[GoalRow]:
    """The scenario's goals in order; marks for goals the scenario no longer has come last."""
    marks = session.training.goals_met if session.training else {}

    def status(goal_id: str) -> str:
        if goal_id not in marks:
            return "not marked"
        return "met" if marks[goal_id] else "missed"

    rows = [GoalRow(g.id, g.text, status(g.id)) for g in scenario.goals] if scenario else []
    known = {row.goal_id for row in rows}
    rows += [GoalRow(g, g, status(g)) for g in marks if g not in known]
    return rows


def feedback_rows(session: Session) -> list[tuple[str, str]]:
    """(item key, answer) for the service user's feedback, "not answered" when missing."""
    rows = []
    for item in FEEDBACK_ITEMS:
        value = session.feedback.get(item)
        answer = NOT_ANSWERED if value is None else f"{value} of 4 ({FEEDBACK_SCALE[value]})"
        rows.append((item, answer))
    return rows


def certainty_rows(session: Session) -> tuple[list[Participant], list[tuple[str, list[str]]]]:
    """(the people, [(item key, [each person's answer])]): everyone's certainty side by side."""
    people = list(session.voices())
    rows = []
    for item in CERTAINTY_ITEMS:
        answers = [p.certainty[item].value if item in p.certainty else NOT_ANSWERED for p in people]
        rows.append((item, answers))
    return people, rows


def outcome_text(session: Session) -> str:
    decision = session.decision
    if decision.outcome == Outcome.CHOSEN:
        name = session.grid.options.get(decision.option, decision.option)
        return f"Chose {name}." if name else "Chose an option (which one was not recorded)."
    if decision.outcome == Outcome.DEFERRED:
        return "Decided to wait and talk again."
    if decision.outcome == Outcome.NO_AGREEMENT:
        return "Did not agree on a choice."
    return "No decision was recorded."


def debrief_path(record_path: Path) -> Path:
    """The debrief's file, next to the record: 2026-11-22_<id>.toml -> ..._<id>.debrief.md."""
    return record_path.with_name(record_path.stem + DEBRIEF_SUFFIX)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def debrief_markdown(session: Session, scenario: Scenario | None, grid: OptionGrid | None) -> str:
    """The debrief of a role-play as Markdown (pure; every piece of text escaped).

    `scenario` may be None when its file is no longer available: the goals
    marked are then listed by their ids. `grid` gives the grid's title when
    the record's copy has none.
    """
    title = scenario.title if scenario else session.training.scenario if session.training else ""
    when = (session.completed or session.updated).astimezone(UTC)
    grid_title = session.grid.title or (grid.title if grid else session.grid.id)
    saved = "finished" if session.completed else "not finished (a draft)"
    lines = [
        "# " + md_escape(f"Role-play debrief: {title or 'unknown scenario'}"),
        "",
        "A training role-play with invented people. It is not a clinical record.",
        "",
    ]
    facts = [
        f"Record: {session.record_id}, {saved}, {when:%Y-%m-%d %H:%M} UTC",
        f"Grid: {grid_title}, version {session.grid.version}",
    ]
    if scenario is not None:
        facts.append(f"Scenario: {scenario.id}, version {scenario.version}")
    players = ", ".join(p.display for p in session.participants) or "none recorded"
    facts += [f"Players: {players}", f"Outcome: {outcome_text(session)}"]
    # Each whole line is escaped (not its pieces), so "1.0" mid-line stays as it is.
    lines += [f"- {md_escape(fact)}" for fact in facts]
    lines += [
        "",
        "## What the observer saw",
        "",
        "Scores go from 0 (not seen) to 4 (fully).",
        "",
        _row(["Area", "Score", "Observer's note"]),
        _row(["---"] * 3),
    ]
    observed = observer_rows(session)
    for row in observed:
        lines.append(_row([md_cell(row.name), md_cell(row.score_text), md_cell(row.note)]))
    lines += ["", md_escape(observer_total_text(session)), "", "What each area means:", ""]
    lines += [f"- {md_escape(f'{row.name}: {row.wording}')}" for row in observed]
    lines += ["", "## Learning goals", ""]
    goals = goal_rows(session, scenario)
    if goals:
        lines += [f"- {md_escape(f'{row.mark}: {row.text}')}" for row in goals]
    else:
        lines.append("No learning goals (the scenario file is not available).")
    su = session.service_user()
    who = f" ({md_escape(su.label)})" if su is not None else ""
    lines += [
        "",
        f"## How involved the service user felt{who}",
        "",
        _row(["Question", "Answer"]),
        _row(["---"] * 2),
    ]
    lines += [_row([md_cell(FEEDBACK_ITEMS[i]), md_cell(a)]) for i, a in feedback_rows(session)]
    lines += ["", "## How sure each person felt", ""]
    people, rows = certainty_rows(session)
    if people:
        lines += [
            _row([md_cell("Check"), *(md_cell(p.display) for p in people)]),
            _row(["---"] * (len(people) + 1)),
        ]
        lines += [
            _row([md_cell(CERTAINTY_ITEMS[item]), *map(md_cell, answers)]) for item, answers in rows
        ]
    else:
        lines.append("No one's views were recorded.")
    return "\n".join(lines).rstrip("\n") + "\n"
