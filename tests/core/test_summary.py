"""The take-away Markdown summary: content, shape, and that typed text stays text.

Every person here is invented ("Service user", "Dr Test", "Carer"). The output
is parsed with markdown-it-py, so the checks are about what a Markdown reader
would really show, not about the raw characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sdm_tui.core import transitions as t
from sdm_tui.core.grid import OptionGrid, load_grid
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    Answer3,
    CarerConsent,
    Involvement,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    SessionError,
    Stance,
    grid_ref,
    new_session,
)
from sdm_tui.core.summary import (
    CARER_NOT_INCLUDED,
    DEFAULT_CONTACT,
    plain_date,
    summary_markdown,
)

GRID_PATH = Path(__file__).parents[1] / "data" / "example-grid.toml"
NOW = datetime(2027, 1, 1, 10, 30, tzinfo=UTC)
TODAY = date(2027, 1, 1)
REVIEW = date(2027, 1, 4)  # a Monday

HEADINGS = [  # what a person needs at home first (issue 14)
    "Your decision summary",
    "What was decided",
    "Next steps",
    "Review",
    "Who to contact",
    "What matters to you",
    "What mattered to each person",
    "Where people see things differently",
    "Notes and questions",
    "How sure everyone felt",
    "About the information",
]

# Token types the summary never makes itself, so any of them means typed text
# has turned into markup.
FORBIDDEN = {
    "html_inline",
    "html_block",
    "image",
    "link_open",
    "code_inline",
    "code_block",
    "fence",
    "em_open",
    "strong_open",
    "s_open",
    "hr",
    "ordered_list_open",
    "lheading_open",
}

HOSTILE = [
    "# Heading",
    "<script>alert(1)</script>",
    "![img](http://x/y.png)",
    "[link](http://x)",
    "a | b | c",
    "`code`",
    "**bold**",
    "---",
    "1. item",
    "> quote",
    "Line1\n===",
    "<http://x.example>",
    "~~gone~~",
    "    indented code",
    "```\nfence\n```",
    "&lt;entity&gt; &#60;b&#62;",
    "[ref]: http://x",
    "_under_ *star*",
    "<!-- comment -->",
    "a | b\n:---",
    "x\ny | z\n:-:",
    ": a definition?",
]


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


_BREAKS = {"softbreak", "hardbreak", "paragraph_close", "th_close", "td_close", "heading_close"}


def visible(tokens: list[Token]) -> str:
    """The text a reader sees, line breaks as newlines."""
    parts = []
    for token in walk(tokens):
        if token.type == "text":
            parts.append(token.content)
        elif token.type in _BREAKS:
            parts.append("\n")
    return "".join(parts)


def headings(tokens: list[Token]) -> list[str]:
    return [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def table_shape(tokens: list[Token]) -> tuple[list[int], list[int]]:
    """Cells per header row and per body row of the (only) table."""
    head: list[int] = []
    body: list[int] = []
    section = None
    for token in tokens:
        if token.type in ("thead_open", "tbody_open"):
            section = token.type
        elif token.type == "tr_open":
            (head if section == "thead_open" else body).append(0)
        elif token.type in ("th_open", "td_open"):
            (head if section == "thead_open" else body)[-1] += 1
    return head, body


def assert_safe(markdown: str, columns: int, rows: int) -> list[Token]:
    tokens = parser().parse(markdown)
    found = {tok.type for tok in walk(tokens)} & FORBIDDEN
    assert not found, found
    assert headings(tokens) == HEADINGS
    assert sum(tok.type == "table_open" for tok in tokens) == 1
    head, body = table_shape(tokens)
    assert head == [columns]
    assert body == [columns] * rows
    return tokens


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    loaded, problems = load_grid(GRID_PATH, today=TODAY)
    assert problems == []
    return loaded


def base(
    grid: OptionGrid,
    *,
    mode: Mode = Mode.CLINICAL,
    labels: tuple[str, str] = ("Service user", "Dr Test"),
) -> Session:
    session = new_session(
        grid_ref=grid_ref(grid), app_version="test", mode=mode, now=NOW, record_id="test0000000a"
    )
    session = t.add_participant(session, Role.SERVICE_USER, labels[0])
    session = t.add_participant(session, Role.CLINICIAN, labels[1])
    if mode == Mode.CLINICAL:
        session = t.set_reference(session, "TEST-0001")
    return t.choose_options(session, ["tablet-a", "tablet-b", "no-change"])


def full(grid: OptionGrid) -> Session:
    """A finished clinical session with a carer who may take part and an observer."""
    s = base(grid)
    s = t.add_participant(s, Role.CARER, "Carer")
    s = t.add_participant(s, Role.OBSERVER, "Watcher")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_team_talk(
        s,
        decision="Which tablet to try next",
        what_matters="Staying well enough to work.",
        involvement=Involvement.TOGETHER,
    )
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p2", "weight", 1)
    s = t.rate_importance(s, "p1", "works", 3)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_leaning(s, "p2", "tablet-a", Leaning.AWAY)
    s = t.set_leaning(s, "p3", "tablet-b", Leaning.OPEN)
    s = t.set_view(s, "importance:weight", "p1", "Weight gain would upset me a lot.")
    s = t.set_view(s, "importance:weight", "p2", "Weight can be checked and managed.")
    s = t.set_disagreement_status(s, "importance:weight", True)
    s = t.record_disagreement(s, "When to start")
    s = t.set_view(s, "recorded:1", "p3", "After the holiday would be easier.")
    s = t.add_note(s, "p1", "I sleep badly on my current tablet.")
    s = t.add_note(s, "p3", "Happy to help with reminders.", question=True)
    s = t.set_decision(
        s,
        outcome=Outcome.CHOSEN,
        option="tablet-a",
        reason="It fits my work best.",
        review_date=REVIEW,
        today=TODAY,
    )
    s = t.set_stance(s, "p1", Stance.AGREE)
    s = t.set_stance(s, "p2", Stance.GO_ALONG)
    s = t.set_stance(s, "p3", Stance.DISAGREE)
    s = t.set_next_steps(s, ["Blood test in two weeks", "Call if side effects"])
    s = t.set_certainty(s, "p1", "know", Answer3.YES)
    s = t.set_certainty(s, "p1", "sure", Answer3.UNSURE)
    s = t.set_certainty(s, "p2", "support", Answer3.NO)
    s = t.set_feedback(s, "listened", 3)
    return t.complete(s, now=datetime(2027, 1, 2, 23, 30, tzinfo=UTC))


# Content -----------------------------------------------------------------


def test_full_summary_shape_and_content(grid: OptionGrid) -> None:
    session = full(grid)
    md = summary_markdown(session, grid)
    tokens = assert_safe(md, columns=4, rows=2 + 3)
    text = visible(tokens)
    assert md.startswith("# Your decision summary\n")
    assert "Saturday 2 January 2027" in text
    assert "Which tablet to try next" in text
    assert "TEST-0001" in text
    assert "training" not in text.lower()
    assert "We chose “Tablet A”." in text
    assert "It fits my work best." in text
    assert "Service user (service user): agrees" in text
    assert "Dr Test (clinician): will go along with it" in text
    assert "Carer (carer or supporter): disagrees" in text
    assert "Staying well enough to work." in text
    assert "I want us to decide together" in text
    assert "does not say which medicine is best" in text


def table_rows(tokens: list[Token]) -> list[list[str]]:
    """The visible text of each cell, row by row (header row first)."""
    rows: list[list[str]] = []
    cell = False
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            cell = True
        elif token.type in ("th_close", "td_close"):
            cell = False
        elif token.type == "inline" and cell:
            rows[-1].append(visible([token]))
    return rows


def test_table_has_each_voice_and_plain_cells(grid: OptionGrid) -> None:
    rows = table_rows(parser().parse(summary_markdown(full(grid), grid)))
    header, *body = rows
    assert header == [
        "What we talked about",
        "Service user (service user)",
        "Dr Test (clinician)",
        "Carer (carer or supporter)",
    ]
    by_row = {r[0]: r[1:] for r in body}
    assert by_row["How well does it work?"] == ["3 (very)", "not discussed", "not discussed"]
    assert by_row["Will I put on weight?"] == [
        "4 (most important)",
        "1 (a little)",
        "not discussed",
    ]
    assert by_row["Leaning on “Tablet A”"] == ["▲ towards", "▼ away", "not said"]
    assert by_row["Leaning on “Tablet B”"] == ["not said", "not said", "◆ open"]
    assert "Leaning on “No change”" in by_row
    assert "Watcher" not in "".join(header)


def test_disagreements_side_by_side(grid: OptionGrid) -> None:
    text = visible(parser().parse(summary_markdown(full(grid), grid)))
    section = text.split("Where people see things differently")[1].split("Notes and questions")[0]
    assert "How much this matters: Will I put on weight? (talked through)" in section
    assert "Service user (service user) said: Weight gain would upset me a lot." in section
    assert "Dr Test (clinician) said: Weight can be checked and managed." in section
    assert "Leaning on Tablet A (still open)" in section
    assert "No one wrote down their view on this." in section
    assert "When to start (still open)" in section
    assert "Carer (carer or supporter) said: After the holiday would be easier." in section


def test_no_disagreements(grid: OptionGrid) -> None:
    text = visible(parser().parse(summary_markdown(base(grid), grid)))
    assert "None were found or recorded." in text
    assert "No decision was recorded." in text
    assert "No review date was set." in text
    assert "No notes or questions were written down." in text


def test_notes_next_steps_review_certainty_feedback(grid: OptionGrid) -> None:
    text = visible(parser().parse(summary_markdown(full(grid), grid)))
    assert "Note: I sleep badly on my current tablet." in text
    assert "Question to ask: Happy to help with reminders." in text
    assert "Blood test in two weeks\nCall if side effects" in text
    assert "Your review is on Monday 4 January 2027." in text
    assert f"{CERTAINTY_ITEMS['know']} Yes." in text
    assert f"{CERTAINTY_ITEMS['sure']} Unsure." in text
    assert f"{CERTAINTY_ITEMS['support']} No." in text
    assert f"{FEEDBACK_ITEMS['listened']} A lot." in text
    assert FEEDBACK_ITEMS["understand"] not in text


def test_contact_default_and_custom(grid: OptionGrid) -> None:
    session = full(grid)
    assert DEFAULT_CONTACT in visible(parser().parse(summary_markdown(session, grid)))
    custom = "Ring the Test Team on 0000 000000 (9am-5pm) | or <email>"
    md = summary_markdown(session, grid, contact=custom)
    assert custom in visible(assert_safe(md, columns=4, rows=5))
    assert DEFAULT_CONTACT not in md


def md_lines(md: str) -> list[str]:
    return md.splitlines()


def test_sources_listed_when_grid_matches(grid: OptionGrid) -> None:
    text = visible(parser().parse(summary_markdown(full(grid), grid)))
    about = text.split("About the information")[1]
    assert f"“{grid.title}”, version 1.0.0" in about
    for source in grid.sources:
        assert f"- {source.citation}" in md_lines(summary_markdown(full(grid), grid))
        assert f"{source.id}:" not in about  # no source ids in running text
    assert grid.disclaimer in about


@pytest.mark.parametrize("which", ["missing", "different"])
def test_sources_not_listed_when_grid_missing_or_different(grid: OptionGrid, which: str) -> None:
    other = None
    if which == "different":
        other = OptionGrid.model_validate({**grid.model_dump(), "version": "1.0.1"})
        assert other.content_hash != grid.content_hash
    text = visible(parser().parse(summary_markdown(full(grid), other)))
    about = text.split("About the information")[1]
    assert "Its sources are listed in the grid file example-grid, version 1.0.0." in about
    assert grid.sources[0].citation not in text


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (Outcome.DEFERRED, "We decided to wait and talk again."),
        (Outcome.NO_AGREEMENT, "We did not agree on a choice today."),
    ],
)
def test_other_outcomes(grid: OptionGrid, outcome: Outcome, words: str) -> None:
    session = t.set_decision(base(grid), outcome=outcome)
    text = visible(parser().parse(summary_markdown(session, grid)))
    assert words in text
    assert "We chose" not in text


def test_training_mode_is_labelled(grid: OptionGrid) -> None:
    session = base(grid, mode=Mode.TRAINING)
    text = visible(parser().parse(summary_markdown(session, grid)))
    assert "This is a training role-play. It is not a clinical record" in text
    assert "Reference: none recorded" in text


def test_amendment_names_the_record(grid: OptionGrid) -> None:
    session = t.amend(full(grid), new_id="test0000000b", now=NOW)
    text = visible(parser().parse(summary_markdown(session, grid)))
    assert "This summary corrects record test0000000a." in text
    # A draft amendment is dated by its last update.
    assert "Friday 1 January 2027" in text


def test_date_is_utc_date() -> None:
    assert plain_date(date(2027, 1, 4)) == "Monday 4 January 2027"
    assert plain_date(date(2027, 2, 12)) == "Friday 12 February 2027"
    assert plain_date(date(2027, 2, 12), weekday=False) == "12 February 2027"


# Who is included ---------------------------------------------------------


def carer_session(grid: OptionGrid, consent: CarerConsent) -> Session:
    s = base(grid)
    s = t.add_participant(s, Role.CARER, "Supporter Q")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.rate_importance(s, "p3", "weight", 4)
    s = t.set_leaning(s, "p3", "tablet-b", Leaning.TOWARDS)
    s = t.set_leaning(s, "p1", "tablet-b", Leaning.AWAY)
    s = t.add_note(s, "p3", "Carer-only secret note")
    s = t.set_view(s, "leaning:tablet-b", "p3", "Carer-only view")
    s = t.set_stance(s, "p3", Stance.DISAGREE)
    s = t.set_certainty(s, "p3", "know", Answer3.YES)
    return t.set_carer_consent(s, consent)


@pytest.mark.parametrize("consent", [CarerConsent.NO, CarerConsent.NOT_ASKED])
def test_declined_carer_views_never_appear(grid: OptionGrid, consent: CarerConsent) -> None:
    md = summary_markdown(carer_session(grid, consent), grid)
    text = visible(assert_safe(md, columns=3, rows=3))
    assert "Supporter" not in md
    assert "Carer-only" not in md
    assert "carer or supporter" not in text
    assert CARER_NOT_INCLUDED in text


def test_declined_carer_excluded_even_if_data_is_stored(grid: OptionGrid) -> None:
    """The summary relies on voices(), not on the transitions having cleaned up."""
    allowed = carer_session(grid, CarerConsent.YES)
    forced = allowed.model_copy(update={"carer_consent": CarerConsent.NO})
    md = summary_markdown(forced, grid)
    assert "Carer-only" not in md
    assert "Supporter" not in md
    assert CARER_NOT_INCLUDED in md


def test_carer_who_takes_part_is_included(grid: OptionGrid) -> None:
    md = summary_markdown(carer_session(grid, CarerConsent.YES), grid)
    text = visible(assert_safe(md, columns=4, rows=4))
    assert "Supporter Q (carer or supporter) said: Carer-only view" in text
    assert "Carer-only secret note" in text
    assert CARER_NOT_INCLUDED not in text


def test_observer_has_no_voice(grid: OptionGrid) -> None:
    session = t.add_participant(base(grid), Role.OBSERVER, "Watcher")
    with pytest.raises(SessionError):
        t.add_note(session, "p3", "observed")
    md = summary_markdown(session, grid)
    assert "Watcher" not in md
    assert_safe(md, columns=3, rows=3)


# Escaping ----------------------------------------------------------------


def hostile_session(grid: OptionGrid) -> Session:
    s = base(grid, labels=("A | B", "**Dr** <b>"))
    s = t.add_participant(s, Role.CARER, "[x](http://y)")
    s = t.set_carer_consent(s, CarerConsent.YES)
    s = s.model_copy(update={"service_user_ref": "<img src=x onerror=alert(1)>"})
    joined = "\n".join(HOSTILE)
    s = t.set_team_talk(s, decision="# not a heading | x", what_matters=joined)
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p2", "weight", 0)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_leaning(s, "p3", "tablet-a", Leaning.AWAY)
    for text in HOSTILE:
        s = t.add_note(s, "p1", text)
        s = t.add_note(s, "p2", text, question=True)
    s = t.set_view(s, "importance:weight", "p1", joined)
    s = t.set_view(s, "importance:weight", "p2", "<script>alert(1)</script>")
    s = t.set_view(s, "leaning:tablet-a", "p3", "| a | b |")
    s = t.record_disagreement(s, "# Subject <i>x</i> | `y`")
    s = t.set_view(s, "recorded:1", "p2", "---")
    s = t.set_decision(
        s, outcome=Outcome.CHOSEN, option="tablet-a", reason=joined, review_date=REVIEW, today=TODAY
    )
    s = t.set_next_steps(s, [h.replace("\n", " ") for h in HOSTILE])
    return s.model_copy(update={"amends": "<b>x</b>"})


def test_hostile_text_stays_text(grid: OptionGrid) -> None:
    md = summary_markdown(hostile_session(grid), grid, contact="[call](javascript:x) <b>")
    tokens = assert_safe(md, columns=4, rows=1 + 3)
    # The summary's own block quotes (what matters, the reason) and nothing more.
    assert sum(tok.type == "blockquote_open" for tok in tokens) == 2
    text = visible(tokens)
    for typed in HOSTILE:
        assert typed.strip() in text, typed
    assert "A | B (service user)" in text
    assert "**Dr** <b> (clinician)" in text
    assert "[x](http://y) (carer or supporter)" in text
    assert "# not a heading | x" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "# Subject <i>x</i> | `y`" in text
    assert "[call](javascript:x) <b>" in text
    assert "corrects record <b>x</b>" in text
    html = parser().render(md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html


@pytest.mark.parametrize("typed", HOSTILE)
def test_each_hostile_reason_alone(grid: OptionGrid, typed: str) -> None:
    session = t.set_decision(base(grid), reason=typed)
    tokens = assert_safe(summary_markdown(session, grid), columns=3, rows=3)
    assert typed.strip() in visible(tokens)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=st.text(), reason=st.text(), label=st.text(max_size=24))
def test_random_text_never_becomes_markup(
    grid: OptionGrid, note: str, reason: str, label: str
) -> None:
    session = base(grid)
    try:
        session = t.add_participant(session, Role.PEER_SUPPORT, label)
    except SessionError:
        assume(False)
    try:
        session = t.add_note(session, "p3", note)
    except SessionError:
        assume(False)
    session = t.set_decision(session, reason=reason)
    session = t.set_next_steps(session, [note])
    session = t.record_disagreement(session, "x" + note)
    session = t.set_view(session, "recorded:1", "p1", reason)
    session = t.set_team_talk(session, what_matters=note)
    assert_safe(summary_markdown(session, grid, contact=reason), columns=4, rows=3)


@pytest.mark.parametrize("typed", ["a \\<b> c", "x \\> y"])
def test_backslash_before_angle_bracket_shows_as_typed(grid: OptionGrid, typed: str) -> None:
    session = t.set_decision(base(grid), reason=typed)
    tokens = assert_safe(summary_markdown(session, grid), columns=3, rows=3)
    assert typed in visible(tokens)


def test_empty_session_still_makes_a_whole_summary(grid: OptionGrid) -> None:
    session = new_session(grid_ref=grid_ref(grid), app_version="test", now=NOW)
    tokens = parser().parse(summary_markdown(session))
    assert headings(tokens) == HEADINGS
    assert not any(tok.type == "table_open" for tok in tokens)
    text = visible(tokens)
    assert "No one's views were recorded." in text
    assert "Its sources are listed in the grid file example-grid, version 1.0.0." in text
    assert "Friday 1 January 2027" in text


def test_only_questions_someone_rated_are_listed(grid: OptionGrid) -> None:
    """A question no one rated is counted in one line, not given a row of blanks."""
    s = base(grid)
    s = t.rate_importance(s, "p1", "weight", 4)
    md = summary_markdown(s, grid)
    rows = table_rows(assert_safe(md, columns=3, rows=1 + 3))
    asked = [row[0] for row in rows]
    assert grid.question("weight").text in asked
    assert grid.question("works").text not in asked
    assert "1 other question was not discussed." in md
    everyone = summary_markdown(t.rate_importance(s, "p2", "works", 2), grid)
    assert "not discussed." not in everyone.split("## Where people")[0].split("## What mattered")[1]
