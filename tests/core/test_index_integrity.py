"""The index never trusts what it cannot check (issue 13, items 1 and 5).

Planted links and special files are never followed or written through; a file
changed with its time restored, or a row forged in index.sqlite3, is found by
the background check and flagged; any damage to the index means rebuild.
Synthetic training records only (references SYN-...), everyone invented.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import INDEX_NAME, LOCK_NAME, MODES, Filters, RecordIndex
from sdm_tui.core.index.reading import read_record
from sdm_tui.core.synth import write_synthetic

COUNT = 30
ALL = Filters(modes=MODES)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("integrity") / "records"
    assert write_synthetic(root, COUNT, 7, dict(load_catalog().grids)) == COUNT
    return root


@pytest.fixture
def folder(archive: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    for path in archive.rglob("*"):
        if path.name.startswith(INDEX_NAME):
            continue
        target = copy / path.relative_to(archive)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            os.utime(target, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    return copy


def other_database(path: Path) -> Path:
    """Another program's SQLite file, with a table and a row, mode 0644."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE precious (x TEXT)")
    conn.execute("INSERT INTO precious VALUES ('keep me')")
    conn.commit()
    conn.close()
    path.chmod(0o644)
    return path


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode


def a_record(folder: Path) -> Path:
    return sorted(folder.glob("training/*/*.toml"))[0]


# Item 1: links and special files ---------------------------------------------------


