"""Clinic figures from the summary tables (kept by triggers) agree with a full count.

A filter of modes only is answered from the summary tables; adding a date
range from long ago selects the same records but counts them row by row.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import MODES, Filters, RecordIndex
from sdm_tui.core.index import sync as index_sync
from sdm_tui.core.index.clinic import _modes_only
from sdm_tui.core.synth import write_synthetic

COUNT = 200
DAYS = [date(2022, 6, 1), date(2024, 1, 1), date(2026, 12, 3), date(2030, 1, 1)]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clinic") / "records"
    assert write_synthetic(root, COUNT, 11, dict(load_catalog().grids)) == COUNT
    return root


@pytest.fixture
def folder(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    shutil.copytree(made, copy)
    return copy


def agree(index: RecordIndex) -> None:
    for modes in (("training",), MODES, ("clinical",)):
        kept = Filters(modes=modes)
        counted = replace(kept, date_from=date(1900, 1, 1))
        assert _modes_only(kept) and not _modes_only(counted)
        for today in DAYS:
            assert index.clinic(kept, today) == index.clinic(counted, today)


def test_kept_figures_agree_with_counting_as_records_come_and_go(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        stats = index.clinic(Filters(modes=("training",)), DAYS[2])
        assert stats.total == COUNT and stats.months and stats.by_outcome
        assert stats.overdue_reviews > 0
        agree(index)
        files = sorted(folder.glob("training/*/*.toml"))
        for path in files[::7]:  # gone: some people's latest records among them
            path.unlink()
        files[1].write_bytes(b"not a record")  # unreadable: counted as failed
        text = files[2].read_text("utf-8")
        files[2].write_text(text.replace("synthetic = true", "synthetic = true "), "utf-8")
        changes = index.refresh()
        assert changes.removed == len(files[::7]) and changes.updated == 2
        stats = index.clinic(Filters(modes=("training",)), DAYS[2])
        assert stats.total == COUNT - len(files[::7]) and stats.failed == 1
        agree(index)
        for path in files:
            path.unlink(missing_ok=True)
        index.refresh()
        empty = index.clinic(Filters(modes=("training",)), DAYS[2])
        assert (empty.total, empty.months, empty.overdue_reviews) == (0, [], 0)
        agree(index)


def test_a_rebuilt_index_keeps_the_same_figures(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        before = index.clinic(Filters(modes=MODES), DAYS[2])
    (folder / "index.sqlite3").unlink()
    with RecordIndex.open(folder) as index:
        index.refresh()
        assert index.clinic(Filters(modes=MODES), DAYS[2]) == before


def tables(index: RecordIndex) -> list[list[tuple[object, ...]]]:
    with index._use() as conn:
        return [
            conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
            for table in ("clinic_months", "clinic_people")
        ]


def test_a_build_from_nothing_fills_the_summaries_at_its_end_as_the_triggers_would(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large build leaves the filters' other indexes and the summary triggers for its
    end (schema.DEFERRED); meanwhile the clinic figures count rows, and after it the
    summary tables and the schema are what a build row by row gives."""
    (folder / "training" / "2099-01").mkdir()
    (folder / "training" / "2099-01" / "2099-01-01_aaaaaaaaaaaa.toml").write_bytes(b"x = ")
    with RecordIndex.open(folder) as index:
        index.refresh()  # row by row (fewer than BULK_FROM files)
        by_rows = tables(index)
        with index._use() as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    (folder / "index.sqlite3").unlink()
    monkeypatch.setattr(index_sync, "BULK_FROM", 10)
    monkeypatch.setattr(index_sync, "BATCH", 20)
    seen: list[tuple[bool, bool]] = []
    with RecordIndex.open(folder) as index:

        def progress(done: int, total: int) -> None:
            with index._use() as conn:
                there = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                seen.append((index._building(conn), "records_person" in there))
            agree(index)  # from the rows so far, not from summary tables not yet filled

        index.refresh(progress, workers=1)
        assert seen and all(building and not indexed for building, indexed in seen)
        assert tables(index) == by_rows and by_rows[0] and by_rows[1]
        with index._use() as conn:
            assert not index._building(conn)
            assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == names
        stats = index.clinic(Filters(modes=("training",)), DAYS[2])
        assert stats.total == COUNT + 1 and stats.failed == 1
        agree(index)
