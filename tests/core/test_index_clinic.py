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
