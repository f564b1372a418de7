"""The quick refresh (month folders' mtimes first) and the newest-first rebuild.

A refresh passes over a month folder whose own mtime and row count are what
they were; anything that adds, removes or renames a file changes the folder's
mtime and is seen. An edit in place is not (by design): the background file
check finds it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import INDEX_NAME, MODES, Filters, RecordIndex
from sdm_tui.core.index import sync as index_sync
from sdm_tui.core.synth import write_synthetic

ALL = Filters(modes=MODES)
COUNT = 60


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("refresh") / "records"
    assert write_synthetic(root, COUNT, 5, dict(load_catalog().grids)) == COUNT
    return root


@pytest.fixture
def folder(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    shutil.copytree(made, copy)
    return copy


def month_folders(root: Path) -> list[Path]:
    return sorted(p for mode in MODES if (root / mode).is_dir() for p in (root / mode).iterdir())


def age(root: Path) -> None:
    """Every month folder last changed a minute ago (as on a folder not touched today)."""
    old = time.time() - 60
    for path in month_folders(root):
        os.utime(path, (old, old))


def records(root: Path) -> list[Path]:
    return sorted(root.glob("training/*/*.toml"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each refresh reads (in this process: small folders use no pool)."""
    seen: list[str] = []
    real = index_sync.read_batch

    def counting(root: str, items: list[tuple[str, int, int]]) -> list:
        seen.extend(rel for rel, _, _ in items)
        return real(root, items)

    monkeypatch.setattr(index_sync, "read_batch", counting)
    return seen


def settled(folder: Path) -> RecordIndex:
    """An index that has caught up, then remembered old folder mtimes."""
    index = RecordIndex.open(folder)
    index.refresh()
    age(folder)
    changes = index.refresh()  # the folders' times are now old enough to be trusted
    assert (changes.added, changes.updated, changes.removed) == (0, 0, 0)
    return index


def test_nothing_changed_reads_and_lists_nothing(folder: Path, reads: list[str]) -> None:
    with settled(folder) as index:
        reads.clear()
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (0, 0, 0)
        assert reads == []
        assert index.count(ALL) == COUNT


def test_added_removed_and_renamed_files_are_seen(folder: Path, reads: list[str]) -> None:
    with settled(folder) as index:
        first, second, third = records(folder)[:3]
        # Added: a copy under a new name (a record id of its own is not needed to be listed).
        added = first.with_name(first.name.replace(".toml", "x.toml"))
        shutil.copy2(first, added)
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (1, 0, 0)
        assert index.count(ALL) == COUNT + 1
        age(folder)
        index.refresh()
        # Removed.
        second.unlink()
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (0, 0, 1)
        age(folder)
        index.refresh()
        # Renamed (as the store saves: a new name in the same folder).
        renamed = third.with_name("0000-renamed.toml")
        third.rename(renamed)
        reads.clear()
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (1, 0, 1)
        assert reads == [f"training/{renamed.parent.name}/{renamed.name}"]
        assert index.count(ALL) == COUNT


def test_new_and_gone_month_folders_are_seen(folder: Path) -> None:
    with settled(folder) as index:
        months = month_folders(folder)
        gone = len(list(months[0].glob("*.toml")))
        shutil.rmtree(months[0])
        new = folder / "training" / "2031-01"
        new.mkdir()
        shutil.copy2(records(folder)[0], new / "2031-01-02_aaaaaaaaaaaa.toml")
        changes = index.refresh()
        assert (changes.added, changes.removed) == (1, gone)
        assert index.count(ALL) == COUNT - gone + 1


def test_an_edit_in_place_is_left_to_the_file_check(folder: Path, reads: list[str]) -> None:
    """The folder's mtime does not move, so refresh passes over it; verify() finds it."""
    with settled(folder) as index:
        path = records(folder)[0]
        month_time = path.parent.stat().st_mtime_ns
        data = path.read_bytes()
        path.write_bytes(data.replace(b"synthetic = true", b"synthetic = true ", 1))
        assert path.parent.stat().st_mtime_ns == month_time
        reads.clear()
        changes = index.refresh()
        assert (changes.added, changes.updated, changes.removed) == (0, 0, 0)
        assert reads == []
        checked = index.verify()
        assert checked.checked == COUNT and checked.changed == 1


