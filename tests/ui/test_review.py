"""Reviewing past records in the real app, on a synthetic archive plus clinical records.

The archive (flow.review_archive): synthetic training records from a
fixed seed, and four hand-made clinical records: TEST-0042 three times (their
views change, one review kept and one missed) and TEST-0007 once. "Today" is
pinned, so the review-date flags are the same on every run.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from flow import (
    OTHER_REF,
    REVIEW_REF,
    REVIEW_TODAY,
    SHIPPED,
    checked,
    clinical_records,
    open_review,
    review_app,
    review_archive,
    rows_of,
    shipped_grid,
    type_text,
    until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Markdown, OptionList, Static

from sdm_tui.core import record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import IndexRow
from sdm_tui.core.session import Mode
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.clinic import ClinicScreen
from sdm_tui.ui.screens.compare import CompareScreen
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.screens.record_view import RecordProblemScreen, RecordViewScreen
from sdm_tui.ui.screens.review import ReviewScreen
from sdm_tui.ui.screens.review_rows import parse_day
from sdm_tui.ui.screens.timeline import TimelineScreen
from sdm_tui.ui.widgets.charts import Bar, bar, bar_lines, sparkline
from sdm_tui.ui.widgets.virtual_list import VirtualList

SYNTHETIC = 300
CLINICAL = 4


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive") / "records"
    review_archive(root, SYNTHETIC)
    return root


@pytest.fixture
def root(archive: Path, tmp_path: Path) -> Path:
    """A copy of the archive for one test (some tests change files behind the app's back)."""
    copy = tmp_path / "records"
    shutil.copytree(archive, copy)
    return copy


def shown(static: Static, width: int = 100) -> str:
    """What a Static shows, as plain text (rich tables too)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(static.content)
    return console.export_text()


def status(screen) -> str:
    return str(screen.query_one("#review-status", Static).render())


def note(screen) -> str:
    return str(screen.query_one("#review-note", Static).render())


async def type_into(pilot: Pilot, selector: str, text: str, *, submit: bool = True) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await type_text(pilot, text)
    if submit:
        await pilot.press("enter")
    await pilot.pause()


async def highlight(pilot: Pilot, screen: ReviewScreen, record_id: str) -> None:
    rows = screen.query_one("#review-list", VirtualList)
    rows.focus()
    ids = [r.record_id for r in rows_of(screen)]
    await pilot.press("home", *["down"] * ids.index(record_id))
    assert rows.current.record_id == record_id


# The list and its filters ----------------------------------------------------------


async def test_clinical_records_only_unless_training_is_asked_for(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        rows = rows_of(screen)
        assert len(rows) == CLINICAL
        assert {r.mode for r in rows} == {"clinical"}
        # Newest first.
        assert [r.record_id for r in rows] == [
            "tst007000001",
            "tst042000003",
            "tst042000002",
            "tst042000001",
        ]
        assert status(screen).startswith("4 records · clinical only")
        await pilot.press("m")  # training
        await pilot.pause()
        rows = rows_of(screen)
        assert len(rows) == SYNTHETIC
        assert {r.mode for r in rows} == {"training"}
        assert all(r.synthetic for r in rows)
        assert "training only" in status(screen)
        await pilot.press("m")  # all
        await pilot.pause()
        assert len(rows_of(screen)) == SYNTHETIC + CLINICAL
        await pilot.press("m")  # back to clinical
        await pilot.pause()
        assert len(rows_of(screen)) == CLINICAL


async def test_text_reference_date_and_outcome_filters(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        # Words anywhere in the record: "sleep" is in TEST-0007's reason, and in
        # synthetic notes ("Sleeping better..."), which are training records.
        await pilot.press("ctrl+f")
        assert screen.focused is screen.query_one("#f-text")
        await type_into(pilot, "#f-text", "sleep")
        assert [r.service_user_ref for r in rows_of(screen)] == [OTHER_REF]
        assert "words “sleep”" in status(screen)
        await pilot.press("m", "m")  # all records: the synthetic ones with "sleep" too
        await pilot.pause()
        found = rows_of(screen)
        assert len(found) > 1
        assert {r.mode for r in found} == {"clinical", "training"}
        await pilot.press("m")
        await pilot.pause()
        await type_into(pilot, "#f-text", "")
        # A reference, in any case.
        await type_into(pilot, "#f-ref", REVIEW_REF.lower())
        assert [r.record_id for r in rows_of(screen)] == [
            "tst042000003",
            "tst042000002",
            "tst042000001",
        ]
        assert f"reference {REVIEW_REF.lower()}" in status(screen)
        # Dates, inclusive; a bad date says how to type one and is not used.
        await type_into(pilot, "#f-from", "2026-04-20")
        assert [r.record_id for r in rows_of(screen)] == ["tst042000003", "tst042000002"]
        await type_into(pilot, "#f-to", "2026-13-01")
        assert "To date “2026-13-01” is not a date: type YYYY-MM-DD" in note(screen)
        assert len(rows_of(screen)) == 2
        await type_into(pilot, "#f-to", "2026-04-20")
        assert [r.record_id for r in rows_of(screen)] == ["tst042000002"]
        assert "from 2026-04-20, to 2026-04-20" in status(screen)
        # Outcome.
        await type_into(pilot, "#f-from", "")
        await type_into(pilot, "#f-to", "")
        screen.query_one("#f-outcome").value = "deferred"
        await pilot.pause()
        assert [r.record_id for r in rows_of(screen)] == ["tst042000003"]


async def test_typing_waits_for_a_pause_then_filters(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        await type_into(pilot, "#f-ref", OTHER_REF, submit=False)
        # No Enter: the list is filtered once typing pauses (the debounce timer).
        await until(
            pilot,
            lambda: [r.service_user_ref for r in rows_of(screen)] == [OTHER_REF],
            "the list filtered after a pause in typing",
        )


def test_dates_are_checked() -> None:
    assert parse_day("2026-11-02", "From") == (REVIEW_TODAY, "")
    assert parse_day("", "From") == (None, "")
    for bad in ("2026-11-2", "02/11/2026", "2026-02-30", "tomorrow"):
        day, problem = parse_day(bad, "From")
        assert day is None
        assert "type YYYY-MM-DD" in problem


async def test_flags_and_rows(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        rows = screen.query_one("#review-list", VirtualList)
        lines = [rows.render_line(y).text for y in range(CLINICAL)]
        newest, third = lines[0], lines[1]
        assert "TEST-0007" in newest and "No agreement" in newest
        # TEST-0042's third record: review date passed, a disagreement left open.
        assert "◷⚠" in third and "Deferred" in third
        assert "Chosen: Aripiprazole" in lines[2]


async def test_only_training_records_says_how_to_show_them(tmp_path: Path) -> None:
    from sdm_tui.core.synth import write_synthetic

    root = tmp_path / "records"
    write_synthetic(root, 20, 3, load_catalog(SHIPPED).grids)
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        assert rows_of(screen) == []
        assert "No clinical records match. 20 training records do: press m" in note(screen)


# A record, a person's timeline, a comparison ------------------------------------------


async def test_open_a_record_views_side_by_side_and_summary(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, "tst042000003")
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, RecordViewScreen)
        saved = record.load(next(root.rglob("*tst042000003.toml")))
        assert view.session == saved
        facts = str(view.query_one("#record-facts", Static).render())
        assert "TEST-0042" in facts and "Decided: Deferred" in facts
        assert "◷ review date passed" in facts and "⚠ 1 disagreement still open" in facts
        table = view.query_one("#record-views", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers[2:] == [
            "Service user\n(service user)",
            "Dr Test\n(clinician)",
            "Carer\n(carer)",
        ]
        weight = table.get_row("importance:weight")
        assert [str(c) for c in weight[1:]] == ["⚠ differ", "4 most", "3 very", "0 not"]
        await pilot.press("s")
        await pilot.pause()
        summary = view.query_one("#record-summary", Markdown)
        grid = shipped_grid(app)
        assert summary.source == summary_markdown(
            saved,
            grid,
            contact=app.store.clinic_contact(DEFAULT_CONTACT),
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_timeline_and_the_last_three_decisions_compared(root: Path) -> None:
    """Find one person's last three decisions and what changed between them, in a few keys."""
    app = review_app(root)
    first, second, third, _ = clinical_records(shipped_grid(app))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await type_into(pilot, "#f-ref", REVIEW_REF)  # Enter: the list has the focus again
        await pilot.press("t")
        await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        entries = timeline.entries
        assert [e.row.record_id for e in entries] == [
            "tst042000001",
            "tst042000002",
            "tst042000003",
        ]
        lines = [e.review for e in entries]
        assert lines[0].startswith("Review on 13 April 2026 was kept")
        assert lines[1].startswith("Review on 1 June 2026 was missed by 98 days")
        assert lines[2] == (
            "Review on 19 October 2026 was due 14 days ago; there is no later record yet."
        )
        options = timeline.query_one("#timeline-list", OptionList)
        assert options.highlighted == 2  # the newest
        assert "Deferred" in str(options.get_option_at_index(2).prompt)

        await pilot.press("c")  # the newest against the one before
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        c = compare.comparison
        assert (c.older, c.newer) == (second, third)
        assert (c.decision_before, c.decision_after) == ("Chosen: Aripiprazole", "Deferred")
        changes = {(x.who, x.subject, x.before, x.after) for x in c.changes}
        works = third.grid.questions["works"]
        assert ("Service user (service user)", works, "4 most important", "3 very") in changes
        table = shown(compare.query_one("#compare-changes", Static))
        assert works in table and "3 very" in table and "↓ less" in table
        assert "Review on 1 June 2026 was missed by 98 days" in str(
            compare.query_one("#compare-review", Static).render()
        )

        await pilot.press("escape", "up", "c")  # the second against the first
        await pilot.pause()
        c = app.screen.comparison
        assert (c.older, c.newer) == (first, second)
        weight = first.grid.questions["weight"]
        changes = {(x.who, x.kind, x.subject, x.before, x.after) for x in c.changes}
        assert (
            "Service user (service user)",
            "importance",
            weight,
            "1 a little",
            "4 most important",
        ) in changes
        assert (
            "Service user (service user)",
            "leaning",
            "Olanzapine",
            "▲ towards",
            "▼ away",
        ) in changes
        assert c.review_kept.startswith("Review on 13 April 2026 was kept")

        await pilot.press("escape", "home", "space", "end", "space", "c")  # mark any two
        await pilot.pause()
        c = app.screen.comparison
        assert (c.older, c.newer) == (first, third)
        assert (c.decision_before, c.decision_after) == ("Chosen: Olanzapine", "Deferred")


async def test_timeline_from_a_record_and_first_record_has_nothing_before(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        await highlight(pilot, screen, "tst042000001")
        await pilot.press("enter", "t")
        await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        assert len(timeline.entries) == 3
        await pilot.press("home", "c")
        await pilot.pause()
        assert app.screen is timeline  # nothing before the first record; it says so
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordViewScreen)
        assert app.screen.session.record_id == "tst042000001"


# The clinic view ---------------------------------------------------------------------


def direct_counts(root: Path, modes: tuple[Mode, ...]) -> dict[str, object]:
    """The clinic figures counted straight from the record files."""
    sessions, failed = [], 0
    for entry in RecordStore(root).entries(modes):
        if entry.session is None:
            failed += 1
        else:
            sessions.append(entry.session)
    latest: dict[str, object] = {}
    for s in sorted(sessions, key=lambda s: s.created):
        latest[s.service_user_ref.casefold()] = s
    overdue = sum(
        1
        for s in latest.values()
        if s.decision.review_date is not None and s.decision.review_date < REVIEW_TODAY
    )
    return {
        "total": len(sessions) + failed,
        "outcomes": Counter(s.decision.outcome.value for s in sessions),
        "carer": sum(s.carer_took_part() for s in sessions),
        "open": sum(bool(s.open_disagreements()) for s in sessions),
        "overdue": overdue,
        "failed": failed,
    }


async def test_clinic_view_numbers_match_the_records(root: Path) -> None:
    # One record damaged, so "failed" is counted too.
    damaged = next(root.rglob("training/*/*.toml"))
    damaged.write_text(damaged.read_text(encoding="utf-8").replace("Nurse", "Nurse A"), "utf-8")
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await pilot.press("m", "m")  # all records
        await pilot.pause()
        await pilot.press("c")
        await checked(pilot)
        clinic = app.screen
        assert isinstance(clinic, ClinicScreen)
        stats = clinic.stats
        assert stats is not None
        want = direct_counts(root, (Mode.CLINICAL, Mode.TRAINING))
        assert stats.total == want["total"] == SYNTHETIC + CLINICAL
        assert {k: v for k, v in stats.by_outcome.items() if v} == dict(want["outcomes"])
        assert stats.with_carer == want["carer"]
        assert stats.with_open_disagreements == want["open"]
        assert stats.overdue_reviews == want["overdue"]
        assert stats.failed == want["failed"]
        # What the screen says: the numbers beside the bars.
        outcomes = clinic.query_one("#clinic-outcomes").text
        chosen = want["outcomes"]["chosen"]
        readable = want["total"] - want["failed"]
        assert f"{chosen:,} ({chosen / readable:.0%})" in outcomes
        shares = clinic.query_one("#clinic-shares").text
        assert f"({want['carer']:,} of {readable:,})" in shares
        counts = str(clinic.query_one("#clinic-counts", Static).render())
        assert f"Overdue reviews: {want['overdue']:,} people" in counts
        assert f"Failed or unreadable: {want['failed']:,} record" in counts
        numbers = clinic.query_one("#clinic-numbers", Static)
        assert numbers.render()  # the table of numbers by month is there


async def test_clinic_view_respects_the_filters(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot)
        await type_into(pilot, "#f-ref", REVIEW_REF)
        await pilot.press("c")
        await checked(pilot)
        stats = app.screen.stats
        assert stats.total == 3
        assert stats.by_outcome == {"chosen": 2, "deferred": 1}
        assert stats.with_carer == 1
        assert stats.overdue_reviews == 1  # the latest record's review date has passed
        assert f"reference {REVIEW_REF}" in str(
            app.screen.query_one("#clinic-heading", Static).render()
        )


# Files changed behind the app's back ----------------------------------------------------


async def test_a_record_corrupted_behind_the_apps_back_shows_as_failed(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        path = next(root.rglob("*tst042000002.toml"))
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Weight matters more", "Weight matters less"), "utf-8")
        await pilot.press("ctrl+r")
        await checked(pilot)
        assert "1 changed" in status(screen)
        row = next(r for r in rows_of(screen) if r.record_id == "tst042000002")
        assert row.status == "integrity"
        line = screen.query_one("#review-list", VirtualList).render_line(2).text
        assert "✗" in line and "failed integrity check" in line
        await highlight(pilot, screen, "tst042000002")
        await pilot.press("enter")
        await pilot.pause()
        problem = app.screen
        assert isinstance(problem, RecordProblemScreen)
        reason = str(problem.query_one("#problem-reason", Static).render())
        assert "integrity" in reason
        assert "Restore the file from a backup" in str(
            problem.query_one("#problem-fix", Static).render()
        )
        await pilot.press("escape")
        await pilot.pause()
        # Whose it is cannot be trusted, so there is no timeline to follow from it ...
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is screen
        # ... and the person's timeline lists the records that can be read.
        await pilot.press("up", "t")
        await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        assert [e.row.record_id for e in timeline.entries] == ["tst042000001", "tst042000003"]


async def test_a_record_opened_after_it_was_damaged_shows_why(root: Path) -> None:
    """Damaged after the index read it, before a refresh: opening it still never crashes."""
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        path = next(root.rglob("*tst007000001.toml"))
        path.write_text("this is not a record", "utf-8")
        await highlight(pilot, screen, "tst007000001")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordProblemScreen)
        assert app.screen.kind in ("unreadable", "invalid")
        await pilot.press("escape")
        await checked(pilot)  # opening it asked the index to catch up
        row = next(r for r in rows_of(screen) if r.record_id == "tst007000001")
        assert row.status != "ok"


async def test_timeline_lists_a_record_damaged_since_indexing_and_will_not_compare_it(
    root: Path,
) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        path = next(root.rglob("*tst042000002.toml"))
        path.write_text(path.read_text("utf-8").replace("Dr Test", "Dr Other"), "utf-8")
        await highlight(pilot, screen, "tst042000003")
        await pilot.press("t")
        await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        assert [e.kind for e in timeline.entries] == ["", "integrity", ""]
        prompt = str(timeline.query_one(OptionList).get_option_at_index(1).prompt)
        assert "✗ failed integrity check: record tst042000002" in prompt
        await pilot.press("c")  # the newest against the damaged one: refused, with why
        await pilot.pause()
        assert app.screen is timeline
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordProblemScreen)


