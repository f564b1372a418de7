"""The records index (sdm_tui.core.index): a cache the review list reads.

Built from a small archive: synthetic training records (write_synthetic) plus
a handful of hand-made clinical records whose figures are checked by hand.
Everyone is invented (references TEST-0001.., SYN-00001..). Read-only folders
are simulated (tests run as root) by making os.open fail for the index file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import load_example_grid

from sdm_tui.__main__ import main
from sdm_tui.core import record
from sdm_tui.core import transitions as t
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.index import (
    INDEX_NAME,
    MODES,
    SCHEMA_VERSION,
    Filters,
    IndexRow,
    RecordIndex,
    words,
)
from sdm_tui.core.index import pool as index_pool
from sdm_tui.core.index import schema as index_schema
from sdm_tui.core.index.search import body_text
from sdm_tui.core.session import (
    Answer3,
    CarerConsent,
    Leaning,
    Mode,
    Outcome,
    Role,
    Session,
    grid_ref,
    new_session,
)
from sdm_tui.core.store import RecordStore
from sdm_tui.core.synth import write_synthetic

SYNTHETIC = 150  # with workers=2 the pool still reads each share in batches of 50
SMALL = 40
ALL = Filters(modes=MODES)
TRAINING = Filters(modes=("training",))
TODAY = date(2026, 4, 20)


def clinical(
    grid: OptionGrid,
    record_id: str,
    reference: str,
    when: datetime,
    outcome: Outcome,
    *,
    carer: bool = False,
    open_disagreement: bool = False,
    feedback: dict[str, int] | None = None,
    certainty: dict[str, Answer3] | None = None,
    step: str = "Blood test in four weeks",
) -> Session:
    """A finished clinical record, built through the real transitions."""
    s = new_session(
        grid_ref=grid_ref(grid), app_version="0.0.0-test", now=when, record_id=record_id
    )
    s = t.add_participant(s, Role.SERVICE_USER, "Service user")
    s = t.add_participant(s, Role.CLINICIAN, "Dr Test")
    if carer:
        s = t.add_participant(s, Role.CARER, "Carer")
        s = t.set_carer_consent(s, CarerConsent.YES)
    s = t.set_reference(s, reference)
    s = t.choose_options(s, ["tablet-a", "no-change"])
    s = t.rate_importance(s, "p1", "weight", 4)
    s = t.rate_importance(s, "p2", "weight", 1)  # a disagreement: 4 against 1
    if not open_disagreement:
        s = t.set_disagreement_status(s, "importance:weight", talked_through=True)
    s = t.set_leaning(s, "p1", "tablet-a", Leaning.TOWARDS)
    s = t.set_decision(
        s,
        outcome=outcome,
        option="tablet-a" if outcome == Outcome.CHOSEN else "",
        reason="Café visits matter to me",
        review_date=when.date() + timedelta(weeks=6),
        today=when.date(),
    )
    s = t.set_next_steps(s, [step])
    for item, value in (feedback or {}).items():
        s = t.set_feedback(s, item, value)
    for item, answer in (certainty or {}).items():
        s = t.set_certainty(s, "p1", item, answer)
    return t.complete(s, now=when)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def hand_made(grid: OptionGrid) -> list[Session]:
    """Five clinical records; one (clin00000005) is edited by hand after saving."""
    yes, no, unsure = Answer3.YES, Answer3.NO, Answer3.UNSURE
    return [
        clinical(
            grid, "clin00000001", "TEST-0001", at("2026-01-10"), Outcome.CHOSEN,
            carer=True, open_disagreement=True,
            feedback={"understand": 4, "listened": 3, "included": 2},
            certainty={"know": yes, "values": no, "support": yes, "sure": unsure},
        ),
        clinical(
            grid, "clin00000002", "TEST-0001", at("2026-03-01"), Outcome.DEFERRED,
            feedback={"understand": 2}, certainty={"know": yes},
            step="Talk it over at home",
        ),
        clinical(
            grid, "clin00000003", "test-0002", at("2026-03-15"), Outcome.NO_AGREEMENT,
            carer=True, open_disagreement=True,
        ),
        clinical(
            grid, "clin00000004", "TEST-0003", at("2026-03-20"), Outcome.CHOSEN,
            feedback={"understand": 4, "listened": 4, "included": 4}, certainty={"know": no},
        ),
        clinical(grid, "clin00000005", "TEST-0004", at("2026-02-05"), Outcome.CHOSEN),
    ]  # fmt: skip


def edit_by_hand(path: Path) -> None:
    text = path.read_text("utf-8")
    assert text.count("weight = 4\n") == 1
    path.write_text(text.replace("weight = 4\n", "weight = 3\n"), "utf-8")


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    return load_example_grid()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, grid: OptionGrid) -> Path:
    """Synthetic training records first (synth refuses clinical folders), then clinical ones."""
    root = tmp_path_factory.mktemp("archive") / "records"
    grids = dict(load_catalog().grids)
    assert write_synthetic(root, SYNTHETIC, 3, grids) == SYNTHETIC
    store = RecordStore(root)
    for session in hand_made(grid):
        saved = store.save_finished(session, "# summary\n")
        if session.record_id == "clin00000005":
            edit_by_hand(saved.toml)
    return root


@pytest.fixture(scope="module")
def index(archive: Path) -> Iterator[RecordIndex]:
    """A read-only view for the query tests (they never change the folder)."""
    with RecordIndex.open(archive) as opened:
        opened.refresh()
        yield opened


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory, grid: OptionGrid) -> Path:
    """The same, with fewer synthetic records, for tests that change the folder."""
    root = tmp_path_factory.mktemp("small") / "records"
    assert write_synthetic(root, SMALL, 3, dict(load_catalog().grids)) == SMALL
    store = RecordStore(root)
    for session in hand_made(grid):
        saved = store.save_finished(session, "# summary\n")
        if session.record_id == "clin00000005":
            edit_by_hand(saved.toml)
    return root


def copy_of(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("index.sqlite3*"))
    return copy


@pytest.fixture
def folder(small_archive: Path, tmp_path: Path) -> Path:
    """A copy of the small archive (without its index) that a test may change."""
    return copy_of(small_archive, tmp_path)


@pytest.fixture(scope="module")
def sessions(archive: Path) -> list[Session]:
    """Every record that loads, read straight from the files: the ground truth."""
    found = []
    for path in RecordStore(archive).record_files():
        with contextlib.suppress(record.RecordProblem):
            found.append(record.load(path))
    return found


def ids(rows: list[IndexRow]) -> list[str]:
    return [r.record_id for r in rows]


def all_rows(index: RecordIndex, f: Filters) -> list[IndexRow]:
    return index.page(f, 0, 100_000)


# Listing ---------------------------------------------------------------------------


def test_default_list_is_clinical_only_newest_first(index: RecordIndex) -> None:
    assert index.count(Filters()) == 5
    rows = index.page(Filters(), 0, 50)
    # clin00000005 failed its integrity check: listed by its file-name date, never hidden.
    assert ids(rows) == [
        "clin00000004",
        "clin00000003",
        "clin00000002",
        "clin00000005",
        "clin00000001",
    ]
    assert {r.mode for r in rows} == {"clinical"}
    assert not any(r.synthetic for r in rows)


def test_training_only_when_asked_for(index: RecordIndex) -> None:
    assert index.count(TRAINING) == SYNTHETIC
    assert index.count(ALL) == SYNTHETIC + 5
    assert all(r.mode == "training" and r.synthetic for r in all_rows(index, TRAINING))
    assert index.count(Filters(modes=())) == 0


def test_a_row_holds_what_the_list_shows(index: RecordIndex, archive: Path) -> None:
    row = index.get("clin00000001")
    assert row == IndexRow(
        record_id="clin00000001",
        path="clinical/2026-01/2026-01-10_clin00000001.toml",
        mode="clinical",
        synthetic=False,
        created="2026-01-10T10:00:00+00:00",
        grid_id="example-grid",
        grid_title="Example: choosing between two tablets",
        outcome="chosen",
        option="Tablet A",
        service_user_ref="TEST-0001",
        review_date="2026-02-21",
        open_disagreements=1,
        carer=True,
        amends="",
        status="ok",
        problem="",
        completed="2026-01-10T10:00:00+00:00",
        option_id="tablet-a",
        sha256=hashlib.sha256((archive / row.path).read_bytes()).hexdigest(),
    )
    assert row.review_passed(date(2026, 2, 22)) and not row.review_passed(date(2026, 2, 21))
    assert (archive / row.path).is_file()
    assert index.get("nope00000000") is None


def test_paging_walks_the_whole_list_once_in_order(index: RecordIndex) -> None:
    whole = all_rows(index, ALL)
    assert len(whole) == SYNTHETIC + 5
    pages = [index.page(ALL, offset, 37) for offset in range(0, len(whole) + 37, 37)]
    assert [r for page in pages for r in page] == whole
    assert list(index.iter_rows(ALL, batch=41)) == whole
    keys = [(r.created or "", r.record_id) for r in whole if r.status == "ok"]
    assert keys == sorted(keys, reverse=True)
    assert index.page(ALL, len(whole), 10) == []


def test_failed_record_is_listed_with_its_reason(index: RecordIndex, archive: Path) -> None:
    row = index.get("clin00000005")
    assert row is not None
    assert row.status == "integrity"
    assert row.mode == "clinical"
    path = archive / row.path
    assert row.problem.startswith(f"{path}:")
    assert "integrity" in row.problem and "\n" not in row.problem
    assert (row.created, row.grid_id, row.service_user_ref) == ("", "", "")


# Filters ------------------------------------------------------------------------------


def test_free_text_matches_word_prefixes_in_any_case(index: RecordIndex) -> None:
    assert ids(index.page(Filters(text="blood"), 0, 50)) == [
        "clin00000004",
        "clin00000003",
        "clin00000001",
    ]
    assert index.count(Filters(text="BLO")) == 3
    assert index.count(Filters(text="blood four")) == 3  # every word must match
    assert index.count(Filters(text="blood home")) == 0
    assert ids(index.page(Filters(text="talk  HOME"), 0, 50)) == ["clin00000002"]
    assert index.count(Filters(text="cafe")) == 4  # accents do not matter
    assert index.count(Filters(text="CAFÉ")) == 4
    assert index.count(Filters(text="0001")) == 2  # the reference TEST-0001
    assert index.count(Filters(text="clin00000003")) == 1  # the record id
    assert index.count(Filters(text="   ")) == 5  # no words: no text filter


def test_free_text_agrees_with_the_files(index: RecordIndex, sessions: list[Session]) -> None:
    for word in ("restlessness", "drive", "aripiprazole", "peer", "injection", "syn"):
        expected = sum(
            1
            for s in sessions
            if s.mode == Mode.TRAINING and any(w.startswith(word) for w in words(body_text(s)))
        )
        assert expected > 0, word
        assert index.count(Filters(text=word, modes=("training",))) == expected, word


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "NEAR(",
        "NEAR(blood home, 2)",
        "'; DROP TABLE records; --",
        'blood" OR "home',
        "AND",
        "blood OR",
        "NOT blood",
        "body:blood",
        "^blood",
        "%",
        "_",
        "\\",
        "\x00",
    ],
)
def test_typed_text_can_never_be_query_syntax(index: RecordIndex, text: str) -> None:
    f = Filters(text=text, modes=MODES)
    count = index.count(f)
    assert count == len(index.page(f, 0, 1000))
    expected = {("blood",): 3, ("blood", "home"): 0, ("not", "blood"): 0, ("near",): 0}
    terms = tuple(words(text))
    if terms in expected:  # the words are searched for as words, nothing more
        assert index.count(Filters(text=text)) == expected[terms]
    assert index.count(ALL) == SYNTHETIC + 5  # nothing dropped or changed


def test_like_fallback_gives_the_same_answers(archive: Path, tmp_path: Path) -> None:
    copy = copy_of(archive, tmp_path)
    with RecordIndex.open(copy) as fts:
        fts.refresh()
        assert fts.fts
        queries = ["blood", "BLO", "blood four", "cafe", "0001", "restless", "syn 0001", '"*']
        expected = {q: ids(fts.page(Filters(text=q, modes=MODES), 0, 1000)) for q in queries}
    (copy / INDEX_NAME).unlink()
    original = index_schema.fts5_available
    index_schema.fts5_available = lambda conn: False
    try:
        with RecordIndex.open(copy) as like:
            like.refresh()
            assert not like.fts
            for q in queries:
                assert ids(like.page(Filters(text=q, modes=MODES), 0, 1000)) == expected[q], q
    finally:
        index_schema.fts5_available = original
    # An index made without FTS5 is rebuilt with it when FTS5 is there again.
    with RecordIndex.open(copy) as again:
        assert again.fts and again.rebuilt


def test_reference_filter_is_exact_and_ignores_case(index: RecordIndex) -> None:
    assert ids(index.page(Filters(reference="test-0001"), 0, 50)) == [
        "clin00000002",
        "clin00000001",
    ]
    assert ids(index.page(Filters(reference=" TEST-0002 "), 0, 50)) == ["clin00000003"]
    assert index.count(Filters(reference="TEST-000")) == 0
    assert index.count(Filters(reference="SYN-00001")) == 0  # training: not asked for


def test_reference_filter_agrees_with_the_files(
    index: RecordIndex, sessions: list[Session]
) -> None:
    refs = sorted({s.service_user_ref for s in sessions if s.mode == Mode.TRAINING})
    for ref in refs[:5] + refs[-3:]:
        expected = sum(1 for s in sessions if s.service_user_ref == ref)
        assert index.count(Filters(reference=ref.lower(), modes=("training",))) == expected


def test_date_range_is_inclusive(index: RecordIndex) -> None:
    march = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 15))
    assert ids(index.page(march, 0, 50)) == ["clin00000003", "clin00000002"]
    assert index.count(Filters(date_from=date(2026, 3, 16))) == 1
    assert index.count(Filters(date_to=date(2026, 1, 10))) == 1
    # The failed record is placed by its file-name date.
    assert ids(
        index.page(Filters(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)), 0, 9)
    ) == ["clin00000005"]


def test_date_range_agrees_with_the_files(index: RecordIndex, sessions: list[Session]) -> None:
    start, end = date(2024, 1, 1), date(2024, 6, 30)
    expected = sum(
        1 for s in sessions if s.mode == Mode.TRAINING and start <= s.created.date() <= end
    )
    assert expected > 0
    assert index.count(Filters(date_from=start, date_to=end, modes=("training",))) == expected


def test_grid_and_outcome_filters(index: RecordIndex, sessions: list[Session]) -> None:
    assert index.count(Filters(grid="example-grid")) == 4  # the failed one has no grid
    assert ids(index.page(Filters(outcome="deferred"), 0, 9)) == ["clin00000002"]
    assert index.count(Filters(outcome="chosen", grid="example-grid")) == 2
    for grid_id in {s.grid.id for s in sessions}:
        expected = sum(1 for s in sessions if s.grid.id == grid_id)
        assert index.count(Filters(grid=grid_id, modes=MODES)) == expected
    for outcome in Outcome:
        expected = sum(
            1 for s in sessions if s.mode == Mode.TRAINING and s.decision.outcome == outcome
        )
        assert expected > 0
        assert index.count(Filters(outcome=outcome.value, modes=("training",))) == expected


def test_filters_combine(index: RecordIndex) -> None:
    f = Filters(text="blood", reference="TEST-0001", outcome="chosen", date_from=date(2026, 1, 1))
    assert ids(index.page(f, 0, 9)) == ["clin00000001"]
    assert index.count(f) == 1


def test_person_and_grids(index: RecordIndex, sessions: list[Session]) -> None:
    assert ids(index.person("test-0001")) == ["clin00000001", "clin00000002"]  # oldest first
    assert index.person("SYN-00001") == []  # training: not asked for
    mine = index.person("SYN-00001", modes=("training",))
    assert len(mine) == sum(1 for s in sessions if s.service_user_ref == "SYN-00001") >= 1
    assert [r.created for r in mine] == sorted(r.created for r in mine)
    assert index.person("") == []
    grids = dict(index.grids())
    assert grids["example-grid"] == "Example: choosing between two tablets"
    assert set(grids) == {s.grid.id for s in sessions}


def test_clinic_figures_checked_by_hand(index: RecordIndex) -> None:
    stats = index.clinic(Filters(), today=TODAY)
    assert stats.total == 5
    assert stats.failed == 1
    assert stats.by_outcome == {"chosen": 2, "deferred": 1, "no-agreement": 1}
    assert stats.with_carer == 2
    assert stats.with_open_disagreements == 2
    # Latest per person: TEST-0001 review 2026-04-12 (passed); TEST-0002 04-26; TEST-0003 05-01.
    assert stats.overdue_reviews == 1
    assert index.clinic(Filters(), today=date(2026, 5, 2)).overdue_reviews == 3
    assert [m.month for m in stats.months] == ["2026-01", "2026-02", "2026-03"]
    january, february, march = stats.months
    assert january.count == 1
    assert january.feedback == {"understand": 4.0, "listened": 3.0, "included": 2.0}
    assert january.certainty_yes == {"know": 1.0, "values": 0.0, "support": 1.0, "sure": 0.0}
    assert february.count == 1  # the failed record: counted, with no answers
    assert february.feedback == {"understand": None, "listened": None, "included": None}
    assert march.count == 3
    assert march.feedback == {"understand": 3.0, "listened": 4.0, "included": 4.0}
    assert march.certainty_yes == {"know": 0.5, "values": None, "support": None, "sure": None}


def test_clinic_follows_the_filters(index: RecordIndex) -> None:
    stats = index.clinic(Filters(reference="TEST-0001"), today=TODAY)
    assert (stats.total, stats.with_carer, stats.overdue_reviews) == (2, 1, 1)
    nobody = index.clinic(Filters(reference="NOBODY-1"), today=TODAY)
    assert (nobody.total, nobody.failed, nobody.with_carer, nobody.overdue_reviews) == (0, 0, 0, 0)
    assert (nobody.by_outcome, nobody.months, nobody.with_open_disagreements) == ({}, [], 0)
    training = index.clinic(TRAINING, today=date(2030, 1, 1))
    assert training.total == SYNTHETIC
    assert sum(training.by_outcome.values()) == SYNTHETIC
    assert sum(m.count for m in training.months) == SYNTHETIC
    people = len({r.service_user_ref for r in all_rows(index, TRAINING)})
    assert training.overdue_reviews == people  # by 2030 every latest review has passed


# Keeping up with the folder ---------------------------------------------------------------


def test_catches_up_with_added_removed_and_changed_files(folder: Path, grid: OptionGrid) -> None:
    with RecordIndex.open(folder) as index:
        first = index.refresh()
        assert (first.added, first.updated, first.removed, first.rebuilt) == (
            SMALL + 5,
            0,
            0,
            True,
        )
        quiet = index.refresh()
        assert (quiet.added, quiet.updated, quiet.removed, quiet.rebuilt) == (0, 0, 0, False)

        store = RecordStore(folder)
        new = clinical(grid, "clin00000006", "TEST-0009", at("2026-04-01"), Outcome.CHOSEN)
        saved = store.save_finished(new, "# summary\n")
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (1, 0, 0)
        assert ids(index.page(Filters(), 0, 1)) == ["clin00000006"]
        assert index.count(Filters(text="0009")) == 1

        edit_by_hand(saved.toml)
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (0, 1, 0)
        row = index.get("clin00000006")
        assert row is not None and row.status == "integrity"
        assert index.count(Filters()) == 6  # listed, not hidden
        assert index.count(Filters(text="0009")) == 0  # its words are gone with its content

        saved.toml.unlink()
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (0, 0, 1)
        assert index.get("clin00000006") is None
        assert index.count(Filters()) == 5


def test_hand_edit_shows_in_the_list_and_in_verify(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        path = folder / "clinical/2026-03/2026-03-20_clin00000004.toml"
        edit_by_hand(path)
        index.refresh()
        failed = [r for r in index.page(Filters(), 0, 50) if r.status != "ok"]
        assert sorted(ids(failed)) == ["clin00000004", "clin00000005"]
    capsys.readouterr()
    assert main(["records", "verify", "--records", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:" in out and "integrity" in out
    assert out.splitlines()[-1] == f"{SMALL + 3} records ok, 2 failed, in {folder}"


def test_unreadable_file_is_indexed_not_skipped(folder: Path) -> None:
    path = folder / "clinical/2026-03/2026-03-15_clin00000003.toml"
    path.write_bytes(b"\xff\xfe not a record")
    (folder / "clinical/2026-03/2026-03-31_emptyrecord1.toml").write_text("", "utf-8")
    with RecordIndex.open(folder) as index:
        index.refresh()
        row = index.get("clin00000003")
        assert row is not None and row.status == "unreadable"
        assert row.problem.startswith(str(path)) and "UTF-8" in row.problem
        empty = index.get("emptyrecord1")
        assert empty is not None and empty.status == "unreadable" and "empty" in empty.problem
        assert index.count(Filters()) == 6


def test_refresh_reports_progress(folder: Path) -> None:
    seen: list[tuple[int, int]] = []
    with RecordIndex.open(folder) as index:
        index.refresh(lambda done, total: seen.append((done, total)))
    assert seen[-1] == (SMALL + 5, SMALL + 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_process_pool_gives_the_same_index(archive: Path, tmp_path: Path) -> None:
    folder = copy_of(archive, tmp_path)
    with RecordIndex.open(folder) as index:
        index.refresh(workers=1)
        expected = all_rows(index, ALL)
    (folder / INDEX_NAME).unlink()
    with RecordIndex.open(folder) as index:
        changes = index.refresh(workers=2)
        assert changes.added == SYNTHETIC + 5
        assert all_rows(index, ALL) == expected


def test_files_of_a_worker_that_dies_are_read_here(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_of(archive, tmp_path)
    monkeypatch.setattr(index_pool, "_WORKER", "import sys; sys.exit(3)")
    with RecordIndex.open(folder) as index:
        assert index.refresh(workers=2).added == SYNTHETIC + 5
        assert index.count(ALL) == SYNTHETIC + 5
        assert index.count(Filters(text="blood")) == 3


# The index file ----------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_index_file_is_private(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
    for name in os.listdir(folder):
        if name.startswith(INDEX_NAME):
            assert (folder / name).stat().st_mode & 0o777 == 0o600, name


@pytest.mark.parametrize("damage", ["garbage", "truncated", "deleted", "empty"])
def test_damaged_or_missing_index_is_rebuilt(folder: Path, damage: str) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
    db = folder / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        db.write_bytes(b"this is not a database at all\n" * 200)
    elif damage == "truncated":
        db.write_bytes(db.read_bytes()[:4096])
    elif damage == "empty":
        db.write_bytes(b"")
    else:
        db.unlink()
    with RecordIndex.open(folder) as index:
        changes = index.refresh()
        assert changes.rebuilt
        assert index.count(ALL) == SMALL + 5
        assert index.count(Filters(text="blood")) == 3
        assert index.warning == ""


def test_older_schema_is_rebuilt(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
    conn = sqlite3.connect(folder / INDEX_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.execute("UPDATE records SET outcome = 'stale'")
    conn.commit()
    conn.close()
    with RecordIndex.open(folder) as index:
        assert index.rebuilt
        changes = index.refresh()
        assert changes.rebuilt and changes.added == SMALL + 5
        assert index.count(Filters(outcome="stale", modes=MODES)) == 0
        assert index.count(Filters(outcome="chosen")) == 2
    with RecordIndex.open(folder) as index:
        assert not index.rebuilt


def test_read_only_folder_works_in_memory(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def read_only(path: object, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith(INDEX_NAME):  # type: ignore[arg-type]
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    with RecordIndex.open(folder) as index:
        assert index.db_path is None
        assert "read-only" in index.warning and str(folder) in index.warning
        assert "\n" not in index.warning
        assert index.refresh().added == SMALL + 5
        assert index.count(Filters(text="blood")) == 3
        assert ids(index.page(Filters(), 0, 2)) == ["clin00000004", "clin00000003"]
        assert index.clinic(Filters(), today=TODAY).overdue_reviews == 1
    assert not (folder / INDEX_NAME).exists()


def test_missing_folder_gives_an_empty_index(tmp_path: Path) -> None:
    with RecordIndex.open(tmp_path / "not-yet") as index:
        assert index.refresh().added == 0
        assert index.count(ALL) == 0 and index.page(ALL, 0, 50) == []
        assert index.warning == ""
    assert not (tmp_path / "not-yet").exists()


def test_two_windows_share_one_index(folder: Path) -> None:
    """Two indexes on one folder refreshing at once: both right, the file whole."""
    first, second = RecordIndex.open(folder), RecordIndex.open(folder)
    errors: list[BaseException] = []

    def refresh(index: RecordIndex) -> None:
        try:
            index.refresh()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for index in (first, second):
        assert index.count(ALL) == SMALL + 5
        assert index.count(Filters(text="blood")) == 3
        index.close()
    conn = sqlite3.connect(folder / INDEX_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM records").fetchone() == (SMALL + 5,)
    assert conn.execute("SELECT count(*) FROM texts").fetchone() == (SMALL + 5,)
    conn.close()


def test_refresh_in_a_worker_thread_while_reading(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        worker = threading.Thread(target=index.refresh)
        worker.start()
        while worker.is_alive():
            # The worker commits a batch at a time: the list only grows, and stays readable.
            counted = index.count(ALL)
            assert counted <= len(index.page(ALL, 0, 1000)) <= SMALL + 5
        worker.join()
        assert index.count(ALL) == SMALL + 5


def test_many_threads_share_a_few_connections(index: RecordIndex) -> None:
    """Calls from many short-lived threads (as UI workers are) reuse idle connections."""
    expected = {
        "blood": ["clin00000004", "clin00000003", "clin00000001"],
        "home": ["clin00000002"],
        "": ["clin00000004", "clin00000003", "clin00000002", "clin00000005", "clin00000001"],
    }
    results: list[bool] = []

    def look(text: str) -> None:
        f = Filters(text=text)
        results.append(
            ids(index.page(f, 0, 50)) == expected[text] and index.count(f) == len(expected[text])
        )

    for _ in range(5):
        threads = [threading.Thread(target=look, args=(text,)) for text in expected]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert results == [True] * 15
    assert len(index._all) <= len(expected) + 1  # not one per thread


def test_a_pasted_paragraph_is_still_a_search(index: RecordIndex) -> None:
    assert index.count(Filters(text=" ".join(["Blood"] * 500))) == 3
    assert index.count(Filters(text="blood " + "x" * 10_000)) == 0
