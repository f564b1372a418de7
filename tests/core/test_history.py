"""One person over time: matching people, what changed, decisions and review dates.

Everyone here is invented ("Service user", "Dr Test", "Carer"; reference
TEST-0001). Records are built through the real transitions with fixed clocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sessions import LABELS

from sdm_tui.core import transitions as t
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.history import (
    GRACE_DAYS,
    Change,
    CompareError,
    compare,
    comparison_markdown,
    decision_words,
    match_people,
    review_status,
)
from sdm_tui.core.session import (
    CarerConsent,
    GridRef,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    grid_ref,
    new_session,
)

DAY0 = date(2026, 11, 2)
REVIEW0 = DAY0 + timedelta(weeks=6)  # Monday 14 December 2026

Ratings = dict[tuple[str, str], int]
Leanings = dict[tuple[str, str], Leaning]


def consult(
    ref: GridRef,
    record_id: str,
    day: date,
    *,
    roles: Iterable[Role | tuple[Role, str]] = (Role.SERVICE_USER, Role.CLINICIAN),
    consent: CarerConsent | None = None,
    ratings: Ratings | None = None,
    leanings: Leanings | None = None,
    outcome: Outcome | None = Outcome.CHOSEN,
    option: str = "tablet-a",
    review: date | None = None,
    finish: bool = True,
) -> Session:
    """One consultation on `day`; finished when a review date is given and `finish`."""
    now = datetime.combine(day, time(10, 30), tzinfo=UTC)
    s = new_session(grid_ref=ref, app_version="0.0.0-test", now=now, record_id=record_id)
    for item in roles:
        role, label = item if isinstance(item, tuple) else (item, LABELS[item])
        s = t.add_participant(s, role, label)
    if consent is not None:
        s = t.set_carer_consent(s, consent)
    s = t.set_reference(s, "TEST-0001")
    s = t.choose_options(s, [o for o in ref.options][:2])
    for (pid, qid), value in (ratings or {}).items():
        s = t.rate_importance(s, pid, qid, value)
    for (pid, oid), lean in (leanings or {}).items():
        s = t.set_leaning(s, pid, oid, lean)
    if outcome is not None:
        s = t.set_decision(
            s, outcome=outcome, option=option if outcome == Outcome.CHOSEN else None, today=day
        )
    if review is not None:
        s = t.set_decision(s, review_date=review, today=day)
        if finish:
            return t.complete(s, now=now)
    return s.model_copy(update={"updated": now})


@pytest.fixture(scope="module")
def ref(example_grid: OptionGrid) -> GridRef:
    return grid_ref(example_grid)


def version_two(ref: GridRef) -> GridRef:
    """The same grid, a later version: "works" dropped, a sleep question and Tablet C added."""
    questions = {k: v for k, v in ref.questions.items() if k != "works"}
    questions["sleep"] = "Will it affect my sleep?"
    return ref.model_copy(
        update={
            "version": "2.0.0",
            "content_hash": "sha256:" + "2" * 64,
            "questions": questions,
            "options": {**ref.options, "tablet-c": "Tablet C"},
        }
    )


# People ------------------------------------------------------------------------


def test_service_user_always_matched_and_carer_joining_later(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, roles=[(Role.SERVICE_USER, "Sam"), Role.CLINICIAN])
    newer = consult(
        ref,
        "hist00000002",
        DAY0 + timedelta(days=42),
        roles=[(Role.SERVICE_USER, "Sammy"), Role.CLINICIAN, Role.CARER],
        consent=CarerConsent.YES,
        review=REVIEW0 + timedelta(weeks=6),
    )
    c = compare(older, newer)
    assert c.people == [
        ("Sam (service user)", "Sammy (service user)"),
        ("Dr Test (clinician)", "Dr Test (clinician)"),
        ("—", "Carer (carer or supporter)"),
    ]


def test_single_person_of_a_role_is_matched_even_if_relabelled(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, roles=[Role.SERVICE_USER, (Role.CLINICIAN, "Dr A")])
    newer = consult(
        ref, "hist00000002", DAY0 + timedelta(days=30),
        roles=[Role.SERVICE_USER, (Role.CLINICIAN, "Dr B")],
        ratings={("p2", "weight"): 2},
    )  # fmt: skip
    c = compare(older, newer)
    assert c.people[1] == ("Dr A (clinician)", "Dr B (clinician)")
    assert c.changes == [Change("Dr A / Dr B (clinician)", "importance",
                                "Will I put on weight?", "—", "2 somewhat")]  # fmt: skip


def test_several_of_a_role_are_matched_by_label(ref: GridRef) -> None:
    older = consult(
        ref, "hist00000001", DAY0,
        roles=[Role.SERVICE_USER, (Role.PEER_SUPPORT, "Pat"), (Role.PEER_SUPPORT, "Lou")],
    )  # fmt: skip
    newer = consult(
        ref, "hist00000002", DAY0 + timedelta(days=30),
        roles=[Role.SERVICE_USER, (Role.PEER_SUPPORT, "Lou"), (Role.PEER_SUPPORT, "Kim")],
    )  # fmt: skip
    pairs = [
        (a.label if a else None, b.label if b else None) for a, b in match_people(older, newer)
    ]
    assert pairs == [("Service user", "Service user"), ("Pat", None), ("Lou", "Lou"), (None, "Kim")]


def test_observers_and_an_excluded_carer_are_not_compared(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, roles=[Role.SERVICE_USER, Role.OBSERVER])
    newer = consult(
        ref, "hist00000002", DAY0 + timedelta(days=30),
        roles=[Role.SERVICE_USER, Role.CARER], consent=CarerConsent.NO,
    )  # fmt: skip
    assert compare(older, newer).people == [("Service user (service user)",) * 2]


# Changes -------------------------------------------------------------------------


def test_only_what_differs_is_listed(ref: GridRef) -> None:
    same: Ratings = {("p1", "works"): 3, ("p2", "works"): 2}
    older = consult(
        ref, "hist00000001", DAY0,
        ratings={**same, ("p1", "weight"): 4},
        leanings={("p1", "tablet-a"): Leaning.TOWARDS, ("p2", "tablet-a"): Leaning.OPEN},
        review=REVIEW0,
    )  # fmt: skip
    newer = consult(
        ref, "hist00000002", REVIEW0,
        ratings={**same, ("p1", "weight"): 1, ("p2", "weight"): 3},
        leanings={("p1", "tablet-a"): Leaning.AWAY, ("p2", "tablet-a"): Leaning.OPEN},
        review=REVIEW0 + timedelta(weeks=6),
    )  # fmt: skip
    c = compare(older, newer)
    su, dr = "Service user (service user)", "Dr Test (clinician)"
    assert c.changes == [
        Change(su, "importance", "Will I put on weight?", "4 most important", "1 a little"),
        Change(su, "leaning", "Tablet A", "▲ towards", "▼ away"),
        Change(dr, "importance", "Will I put on weight?", "—", "3 very"),
    ]


def test_identical_views_give_no_changes(ref: GridRef) -> None:
    views = {"ratings": {("p1", "weight"): 4}, "leanings": {("p1", "no-change"): Leaning.UNSURE}}
    older = consult(ref, "hist00000001", DAY0, review=REVIEW0, **views)
    newer = consult(ref, "hist00000002", REVIEW0, review=REVIEW0 + timedelta(days=30), **views)
    c = compare(older, newer)
    assert c.changes == []
    assert "No one's importance ratings or leanings changed." in comparison_markdown(c)


def test_a_carer_joining_later_shows_what_they_said(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0)
    newer = consult(
        ref, "hist00000002", DAY0 + timedelta(days=20),
        roles=[Role.SERVICE_USER, Role.CLINICIAN, Role.CARER], consent=CarerConsent.YES,
        ratings={("p3", "weight"): 0}, leanings={("p3", "tablet-b"): Leaning.TOWARDS},
    )  # fmt: skip
    carer = "Carer (carer or supporter)"
    assert compare(older, newer).changes == [
        Change(carer, "importance", "Will I put on weight?", "—", "0 not important"),
        Change(carer, "leaning", "Tablet B", "—", "▲ towards"),
    ]


def test_records_given_newest_first_are_put_in_order(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, ratings={("p1", "weight"): 1}, review=REVIEW0)
    newer = consult(ref, "hist00000002", REVIEW0, ratings={("p1", "weight"): 3})
    c = compare(newer, older)
    assert (c.older.record_id, c.newer.record_id) == ("hist00000001", "hist00000002")
    assert [(x.before, x.after) for x in c.changes] == [("1 a little", "3 very")]


def test_different_service_users_or_modes_are_refused(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0)
    other = consult(ref, "hist00000002", DAY0 + timedelta(days=9))
    other = t.set_reference(other, "TEST-0002")
    with pytest.raises(CompareError, match="different service users"):
        compare(older, other)
    training = consult(ref, "hist00000003", DAY0 + timedelta(days=9))
    training = training.model_copy(update={"mode": Mode.TRAINING})
    with pytest.raises(CompareError, match="training"):
        compare(older, training)
    # The reference is compared without regard to case.
    lower = older.model_copy(update={"record_id": "hist00000004", "service_user_ref": "test-0001"})
    assert compare(older, lower).changes == []


# Grids ------------------------------------------------------------------------------


def test_new_grid_version_compares_only_what_is_in_both(ref: GridRef) -> None:
    older = consult(
        ref, "hist00000001", DAY0,
        ratings={("p1", "works"): 4, ("p1", "weight"): 4},
        leanings={("p1", "tablet-b"): Leaning.AWAY},
    )  # fmt: skip
    newer = consult(
        version_two(ref), "hist00000002", DAY0 + timedelta(days=30),
        ratings={("p1", "weight"): 2, ("p1", "sleep"): 4},
        leanings={("p1", "tablet-b"): Leaning.OPEN, ("p1", "tablet-c"): Leaning.TOWARDS},
    )  # fmt: skip
    c = compare(older, newer)
    assert [(x.subject, x.before, x.after) for x in c.changes] == [
        ("Will I put on weight?", "4 most important", "2 somewhat"),
        ("Tablet B", "▼ away", "◆ open"),
    ]
    assert c.only_older == ["Question: How well does it work?"]
    assert c.only_newer == ["Question: Will it affect my sleep?", "Option: Tablet C"]
    assert "version 1.0.0, then 2.0.0" in c.grid_note
    md = comparison_markdown(c)
    assert "Only in the earlier record: Question: How well does it work?" in md
    assert "Only in the later record: Option: Tablet C" in md


def test_another_grid_compares_only_the_same_id_and_wording(ref: GridRef) -> None:
    other = GridRef(
        id="other-grid",
        version="1.0.0",
        content_hash="sha256:" + "3" * 64,
        title="Another grid",
        options={"tablet-a": "Tablet A", "tablet-b": "Something else entirely"},
        questions={"works": "How well does it work?", "weight": "Weight over ten years"},
    )
    older = consult(
        ref, "hist00000001", DAY0,
        ratings={("p1", "works"): 1, ("p1", "weight"): 1},
        leanings={("p1", "tablet-a"): Leaning.OPEN, ("p1", "tablet-b"): Leaning.OPEN},
    )  # fmt: skip
    newer = consult(
        other, "hist00000002", DAY0 + timedelta(days=30),
        ratings={("p1", "works"): 3, ("p1", "weight"): 3},
        leanings={("p1", "tablet-a"): Leaning.TOWARDS, ("p1", "tablet-b"): Leaning.TOWARDS},
    )  # fmt: skip
    c = compare(older, newer)
    assert [x.subject for x in c.changes] == ["How well does it work?", "Tablet A"]
    assert "Question: Will I put on weight?" in c.only_older
    assert "Option: Tablet B" in c.only_older
    assert c.only_newer == ["Question: Weight over ten years", "Option: Something else entirely"]
    assert "different grids" in c.grid_note


def test_same_grid_says_so(ref: GridRef) -> None:
    c = compare(consult(ref, "hist00000001", DAY0), consult(ref, "hist00000002", DAY0))
    assert c.grid_note.startswith("Both records used the grid")
    assert c.only_older == [] and c.only_newer == []


# Decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "option", "words"),
    [
        (Outcome.CHOSEN, "tablet-b", "Chosen: Tablet B"),
        (Outcome.CHOSEN, "", "Chosen: option not recorded"),
        (Outcome.DEFERRED, "", "Deferred"),
        (Outcome.NO_AGREEMENT, "", "No agreement"),
        (None, "", "No decision recorded"),
    ],
)
def test_decision_words(ref: GridRef, outcome: Outcome | None, option: str, words: str) -> None:
    assert decision_words(consult(ref, "hist00000001", DAY0, outcome=outcome, option=option)) == (
        words
    )


def test_what_was_decided_each_time(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, outcome=Outcome.DEFERRED, review=REVIEW0)
    newer = consult(ref, "hist00000002", REVIEW0, option="tablet-b")
    c = compare(older, newer)
    assert (c.decision_before, c.decision_after) == ("Deferred", "Chosen: Tablet B")


# Reviews ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after", "words"),
    [
        (-3, "Review on 14 December 2026 was kept: the next record was 3 days before it."),
        (0, "Review on 14 December 2026 was kept: the next record was on the day."),
        (1, "Review on 14 December 2026 was kept: the next record was 1 day after it."),
        (GRACE_DAYS, "Review on 14 December 2026 was kept: the next record was 14 days after it."),
        (
            GRACE_DAYS + 1,
            "Review on 14 December 2026 was missed by 15 days: the next record was on "
            "29 December 2026.",
        ),
    ],
)
def test_review_kept_or_missed(ref: GridRef, days_after: int, words: str) -> None:
    older = consult(ref, "hist00000001", DAY0, review=REVIEW0)
    newer = consult(ref, "hist00000002", REVIEW0 + timedelta(days=days_after))
    assert compare(older, newer).review_kept == words


def test_no_review_date_set(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0)  # a draft: no review date yet
    newer = consult(ref, "hist00000002", DAY0 + timedelta(days=60))
    assert compare(older, newer).review_kept == "No review date was set."


def test_an_amendment_is_not_a_review(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, review=REVIEW0)
    later = datetime.combine(DAY0 + timedelta(days=90), time(9), tzinfo=UTC)
    fixed = t.amend(older, new_id="hist00000002", now=later)
    c = compare(older, fixed)
    assert c.review_kept == "The newer record corrects the older one, so it is not a review."


def test_review_status_timeline(ref: GridRef) -> None:
    first = consult(ref, "hist00000001", DAY0, review=REVIEW0)
    # A correction of the first record a week later does not count as its review.
    fixed = t.amend(
        first,
        new_id="hist00000002",
        now=datetime.combine(DAY0 + timedelta(days=7), time(9), tzinfo=UTC),
    )
    second_day = REVIEW0 + timedelta(days=40)  # the first review was missed
    second = consult(ref, "hist00000003", second_day, review=second_day + timedelta(days=30))
    third_day = second_day + timedelta(days=25)  # kept, early
    third = consult(ref, "hist00000004", third_day, review=third_day + timedelta(days=42))
    draft = consult(ref, "hist00000005", DAY0 - timedelta(days=30))  # no review date
    people = [third, first, draft, fixed, second]  # any order in, one line each, same order
    today = third_day + timedelta(days=2)
    lines = review_status(people, today)
    assert lines == [
        "Review on 31 March 2027 is not due yet (40 days to go).",
        "Review on 14 December 2026 was missed by 40 days: the next record was on 23 January 2027.",
        "No review date was set.",
        "Review on 14 December 2026 was missed by 40 days: the next record was on 23 January 2027.",
        "Review on 22 February 2027 was kept: the next record was 5 days before it.",
    ]


@pytest.mark.parametrize(
    ("today", "words"),
    [
        (REVIEW0, "Review on 14 December 2026 is due today."),
        (
            REVIEW0 + timedelta(days=GRACE_DAYS),
            "Review on 14 December 2026 was due 14 days ago; there is no later record yet.",
        ),
        (
            REVIEW0 + timedelta(days=GRACE_DAYS + 1),
            "Review on 14 December 2026 was missed: it was 15 days ago and there is no later "
            "record.",
        ),
        (REVIEW0 - timedelta(days=1), "Review on 14 December 2026 is not due yet (1 day to go)."),
    ],
)
def test_review_status_of_the_latest_record(ref: GridRef, today: date, words: str) -> None:
    only = consult(ref, "hist00000001", DAY0, review=REVIEW0)
    assert review_status([only], today) == [words]


# Markdown -------------------------------------------------------------------------------

FORBIDDEN = {
    "html_inline", "html_block", "image", "link_open", "code_inline", "code_block", "fence",
    "em_open", "strong_open", "s_open", "hr", "ordered_list_open", "lheading_open",
}  # fmt: skip


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def cells_per_row(tokens: list[Token]) -> list[int]:
    rows: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(0)
        elif token.type in ("th_open", "td_open"):
            rows[-1] += 1
    return rows


def test_markdown_shows_odd_text_literally(ref: GridRef) -> None:
    odd = ref.model_copy(
        update={
            "title": "# Grid <script>x</script>",
            "options": {**ref.options, "tablet-a": "[a](http://x) | *b*"},
            "questions": {**ref.questions, "weight": "`code` <img src=x> | ---"},
        }
    )
    older = consult(
        odd, "hist00000001", DAY0, roles=[(Role.SERVICE_USER, "A | B"), (Role.CLINICIAN, "**Dr**")],
        ratings={("p1", "weight"): 1}, leanings={("p2", "tablet-a"): Leaning.OPEN},
        review=REVIEW0,
    )  # fmt: skip
    newer = consult(
        odd, "hist00000002", REVIEW0,
        roles=[(Role.SERVICE_USER, "A | B"), (Role.CLINICIAN, "**Dr**"), (Role.CARER, "<b>Kim")],
        consent=CarerConsent.YES,
        ratings={("p1", "weight"): 4}, leanings={("p2", "tablet-a"): Leaning.AWAY},
    )  # fmt: skip
    older = older.model_copy(update={"service_user_ref": "<i>SU-1</i>"})
    newer = newer.model_copy(update={"service_user_ref": "<i>SU-1</i>"})
    md = comparison_markdown(compare(older, newer))
    parser = MarkdownIt("commonmark").enable(["table"])
    tokens = parser.parse(md)
    assert not {tok.type for tok in walk(tokens)} & FORBIDDEN
    # Three tables: the decision (3 columns), who took part (2), what changed (4).
    assert cells_per_row(tokens) == [3] * 3 + [2] * 4 + [4] * 3
    text = "".join(tok.content for tok in walk(tokens) if tok.type == "text")
    for typed in (
        "<i>SU-1</i>",
        "# Grid <script>x</script>",
        "A | B (service user)",
        "**Dr** (clinician)",
        "<b>Kim (carer or supporter)",
        "`code` <img src=x> | ---",
        "Leaning on [a](http://x) | *b*",
    ):
        assert typed in text, typed
    html = parser.render(md)
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_markdown_names_both_records_and_the_review(ref: GridRef) -> None:
    older = consult(ref, "hist00000001", DAY0, review=REVIEW0)
    newer = consult(ref, "hist00000002", REVIEW0 + timedelta(days=2), outcome=Outcome.DEFERRED)
    md = comparison_markdown(compare(older, newer))
    assert md.startswith("# How things changed between two decisions\n")
    assert "Reference: TEST-0001" in md
    assert "Earlier record: hist00000001, 2 November 2026." in md
    assert "Later record: hist00000002, 16 December 2026." in md
    assert "| Decision | Chosen: Tablet A | Deferred |" in md
    assert "| Review date | 14 December 2026 | none set |" in md
    assert "was kept: the next record was 2 days after it." in md