async def test_a_file_added_or_removed_behind_the_apps_back(root: Path) -> None:
    app = review_app(root)
    grid = shipped_grid(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot)
        newest = clinical_records(grid)[3].model_copy(
            update={
                "record_id": "tst007000002",
                "created": clinical_records(grid)[3].created.replace(month=10, day=20),
            }
        )
        RecordStore(root).save_finished(newest, summary_markdown(newest, grid))
        next(root.rglob("*tst042000001.toml")).unlink()
        await pilot.press("ctrl+r")
        await checked(pilot)
        assert "1 new" in status(screen) and "1 gone" in status(screen)
        ids = [r.record_id for r in rows_of(screen)]
        assert ids[0] == "tst007000002"
        assert "tst042000001" not in ids
        assert len(ids) == CLINICAL


# Getting there ----------------------------------------------------------------------


async def test_home_opens_review_and_escape_goes_back(root: Path) -> None:
    app = review_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        actions = app.screen.query_one("#home-actions", OptionList)
        index = next(
            i for i in range(actions.option_count) if actions.get_option_at_index(i).id == "review"
        )
        actions.highlighted = index
        await pilot.press("enter")
        await checked(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert len(rows_of(app.screen)) == CLINICAL
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_review_start_opens_the_review_screen_over_home(root: Path) -> None:
    app = SdmApp(RecordStore(root), load_catalog(SHIPPED), start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await checked(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert isinstance(app.screen_stack[-2], HomeScreen)


async def test_leaving_while_the_folder_is_checked_is_safe(root: Path) -> None:
    """Escape at once: the check finishes in its thread, then closes the index; no error."""
    app = review_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = ReviewScreen(today=REVIEW_TODAY)
        await app.push_screen(screen)
        await pilot.press("escape")
        await checked(pilot)
        assert isinstance(app.screen, HomeScreen)
        # The screen's worker was cancelled with it; its thread ends by itself, then
        # closes the index. Wait for that (a bound, not a timing check).
        for _ in range(400):
            if screen.index is not None and screen.index._closed:
                break
            await pilot.pause(0.05)
        assert screen.index is not None and screen.index._closed
    assert app.return_code in (None, 0)


def test_review_command_is_parsed() -> None:
    from sdm_tui.__main__ import _parser

    args = _parser().parse_args(["review", "--records", "/tmp/somewhere"])
    assert args.command == "review"
    assert args.records == "/tmp/somewhere"


# Charts --------------------------------------------------------------------------------


def test_bars_and_sparklines_are_blocks_with_numbers() -> None:
    assert bar(0, 10, 8) == ""
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(1, 1000, 8) == "▏"  # above zero is never drawn as nothing
    assert sparkline([0, 2, 4, None], 0, 4) == "▁▅█·"
    lines = [
        line.plain
        for line in bar_lines([Bar("Chosen", 30, "30 (75%)"), Bar("Deferred", 10, "10 (25%)")], 40)
    ]
    assert lines[0].startswith("Chosen   ██") and lines[0].endswith("30 (75%)")
    assert lines[1].endswith("10 (25%)")
    assert len(lines[0]) == len(lines[1])  # the numbers line up


# Checking the files against the index (issue 13 items 5 and 6, issue 18 item 5) --------


@pytest.fixture
def training_root(tmp_path: Path) -> Path:
    from sdm_tui.core.synth import write_synthetic

    root = tmp_path / "records"
    write_synthetic(root, 20, 5, load_catalog(SHIPPED).grids)
    return root


async def open_training(pilot: Pilot) -> ReviewScreen:
    screen = await open_review(pilot)
    screen.query_one("#f-mode").value = "training"  # type: ignore[attr-defined]
    await checked(pilot)
    return screen


def forge_first_row(root: Path) -> IndexRow:
    """A row of index.sqlite3 changed by hand: the file still says otherwise."""
    import sqlite3

    from sdm_tui.core.index import MODES, Filters, RecordIndex

    with RecordIndex.open(root) as index:
        index.refresh()
        first = index.page(Filters(modes=MODES), 0, 1)[0]
    conn = sqlite3.connect(root / "index.sqlite3")
    conn.execute("UPDATE records SET service_user_ref = 'FORGED-1' WHERE path = ?", (first.path,))
    conn.commit()
    conn.close()
    return first


async def test_filter_hints_cannot_be_taken_for_filled_in_filters(training_root: Path) -> None:
    app = review_app(training_root)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        for box in screen.query(".filter-row Input").results(Input):
            assert box.value == ""
            assert box.placeholder.startswith("e.g. "), box.placeholder
            style = box.get_component_rich_style("input--placeholder")
            assert style.italic and style.dim, box.id
            # The whole hint fits in its box.
            assert len(box.placeholder) <= box.content_region.width, box.id


async def test_a_forged_row_is_corrected_and_marked_in_the_list(training_root: Path) -> None:
    first = forge_first_row(training_root)
    app = review_app(training_root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_training(pilot)
        assert "≠ 1 file changed on disk (marked ≠)" in status(screen)
        rows = rows_of(screen)
        assert len(rows) == 20
        assert not any(r.service_user_ref == "FORGED-1" for r in rows)
        [flagged] = [r for r in rows if r.flag]
        assert flagged.path == first.path and flagged.service_user_ref == first.service_user_ref
        line = screen.query_one("#review-list", VirtualList)
        texts = [line.render_line(y).text for y in range(20)]
        marked = [t for t in texts if "≠" in t]
        assert len(marked) == 1 and "changed on disk" in marked[0]
        # Opened, the record view says so too (in words, not colour only).
        await highlight(pilot, screen, flagged.record_id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordViewScreen)
        assert "Changed on disk" in str(app.screen.query_one("#record-changed", Static).render())


async def test_the_check_of_every_file_shows_it_is_done(training_root: Path) -> None:
    app = review_app(training_root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_training(pilot)
        assert "✓ 20 files verified" in status(screen)
        assert not any(r.flag for r in rows_of(screen))
        await highlight(pilot, screen, rows_of(screen)[0].record_id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordViewScreen)
        assert not app.screen.query("#record-changed")


async def test_a_byte_changed_with_its_time_kept_is_marked(training_root: Path) -> None:
    import sqlite3  # noqa: F401  (the index is built first, then the file changed)

    from sdm_tui.core.index import MODES, Filters, RecordIndex

    with RecordIndex.open(training_root) as index:
        index.refresh()
        first = index.page(Filters(modes=MODES), 0, 1)[0]
    path = training_root / first.path
    info = path.stat()
    data = bytearray(path.read_bytes())
    at = data.index(b"SYN-") + 4
    data[at] = ord("7") if data[at] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    app = review_app(training_root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_training(pilot)
        [row] = [r for r in rows_of(screen) if r.path == first.path]
        assert row.flag == "changed" and row.status == "integrity"
        line = screen.query_one("#review-list", VirtualList)
        texts = [line.render_line(y).text for y in range(20)]
        assert any("changed on disk, failed integrity check" in t for t in texts)


async def test_an_index_damaged_while_shown_is_rebuilt(training_root: Path) -> None:
    import sqlite3

    app = review_app(training_root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_training(pilot)
        assert len(rows_of(screen)) == 20
        conn = sqlite3.connect(training_root / "index.sqlite3")
        conn.execute("DROP TABLE records")
        conn.commit()
        conn.close()
        screen.requery()
        await checked(pilot)
        await checked(pilot)
        assert len(rows_of(screen)) == 20
        assert "could not be read" not in note(screen)


async def test_leaving_while_files_are_checked_is_safe(training_root: Path) -> None:
    """Escape as soon as the check of every file starts: it stops, then closes the index."""
    app = review_app(training_root)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = ReviewScreen(today=REVIEW_TODAY)
        await app.push_screen(screen)
        for _ in range(400):
            if screen.verifying or screen.verified:
                break
            await pilot.pause(0.02)
        await pilot.press("escape")
        await checked(pilot)
        for _ in range(400):
            if screen.index is not None and screen.index._closed:
                break
            await pilot.pause(0.05)
        assert screen.index is not None and screen.index._closed, (
            screen.checking,
            screen.verifying,
            screen.verified,
            screen._verify_started,
            screen.verify_result,
        )
    assert app.return_code in (None, 0)


def test_a_problem_screen_shows_file_names_and_reasons_cleaned() -> None:
    screen = RecordProblemScreen(
        "records/a\x1b[2J\u202eb.toml", "unreadable", "bad\x07 \x1b]0;t\x07x"
    )
    assert screen.path == "records/ab.toml"
    assert screen.problem == "bad x"
