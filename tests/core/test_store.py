"""The records folder (sdm_tui.core.store.RecordStore).

Every record here is written under tmp_path and every person is invented.
Read-only folders and full disks are simulated (tests run as root) by giving
fsutil an `os` whose calls fail with the right errno.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import (
    NOW,
    REPO,
    draft_session,
    finished_session,
    load_example_grid,
    subprocess_env,
)

from sdm_tui.core import fsutil, record
from sdm_tui.core import transitions as t
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Mode, Session
from sdm_tui.core.store import (
    ENV_CONTACT,
    ENV_RECORDS,
    RecordStore,
    default_root,
    resolve_root,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
MARKDOWN = "# Your decision summary\n\nWe chose Tablet A.\n"


@pytest.fixture(scope="module")
def grid() -> OptionGrid:
    return load_example_grid()


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path / "records")


@pytest.fixture
def finished(grid: OptionGrid) -> Session:
    return finished_session(grid)


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def temp_files(root: Path) -> list[str]:
    return [name for name in all_files(root) if name.endswith(".tmp")]


def failing_os(monkeypatch: pytest.MonkeyPatch, **calls: Callable) -> None:
    fake = types.ModuleType("os")
    fake.__dict__.update(os.__dict__)
    fake.__dict__.update(calls)
    monkeypatch.setattr(fsutil, "os", fake)


def raiser(code: int) -> Callable:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


# Where the records live -----------------------------------------------------------


def test_resolve_root_prefers_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_RECORDS, str(tmp_path / "from-env"))
    assert resolve_root(tmp_path / "from-cli") == tmp_path / "from-cli"
    assert resolve_root(str(tmp_path / "from-cli")) == tmp_path / "from-cli"


def test_resolve_root_then_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_RECORDS, str(tmp_path / "from-env"))
    assert resolve_root(None) == tmp_path / "from-env"
    assert resolve_root("") == tmp_path / "from-env"


def test_resolve_root_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_root("~/clinic-records") == tmp_path / "clinic-records"


def test_resolve_root_then_the_platform_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_RECORDS, raising=False)
    root = resolve_root(None)
    assert root == default_root()
    assert root.name == "records"
    assert "sdm-tui" in root.parts
    assert not root.exists()  # resolving never creates anything


def test_a_store_creates_nothing_until_it_saves(store: RecordStore) -> None:
    assert store.drafts() == []
    assert list(store.entries()) == []
    assert store.find("test0000000a") is None
    assert not store.root.exists()


@posix_only
def test_ensure_makes_private_folders(store: RecordStore) -> None:
    store.ensure()
    for folder in (store.root, store.drafts_dir):
        assert folder.stat().st_mode & 0o777 == 0o700


# Settings ---------------------------------------------------------------------


def test_clinic_contact(store: RecordStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CONTACT, raising=False)
    assert store.clinic_contact("default line") == "default line"
    store.ensure()
    settings = store.root / "settings.toml"
    settings.write_text('clinic_contact = "Call the test clinic on 0000 000 0000"\n', "utf-8")
    assert store.clinic_contact("default line") == "Call the test clinic on 0000 000 0000"
    monkeypatch.setenv(ENV_CONTACT, "From the environment\x1b[31m")
    assert store.clinic_contact("default line") == "From the environment"


@pytest.mark.parametrize(
    "text",
    ["clinic_contact = \n", 'clinic_contact = ""\n', "clinic_contact = 42\n", "\xff\xfe"],
)
def test_clinic_contact_falls_back_on_bad_settings(
    store: RecordStore, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.delenv(ENV_CONTACT, raising=False)
    store.ensure()
    (store.root / "settings.toml").write_bytes(text.encode("latin-1"))
    assert store.clinic_contact("default line") == "default line"


# Drafts -------------------------------------------------------------------------


def test_draft_round_trip(store: RecordStore, grid: OptionGrid) -> None:
    draft = draft_session(grid)
    path = store.save_draft(draft)
    assert path == store.drafts_dir / "test0000000a.toml"
    infos = store.drafts()
    assert [(d.record_id, d.in_use_by, d.problem) for d in infos] == [("test0000000a", "", "")]
    assert infos[0].session == draft
    assert store.load_draft("test0000000a") == draft
    assert temp_files(store.root) == []


@posix_only
def test_draft_file_is_private(store: RecordStore, grid: OptionGrid) -> None:
    path = store.save_draft(draft_session(grid))
    assert path.stat().st_mode & 0o777 == 0o600


def test_drafts_newest_first(store: RecordStore, grid: OptionGrid) -> None:
    ids = ["aaaa0000000a", "bbbb0000000b", "cccc0000000c"]
    for hours, record_id in zip((2, 0, 1), ids, strict=True):
        session = draft_session(grid, record_id=record_id, now=NOW + timedelta(hours=hours))
        store.save_draft(session)
    assert [d.record_id for d in store.drafts()] == [ids[0], ids[2], ids[1]]


def test_damaged_draft_is_listed_with_its_problem(store: RecordStore, grid: OptionGrid) -> None:
    store.save_draft(draft_session(grid))
    store.ensure()
    (store.drafts_dir / "dddd0000000d.toml").write_text("this is = = not toml", "utf-8")
    infos = store.drafts()
    assert [d.record_id for d in infos] == ["test0000000a", "dddd0000000d"]
    damaged = infos[1]
    assert damaged.session is None
    assert "dddd0000000d.toml" in damaged.problem
    with pytest.raises(record.RecordProblem):
        store.load_draft("dddd0000000d")
    # The failed load let go of its lock, so another window may try.
    other = RecordStore(store.root)
    other.claim_draft("dddd0000000d")
    other.release_draft("dddd0000000d")


def test_discard_draft(store: RecordStore, grid: OptionGrid) -> None:
    store.save_draft(draft_session(grid))
    store.discard_draft("test0000000a")
    assert store.drafts() == []
    assert not (store.drafts_dir / "test0000000a.lock").exists()


def test_listing_drafts_tidies_stale_lock_files(store: RecordStore, grid: OptionGrid) -> None:
    store.save_draft(draft_session(grid))
    store.release_draft("test0000000a")  # as when the window closes; its lock file stays
    lock = store.drafts_dir / "test0000000a.lock"
    assert lock.exists()
    other = RecordStore(store.root)
    assert [d.in_use_by for d in other.drafts()] == [""]
    assert not lock.exists()  # no one held it, so the listing removed it
    assert [d.in_use_by for d in other.drafts()] == [""]  # and creates none


@pytest.fixture
def claimed_elsewhere(store: RecordStore, grid: OptionGrid) -> Iterator[int]:
    """A draft saved here, then claimed by another process that stays running."""
    store.save_draft(draft_session(grid))
    store.release_draft("test0000000a")
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sdm_tui.core.store import RecordStore\n"
        "RecordStore(Path(sys.argv[1])).claim_draft('test0000000a')\n"
        "print('claimed', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(store.root)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=subprocess_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "claimed"
        yield child.pid
    finally:
        child.kill()
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()


def test_draft_claimed_by_another_process(
    store: RecordStore, grid: OptionGrid, claimed_elsewhere: int
) -> None:
    infos = store.drafts()
    assert [(d.record_id, d.in_use_by) for d in infos] == [("test0000000a", str(claimed_elsewhere))]
    assert infos[0].session == draft_session(grid)  # it can still be read, just not taken
    fresh = RecordStore(store.root)
    with pytest.raises(StoreError) as caught:
        fresh.load_draft("test0000000a")
    message = str(caught.value)
    assert "another sdm-tui window" in message
    assert str(claimed_elsewhere) in message
    with pytest.raises(StoreError, match="another sdm-tui window"):
        fresh.save_draft(draft_session(grid))
    # Listing did not take the lock away from the other process.
    assert store.drafts()[0].in_use_by == str(claimed_elsewhere)


def test_draft_is_free_once_the_other_process_has_gone(
    store: RecordStore, grid: OptionGrid
) -> None:
    store.save_draft(draft_session(grid))
    store.release_draft("test0000000a")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from sdm_tui.core.store import RecordStore;"
            "RecordStore(Path(sys.argv[1])).claim_draft('test0000000a'); import os; os._exit(0)",
            str(store.root),
        ],
        check=True,
        cwd=REPO,
        env=subprocess_env(),
        timeout=60,
    )
    assert store.drafts()[0].in_use_by == ""
    assert store.load_draft("test0000000a") == draft_session(grid)


def test_two_stores_in_one_process_exclude_each_other(store: RecordStore, grid: OptionGrid) -> None:
    store.save_draft(draft_session(grid))
    other = RecordStore(store.root)
    with pytest.raises(StoreError, match="another sdm-tui window"):
        other.claim_draft("test0000000a")
    assert store.drafts()[0].in_use_by == ""  # this store holds it: not "in use"
    assert other.drafts()[0].in_use_by == str(os.getpid())


def test_failed_draft_save_keeps_the_old_draft(
    store: RecordStore, grid: OptionGrid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = draft_session(grid)
    path = store.save_draft(first)
    before = path.read_bytes()
    changed = t.rate_importance(first, "p1", "works", 3)
    for code, words in ((errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full")):
        failing_os(monkeypatch, write=raiser(code))
        with pytest.raises(StoreError) as caught:
            store.save_draft(changed)
        message = str(caught.value)
        assert str(store.drafts_dir) in message
        assert words in message
        assert "another folder" in message
        assert path.read_bytes() == before
        assert temp_files(store.root) == []
    monkeypatch.undo()
    # The session in memory is whole: it saves to another folder, and here once fixed.
    elsewhere = RecordStore(tmp_path / "usb-stick")
    saved = elsewhere.save_draft(changed)
    assert record.load(saved) == changed
    store.save_draft(changed)
    assert record.load(path) == changed


# Finished records ---------------------------------------------------------------


def test_save_finished_layout(store: RecordStore, grid: OptionGrid, finished: Session) -> None:
    store.save_draft(draft_session(grid))
    saved = store.save_finished(finished, MARKDOWN)
    assert saved.toml == store.root / "clinical" / "2026-11" / "2026-11-02_test0000000a.toml"
    assert saved.markdown == saved.toml.with_suffix(".md")
    assert saved.markdown_error == ""
    assert record.load(saved.toml) == finished
    assert saved.markdown.read_text("utf-8") == MARKDOWN
    files = all_files(store.root)
    assert files == [
        "clinical/2026-11/2026-11-02_test0000000a.md",
        "clinical/2026-11/2026-11-02_test0000000a.toml",
    ]
    # File names carry only the date and the random id: no label, no reference.
    for name in files:
        stem = Path(name).name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_[0-9a-z]{12}\.(toml|md)", stem)
        assert "TEST" not in name and "Service" not in name and "Dr" not in name
    assert store.drafts() == []


@posix_only
def test_finished_files_and_folders_are_private(store: RecordStore, finished: Session) -> None:
    saved = store.save_finished(finished, MARKDOWN)
    for path in (saved.toml, saved.markdown):
        assert path is not None and path.stat().st_mode & 0o777 == 0o600
    folder = saved.toml.parent
    while folder != store.root.parent:
        assert folder.stat().st_mode & 0o777 == 0o700, folder
        folder = folder.parent


def test_save_finished_never_replaces(store: RecordStore, finished: Session) -> None:
    saved = store.save_finished(finished, MARKDOWN)
    before = saved.toml.read_bytes(), saved.markdown.read_bytes()
    again = finished.model_copy(update={"service_user_ref": "TEST-0002"})
    with pytest.raises(StoreError) as caught:
        store.save_finished(again, "something else")
    assert str(saved.toml) in str(caught.value)
    assert "never overwritten" in str(caught.value)
    assert (saved.toml.read_bytes(), saved.markdown.read_bytes()) == before
    assert temp_files(store.root) == []


def test_save_finished_refuses_a_draft(store: RecordStore, grid: OptionGrid) -> None:
    with pytest.raises(StoreError, match="finished"):
        store.save_finished(draft_session(grid), MARKDOWN)
    assert not store.root.exists()


def test_training_records_go_under_training(store: RecordStore, grid: OptionGrid) -> None:
    session = finished_session(grid, record_id="trng0000000t", mode=Mode.TRAINING)
    saved = store.save_finished(session, MARKDOWN)
    assert saved.toml == store.root / "training" / "2026-11" / "2026-11-02_trng0000000t.toml"
    assert list(store.record_files((Mode.CLINICAL,))) == []
    assert list(store.record_files((Mode.TRAINING,))) == [saved.toml]


def test_summary_failure_keeps_the_record(
    store: RecordStore, grid: OptionGrid, finished: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_draft(draft_session(grid))
    real_open = os.open

    def no_markdown(path: object, *args: object, **kwargs: object) -> int:
        if ".md." in os.fspath(path):  # the summary's temp file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, *args, **kwargs)

    failing_os(monkeypatch, open=no_markdown)
    saved = store.save_finished(finished, MARKDOWN)
    assert saved.markdown is None
    assert "disk is full" in saved.markdown_error
    assert str(saved.toml.parent) in saved.markdown_error
    assert record.load(saved.toml) == finished
    assert not saved.toml.with_suffix(".md").exists()
    assert temp_files(store.root) == []
    assert store.drafts() == []


def test_read_only_folder_keeps_the_draft(
    store: RecordStore,
    grid: OptionGrid,
    finished: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = store.save_draft(draft_session(grid))
    draft_bytes = draft.read_bytes()
    failing_os(monkeypatch, open=raiser(errno.EROFS))
    with pytest.raises(StoreError) as caught:
        store.save_finished(finished, MARKDOWN)
    message = str(caught.value)
    assert str(store.root / "clinical" / "2026-11") in message
    assert "read-only" in message and "save to another folder" in message
    assert draft.read_bytes() == draft_bytes
    assert list(store.record_files()) == []
    assert temp_files(store.root) == []
    monkeypatch.undo()
    # Nothing in memory was lost: the same session saves to another folder.
    saved = RecordStore(tmp_path / "elsewhere").save_finished(finished, MARKDOWN)
    assert record.load(saved.toml) == finished


# Reading records back ------------------------------------------------------------


def test_entries_and_find(store: RecordStore, grid: OptionGrid) -> None:
    first = finished_session(grid, record_id="abcd00000001")
    second = finished_session(grid, record_id="abcd00000002", now=NOW + timedelta(days=40))
    training = finished_session(grid, record_id="zzzz00000003", mode=Mode.TRAINING)
    paths = [store.save_finished(s, MARKDOWN).toml for s in (first, second, training)]
    entries = list(store.entries())
    assert [e.path for e in entries] == paths  # clinical by month, then training
    assert [e.session for e in entries] == [first, second, training]
    assert all(e.problem is None for e in entries)
    assert [e.record_id for e in store.entries((Mode.TRAINING,))] == ["zzzz00000003"]
    assert store.find("abcd00000002") == paths[1]
    assert store.find("  ABCD00000002 ") == paths[1]
    assert store.find("zzzz") == paths[2]  # a unique prefix
    assert store.find("abcd") is None  # two records start with it
    assert store.find("zzz") is None  # too short to be safe
    assert store.find("nope00000000") is None


def test_entries_report_edited_and_truncated_records(store: RecordStore, grid: OptionGrid) -> None:
    store.save_finished(finished_session(grid, record_id="good00000001"), MARKDOWN)
    edited = store.save_finished(finished_session(grid, record_id="edit00000002"), MARKDOWN)
    cut = store.save_finished(finished_session(grid, record_id="trnc00000003"), MARKDOWN)
    text = edited.toml.read_text("utf-8")
    assert text.count("weight = 4\n") == 1
    edited.toml.write_text(text.replace("weight = 4\n", "weight = 3\n"), "utf-8")
    data = cut.toml.read_bytes()
    cut.toml.write_bytes(data[: len(data) // 2])

    entries = {e.record_id: e for e in store.entries()}
    assert set(entries) == {"good00000001", "edit00000002", "trnc00000003"}
    assert entries["good00000001"].problem is None
    bad = entries["edit00000002"]
    assert bad.session is None and bad.problem is not None
    assert bad.problem.kind == "integrity"
    assert str(edited.toml) in str(bad.problem)
    short = entries["trnc00000003"]
    assert short.session is None and short.problem is not None
    assert short.problem.kind in ("unreadable", "integrity", "invalid")
    assert str(cut.toml) in str(short.problem)


def test_entries_skip_summaries_and_temp_files(store: RecordStore, finished: Session) -> None:
    saved = store.save_finished(finished, MARKDOWN)
    (saved.toml.parent / f".{saved.toml.name}.123.tmp").write_text("half", "utf-8")
    (saved.toml.parent / ".hidden.toml").write_text("x", "utf-8")
    (store.root / "clinical" / "stray.toml").write_text("x", "utf-8")
    assert list(store.record_files()) == [saved.toml]