def test_a_full_refresh_compares_every_file(folder: Path, reads: list[str]) -> None:
    """What Ctrl+R asks for: an edit in place is found though the folder looks unchanged."""
    with settled(folder) as index:
        path = records(folder)[0]
        data = path.read_bytes()
        path.write_bytes(data.replace(b"synthetic = true", b"synthetic = true ", 1))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        assert index.refresh().updated == 0
        reads.clear()
        changes = index.refresh(full=True)
        assert (changes.added, changes.updated, changes.removed) == (0, 1, 0)
        assert reads == [str(path.relative_to(folder))]


def test_a_row_gone_from_the_index_is_read_again(folder: Path) -> None:
    with settled(folder) as index:
        conn = sqlite3.connect(folder / INDEX_NAME)
        with conn:
            conn.execute("DELETE FROM records WHERE id = (SELECT min(id) FROM records)")
        conn.close()
        changes = index.refresh()
        assert changes.added == 1
        assert index.count(ALL) == COUNT


def test_a_folder_changed_just_now_is_listed_again(folder: Path, reads: list[str]) -> None:
    """Its mtime is too recent to trust (a later change could keep the same time)."""
    path = records(folder)[0]
    # copytree kept the month folder's mtime from when `made` was written, which may be
    # long enough ago to be trusted on a busy machine: make it "just now".
    os.utime(path.parent)
    with RecordIndex.open(folder) as index:
        index.refresh()
        data = path.read_bytes()
        path.write_bytes(data.replace(b"synthetic = true", b"synthetic = true ", 1))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        reads.clear()
        changes = index.refresh()
        assert changes.updated == 1
        assert reads == [str(path.relative_to(folder))]


