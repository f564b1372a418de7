"""The role-play debrief as Markdown: what it says, and that typed text stays text.

The output is parsed with markdown-it-py, so the checks are about what a
Markdown reader shows. Every person is invented (tests/data/scenarios-ui).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from sdm_tui.core import transitions as t
from sdm_tui.core.debrief import (
    DEBRIEF_SUFFIX,
    NOT_ANSWERED,
    NOT_SCORED,
    debrief_markdown,
    debrief_path,
    goal_rows,
    observer_total_text,
)
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.scenario import Scenario, load_scenario
from sdm_tui.core.session import Answer3, Outcome, Session
from sdm_tui.core.training import (
    OBSERVER_ITEMS,
    mark_goal,
    score_item,
    set_observer_note,
    start_role_play,
)

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2027, 1, 1, 10, 30, tzinfo=UTC)
ODD = "[/b] bold? | pipe <script>alert(1)</script> & [link](http://x) ![i](y) *em* `code`"
SAFE_TOKENS = {
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "code_inline",
    "fence",
    "em_open",
    "strong_open",
}


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    return load_grid(DATA / "example-grid.toml")[0]


@pytest.fixture(scope="module")
def scenario(grid: OptionGrid) -> Scenario:
    return load_scenario(DATA / "scenarios-ui" / "weight-worry.toml", {grid.id: grid})


@pytest.fixture
def session(scenario: Scenario, grid: OptionGrid) -> Session:
    return start_role_play(scenario, grid, app_version="test", now=NOW)


def parse(md: str):
    return MarkdownIt("commonmark").enable("table").parse(md)


def tables(md: str) -> list[list[list[str]]]:
    """Each table as rows of cell text, as a reader sees it (escapes resolved)."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    cell: str | None = None
    for tok in parse(md):
        if tok.type == "table_open":
            found.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            cell = ""
        elif tok.type == "inline" and cell is not None:
            cell = "".join(c.content for c in tok.children or [] if c.type == "text")
        elif tok.type in ("th_close", "td_close"):
            row.append(cell or "")
            cell = None
        elif tok.type == "tr_close":
            found[-1].append(row)
    return found


def rendered(md: str) -> str:
    out = []
    for tok in parse(md):
        if tok.type == "inline":
            out.append("".join(c.content for c in tok.children or [] if c.type == "text"))
    return "\n".join(out)


def token_types(md: str) -> set[str]:
    found: set[str] = set()
    for tok in parse(md):
        found.add(tok.type)
        found.update(c.type for c in tok.children or [])
    return found


def test_an_unscored_role_play_says_not_scored_and_not_answered(
    session: Session, scenario: Scenario, grid: OptionGrid
) -> None:
    md = debrief_markdown(session, scenario, grid)
    assert md.startswith("# Role-play debrief: Worried about weight gain\n")
    assert "It is not a clinical record." in md
    # Whole lines are escaped, so a version mid-line is not mistaken for a list.
    assert "- Grid: Example: choosing between two tablets, version 1.0.0\n" in md
    assert "- Players: Sam (service user), Dr Lee (clinician), Jo (carer or supporter), " in md
    observer, feedback, certainty = tables(md)
    assert observer[0] == ["Area", "Score", "Observer's note"]
    assert len(observer) == 1 + len(OBSERVER_ITEMS)
    assert all(row[1] == NOT_SCORED for row in observer[1:])
    assert all(row[1] == NOT_ANSWERED for row in feedback[1:])
    assert certainty[0] == [
        "Check",
        "Sam (service user)",
        "Dr Lee (clinician)",
        "Jo (carer or supporter)",
    ]  # the observer gives no views
    assert all(cell == NOT_ANSWERED for row in certainty[1:] for cell in row[1:])
    assert "No items scored yet." in md
    for goal in scenario.goals:
        assert f"· not marked: {goal.text}" in rendered(md)
    assert "Outcome: No decision was recorded." in rendered(md)
    assert "not finished (a draft)" in md