def test_a_linked_index_file_is_never_written_through(folder: Path, tmp_path: Path) -> None:
    other = other_database(tmp_path / "other.sqlite3")
    before = fingerprint(other)
    (folder / INDEX_NAME).symlink_to(other)
    with RecordIndex.open(folder) as index:
        assert index.db_path is not None and index.rebuilt
        assert index.refresh().added == COUNT
        assert index.count(ALL) == COUNT
    assert fingerprint(other) == before
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT x FROM precious").fetchall() == [("keep me",)]
    conn.close()
    made = folder / INDEX_NAME
    assert not made.is_symlink() and made.is_file()
    assert made.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_linked_sqlite_side_file_is_never_written_through(
    folder: Path, tmp_path: Path, suffix: str
) -> None:
    other = other_database(tmp_path / "other.sqlite3")
    before = fingerprint(other)
    with RecordIndex.open(folder) as index:
        index.refresh()
    (folder / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    (folder / f"{INDEX_NAME}{suffix}").symlink_to(other)
    with RecordIndex.open(folder) as index:
        index.refresh()
        assert index.count(ALL) == COUNT
    assert fingerprint(other) == before


def test_a_hard_linked_index_is_left_to_its_other_name(folder: Path, tmp_path: Path) -> None:
    other = other_database(tmp_path / "other.sqlite3")
    before = fingerprint(other)
    os.link(other, folder / INDEX_NAME)
    with RecordIndex.open(folder) as index:
        index.refresh()
        assert index.count(ALL) == COUNT
    assert fingerprint(other) == before
    assert os.stat(folder / INDEX_NAME).st_ino != os.stat(other).st_ino


def test_a_linked_lock_file_is_never_written_through(folder: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not a process id\n")
    victim.chmod(0o644)
    before = fingerprint(victim)
    (folder / LOCK_NAME).symlink_to(victim)
    with RecordIndex.open(folder) as index:
        assert index.refresh().added == COUNT
    assert fingerprint(victim) == before
    assert not (folder / LOCK_NAME).is_symlink()


def test_links_fifos_and_large_files_are_listed_as_problems(folder: Path, tmp_path: Path) -> None:
    month = a_record(folder).parent
    (month / "2026-01-01_link00000001.toml").symlink_to(a_record(folder))
    (month / "2026-01-01_zero00000001.toml").symlink_to("/dev/zero")
    os.mkfifo(month / "2026-01-01_fifo00000001.toml")
    (month / "2026-01-01_huge00000001.toml").write_bytes(b"#" * 6_000_000)
    done = threading.Event()
    found: dict[str, str] = {}

    def build() -> None:
        with RecordIndex.open(folder) as index:
            index.refresh()
            for row in index.page(ALL, 0, 1000):
                if row.status != "ok":
                    found[row.record_id] = row.problem
        done.set()

    worker = threading.Thread(target=build, daemon=True)
    worker.start()
    assert done.wait(60), "the index build hung on a special file"
    assert set(found) == {"link00000001", "zero00000001", "fifo00000001", "huge00000001"}
    assert "is a link" in found["link00000001"]
    assert "is a link" in found["zero00000001"]
    assert "is a FIFO" in found["fifo00000001"]
    assert "too large" in found["huge00000001"]


def test_a_linked_month_folder_is_not_walked(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2026-01-01_else00000001.toml").write_bytes(a_record(folder).read_bytes())
    (folder / "training" / "2026-01-link").symlink_to(elsewhere)
    with RecordIndex.open(folder) as index:
        index.refresh()
        assert index.count(ALL) == COUNT


# Item 5: the index never shows what the files do not say ----------------------------


def change_one_byte_keep_time(path: Path) -> None:
    info = path.stat()
    data = bytearray(path.read_bytes())
    at = data.index(b"SYN-") + 4
    data[at] = ord("7") if data[at] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size


def test_rows_hold_the_files_sha256(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        for row in index.page(ALL, 0, 100):
            data = (folder / row.path).read_bytes()
            assert row.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("process", [True, False])
def test_a_byte_changed_with_its_time_restored_is_flagged(folder: Path, process: bool) -> None:
    path = a_record(folder)
    with RecordIndex.open(folder) as index:
        index.refresh()
        change_one_byte_keep_time(path)
        assert index.refresh().updated == 0  # size and time cannot see it
        result = index.verify(pause=0, process=process)
        assert (result.checked, result.changed) == (COUNT, 1)
        rel = path.relative_to(folder).as_posix()
        [row] = [r for r in index.page(ALL, 0, 100) if r.path == rel]
        assert row.flag == "changed"
        assert row.status == "integrity"  # read again: the record's own hash fails
        assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert index.flagged() == 1
        # Checked again, nothing more is found.
        assert index.verify(pause=0, process=process).changed == 0


@pytest.mark.parametrize("process", [True, False])
def test_a_forged_row_is_found_and_read_again(folder: Path, process: bool) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        first = index.page(ALL, 0, 1)[0]
    conn = sqlite3.connect(folder / INDEX_NAME)
    conn.execute(
        "UPDATE records SET outcome = 'chosen', option = 'Forged' WHERE path = ?", (first.path,)
    )
    conn.commit()
    conn.close()
    with RecordIndex.open(folder) as index:
        assert index.get(first.record_id).option == "Forged"  # type: ignore[union-attr]
        assert index.verify(pause=0, process=process).changed == 1
        row = index.get(first.record_id)
        assert row is not None and row.flag == "changed"
        assert row.option == first.option and row.outcome == first.outcome


def test_opening_a_record_checks_its_hash(folder: Path) -> None:
    path = a_record(folder)
    rel = path.relative_to(folder).as_posix()
    with RecordIndex.open(folder) as index:
        index.refresh()
        _, digest = read_record(path)
        assert index.check_file(rel, digest)
        change_one_byte_keep_time(path)
        changed = hashlib.sha256(path.read_bytes()).hexdigest()
        assert not index.check_file(rel, changed)
        [row] = [r for r in index.page(ALL, 0, 100) if r.path == rel]
        assert row.flag == "changed" and row.sha256 == changed
        assert index.check_file(rel, changed)


def test_verify_stops_when_asked(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        calls: list[int] = []
        result = index.verify(
            lambda done, total: calls.append(done),
            stop=lambda: len(calls) >= 1,
            batch=10,
            pause=0,
            process=False,
        )
        assert result.stopped and result.checked == 10
        assert calls == [10]


def test_an_index_in_memory_is_checked_in_the_thread(folder: Path) -> None:
    with RecordIndex._in_memory(folder, "") as index:
        index.refresh()
        path = a_record(folder)
        change_one_byte_keep_time(path)
        assert index.verify(pause=0).changed == 1


def test_a_checker_that_fails_leaves_the_check_to_the_thread(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sdm_tui.core.index import seal

    broken = folder.parent / "broken.py"
    broken.write_text("import sys; sys.exit(3)\n")
    monkeypatch.setattr(seal, "__file__", str(broken))
    with RecordIndex.open(folder) as index:
        index.refresh()
        change_one_byte_keep_time(a_record(folder))
        result = index.verify(pause=0)
        assert (result.checked, result.changed) == (COUNT, 1)


def test_the_checker_process_imports_no_models(tmp_path: Path) -> None:
    """seal.py starts quickly: the fsutil primitives only, no pydantic or record models."""
    import subprocess
    import sys

    from sdm_tui.core.index import seal

    code = (
        f"import runpy, sys; sys.argv = [{seal.__file__!r}]; "
        "sys.stdin = open(0); "
        "import sdm_tui; "
        f"runpy.run_path({seal.__file__!r}, run_name='seal'); "
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'sdm_tui.core.record'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, input="", check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "damage",
    [
        "DROP TABLE texts",
        "DROP TABLE records",
        "DROP TABLE fts",
        "DROP INDEX records_mode",
        "DROP TABLE meta",
    ],
)
def test_a_damaged_index_is_rebuilt_when_opened(folder: Path, damage: str) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
    conn = sqlite3.connect(folder / INDEX_NAME)
    conn.execute(damage)
    conn.commit()
    conn.close()
    with RecordIndex.open(folder) as index:
        assert index.rebuilt
        index.refresh()
        assert index.count(Filters(text="syn", modes=MODES)) == COUNT


@pytest.mark.parametrize("damage", ["DROP TABLE fts", "DROP TABLE records", "DROP TABLE meta"])
def test_damage_while_open_means_rebuild_not_a_crash(folder: Path, damage: str) -> None:
    words = Filters(text="syn", modes=MODES)
    with RecordIndex.open(folder) as index:
        index.refresh()
        conn = sqlite3.connect(folder / INDEX_NAME)
        conn.execute(damage)
        conn.commit()
        conn.close()
        found = index.count(words)
        if found == 0:  # rebuilt, empty until refreshed
            assert index.stale and index.rebuilt
        else:  # the words were found without the damaged part (LIKE instead of FTS5)
            assert found == COUNT
        index.refresh()
        assert not index.stale
        assert index.count(words) == COUNT
        assert len(index.page(ALL, 0, 100)) == COUNT


def test_damage_found_by_refresh_means_rebuild(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        conn = sqlite3.connect(folder / INDEX_NAME)
        conn.execute("DROP TABLE texts")
        conn.commit()
        conn.close()
        (a_record(folder)).touch()  # something for the refresh to write
        assert index.refresh().rebuilt
        assert index.count(ALL) == COUNT


def test_a_file_that_is_not_a_database_is_rebuilt(folder: Path) -> None:
    (folder / INDEX_NAME).write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    with RecordIndex.open(folder) as index:
        index.refresh()
        assert index.count(ALL) == COUNT


def test_index_text_is_cleaned_before_it_is_shown(folder: Path) -> None:
    with RecordIndex.open(folder) as index:
        index.refresh()
        first = index.page(ALL, 0, 1)[0]
    conn = sqlite3.connect(folder / INDEX_NAME)
    conn.execute(
        "UPDATE records SET status = 'unreadable', problem = ?, grid_title = ? WHERE path = ?",
        ("bad\x1b]0;owned\x07 \x1b[31mred\x07", "Title\x1b[2J\u202e", first.path),
    )
    conn.commit()
    conn.close()
    with RecordIndex.open(folder) as index:
        row = index.get(first.record_id)
        assert row is not None
        for value in (row.problem, row.grid_title):
            assert "\x1b" not in value and "\x07" not in value and "\u202e" not in value
        assert row.problem.endswith("bad red")


def test_an_odd_file_name_still_opens_and_is_shown_cleaned(folder: Path) -> None:
    from sdm_tui.ui.screens.review_rows import row_text

    path = a_record(folder)
    odd = path.with_name("2026-01-01_odd\u202e\x1b[2Jname.toml")
    path.rename(odd)
    with RecordIndex.open(folder) as index:
        index.refresh()
        [row] = [r for r in index.page(ALL, 0, 100) if "odd" in r.path]
        assert (folder / row.path).is_file()  # the path opens the file
        _, digest = read_record(folder / row.path)
        assert index.check_file(row.path, digest)
        shown = row_text(row, 200, date(2026, 1, 1)).plain
        assert "\x1b" not in shown and "\u202e" not in shown