def test_rebuild_writes_the_newest_records_first(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the index is filled, the list's first page and its filters answer on
    what is there, and the first page is already the newest records."""
    monkeypatch.setattr(index_sync, "BATCH", 5)
    early: list[tuple[list[str], int, int]] = []
    with RecordIndex.open(folder) as index:

        def progress(done: int, total: int) -> None:
            if not early:
                grid = index.page(ALL, 0, 1)[0].grid_id
                rows = index.page(ALL, 0, 5)
                early.append(
                    (
                        [r.record_id for r in rows],
                        index.count(ALL),
                        index.count(Filters(modes=MODES, grid=grid)),
                    )
                )

        index.refresh(progress, workers=1)
        newest = [r.record_id for r in index.page(ALL, 0, 5)]
    first_page, counted, by_grid = early[0]
    assert counted == 5
    assert first_page == newest
    assert 1 <= by_grid <= 5


@pytest.mark.parametrize("count", [0, 1, 25, 26, 499, 1234])
def test_pool_batches_cover_every_file_once_first_one_small(count: int) -> None:
    from sdm_tui.core.index.pool import FIRST_BATCH, batches

    bounds = batches(count, 200)
    covered = [k for start, end in bounds for k in range(start, end)]
    assert covered == list(range(count))
    if count:
        assert bounds[0][1] - bounds[0][0] == min(count, FIRST_BATCH)


def test_a_build_from_nothing_indexes_words_at_the_end(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text filters answer (by LIKE) while the words wait, and by FTS5 after, alike."""
    monkeypatch.setattr(index_sync, "BULK_FROM", 10)
    monkeypatch.setattr(index_sync, "BATCH", 10)
    monkeypatch.setattr(index_sync, "WORDS_CHUNK", 15)  # some words indexed as it reads
    word = Filters(text="weight", modes=MODES)
    during: list[tuple[int, int, bool]] = []
    with RecordIndex.open(folder) as index:
        if not index.fts:
            pytest.skip("this SQLite has no FTS5")

        def progress(done: int, total: int) -> None:
            with index._use() as conn:
                pending = index._building(conn)
            during.append((done, index.count(word), pending))

        index.refresh(progress, workers=1)
        after = index.count(word)
        index.fts = False
        by_like = index.count(word)
        index.fts = True
        with index._use() as conn:
            assert not index._building(conn)
    assert during[0][2] and 0 < during[0][1] <= during[0][0]
    assert after == by_like > 0
    with RecordIndex.open(folder) as again:
        assert not again.rebuilt and again.count(word) == after


def test_a_build_stopped_before_its_words_were_indexed_is_finished_by_a_refresh(
    folder: Path,
) -> None:
    """Its rows stay (another window may be building it now); text filters use LIKE
    until the next refresh, under the refresh lock, indexes the words and makes the
    indexes and triggers the build left for its end."""
    word = Filters(text="weight", modes=MODES)
    with RecordIndex.open(folder) as index:
        index.refresh()
        expected = index.count(word)
        with index._use() as conn:
            everything = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn = sqlite3.connect(folder / INDEX_NAME)
    with conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('fts_after_build', '1')")
        conn.execute("INSERT INTO fts (fts) VALUES ('delete-all')")  # no words indexed
        conn.execute("DROP INDEX records_person")  # as the build dropped it
        conn.execute("DROP TRIGGER clinic_counted")
    conn.close()
    with RecordIndex.open(folder) as index:
        assert not index.rebuilt and index.count(ALL) == COUNT
        assert index.count(word) == expected > 0  # by LIKE over the stored words
        index.refresh()
        with index._use() as conn:
            assert not index._building(conn)
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert names == everything
        assert index.count(word) == expected  # by FTS5 again


def test_the_first_batches_of_every_reader_come_together(folder: Path) -> None:
    """Two reader processes share the newest files alternately: the first rows written
    hold both first batches, so the list's first page is never half of the newest."""
    from sdm_tui.core.index.pool import FIRST_BATCH, read_in_processes
    from sdm_tui.core.index.walk import folders

    items = sorted(
        (i for _, files in folders(folder) for i in files or []),
        key=lambda item: item[0].split("/", 1)[-1],
        reverse=True,
    )[: 2 * FIRST_BATCH + 10]
    batches = list(read_in_processes(str(folder), items, 2, 500))
    first = {values[0] for values, _ in batches[0]}
    assert first == {rel for rel, _, _ in items[: 2 * min(FIRST_BATCH, len(items) // 2)]}
    assert sorted(values[0] for rows in batches for values, _ in rows) == sorted(
        rel for rel, _, _ in items
    )


@pytest.mark.parametrize("drop_one", [False, True])
def test_words_indexed_in_chunks_during_a_build_match_the_rows(
    folder: Path, monkeypatch: pytest.MonkeyPatch, drop_one: bool
) -> None:
    """Chunks of words go into FTS5 as a large build reads, the rest at its end. A row
    dropped meanwhile (the background check reading a file again) before its words were
    indexed leaves FTS5 alone (SQLite took deleting words it did not hold as damage, and
    the index was rebuilt from nothing)."""
    monkeypatch.setattr(index_sync, "BULK_FROM", 10)
    monkeypatch.setattr(index_sync, "BATCH", 10)
    monkeypatch.setattr(index_sync, "WORDS_CHUNK", 15)
    word = Filters(text="weight", modes=MODES)
    with RecordIndex.open(folder) as index:
        if not index.fts:
            pytest.skip("this SQLite has no FTS5")

        def progress(done: int, total: int) -> None:
            if drop_one and done == 30:
                with index._use() as conn:
                    # The newest row: its words are not in FTS5 yet.
                    newest = conn.execute("SELECT path FROM records ORDER BY id DESC").fetchone()[0]
                    index._write(conn, [newest], [])

        index.refresh(progress, workers=1)
        by_fts = index.count(word)
        with index._use() as conn:
            conn.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)")
            indexed = conn.execute("SELECT count(*) FROM fts_docsize").fetchone()[0]
            texts = conn.execute("SELECT count(*) FROM texts").fetchone()[0]
        index.fts = False
        assert index.count(word) == by_fts > 0
    assert indexed == texts == COUNT - drop_one