def test_scores_notes_goals_feedback_and_certainty_are_all_there(
    session: Session, scenario: Scenario, grid: OptionGrid
) -> None:
    s = score_item(session, "invite", 3)
    s = score_item(s, "inform", 0)
    s = set_observer_note(s, "invite", "Asked Sam first.\nThen Jo.")
    s = set_observer_note(s, "elicit", "Never asked.")
    s = mark_goal(s, scenario, "ask-what-matters", True)
    s = mark_goal(s, scenario, "hear-the-carer", False)
    s = t.set_feedback(s, "listened", 4)
    sam, lee = s.participants[0].id, s.participants[1].id
    s = t.set_certainty(s, sam, "know", Answer3.YES)
    s = t.set_certainty(s, lee, "sure", Answer3.UNSURE)
    s = t.set_decision(s, outcome=Outcome.CHOSEN, option="tablet-a")
    md = debrief_markdown(s, scenario, grid)
    observer, feedback, certainty = tables(md)
    assert observer[1] == ["Inviting the person in", "3 of 4 (mostly)", "Asked Sam first. Then Jo."]
    assert observer[3] == ["Informing about options", "0 of 4 (not seen)", ""]
    assert observer[4] == ["Eliciting preferences", NOT_SCORED, "Never asked."]
    assert "Total 3 of 8 (2 of 5 items scored)." in md
    text = rendered(md)
    assert "✓ met: Asks Sam what matters most before talking about switching." in text
    assert "✗ missed: Hears Jo's worry about relapse without letting Jo answer for Sam." in text
    assert "· not marked: Explains the good and bad points of each option fairly." in text
    assert feedback[2] == [
        "How much did we listen to what matters most to you?",
        "4 of 4 (completely)",
    ]
    assert certainty[1][1:] == ["yes", NOT_ANSWERED, NOT_ANSWERED]
    assert certainty[4][1:] == [NOT_ANSWERED, "unsure", NOT_ANSWERED]
    assert "Outcome: Chose Tablet A." in text


def test_odd_typed_text_shows_literally_and_never_as_markup(
    session: Session, scenario: Scenario, grid: OptionGrid
) -> None:
    s = set_observer_note(session, "team", ODD)
    s = set_observer_note(s, "invite", "# not a heading\n- not a list\n> not a quote")
    md = debrief_markdown(s, scenario, grid)
    assert not SAFE_TOKENS & token_types(md)
    observer = tables(md)[0]
    assert len(observer[2]) == 3, observer[2]  # the pipe did not add a cell
    assert observer[2][2] == ODD
    assert observer[1][2] == "# not a heading - not a list > not a quote"
    headings = [t.tag for t in parse(md) if t.type == "heading_open"]
    assert headings.count("h1") == 1
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_odd_scenario_and_label_text_is_escaped_too(
    session: Session, scenario: Scenario, grid: OptionGrid
) -> None:
    odd = scenario.model_copy(update={"title": "<b>Bold</b> | [x](y)"})
    s = t.relabel_participant(session, session.participants[0].id, "[/b]|<i>")
    md = debrief_markdown(s, odd, grid)
    assert not SAFE_TOKENS & token_types(md)
    assert rendered(md).splitlines()[0] == "Role-play debrief: <b>Bold</b> | [x](y)"
    assert tables(md)[2][0][1] == "[/b]|<i> (service user)"


def test_without_its_scenario_the_goals_marked_are_listed_by_id(
    session: Session, scenario: Scenario, grid: OptionGrid
) -> None:
    s = mark_goal(session, scenario, "fair-options", True)
    assert [r.status for r in goal_rows(s, scenario)] == ["not marked", "not marked", "met"]
    md = debrief_markdown(s, None, None)
    assert md.startswith("# Role-play debrief: weight-worry\n")
    assert "✓ met: fair-options" in rendered(md)
    md = debrief_markdown(session, None, None)
    assert "No learning goals (the scenario file is not available)." in md


def test_the_total_counts_only_what_was_scored(session: Session) -> None:
    assert observer_total_text(session) == "No items scored yet."
    s = score_item(session, "team", 4)
    assert observer_total_text(s) == "Total 4 of 4 (1 of 5 items scored)."


def test_the_debrief_file_sits_next_to_its_record() -> None:
    record = Path("records/training/2027-01/2027-01-01_abcdefghjkmn.toml")
    assert debrief_path(record) == record.with_name("2027-01-01_abcdefghjkmn" + DEBRIEF_SUFFIX)
