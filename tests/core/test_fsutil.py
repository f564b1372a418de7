"""Atomic writes, private folders and draft locks (sdm_tui.core.fsutil).

Tests run as root, so read-only folders and full disks are simulated by
swapping the `os` that fsutil uses for one whose calls fail with the right
errno. Only fsutil sees the failing calls; the rest of the process is untouched.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from sdm_tui.core import fsutil
from sdm_tui.core.fsutil import (
    FileLock,
    StoreError,
    UnsafeFileError,
    atomic_write,
    check_regular,
    explain,
    make_dir,
    open_lock_file,
    open_regular,
    read_regular_bytes,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def failing_os(monkeypatch: pytest.MonkeyPatch, **calls: Callable) -> None:
    """Give fsutil an `os` whose named functions are replaced by `calls`."""
    fake = types.ModuleType("os")
    fake.__dict__.update(os.__dict__)
    fake.__dict__.update(calls)
    monkeypatch.setattr(fsutil, "os", fake)


def raiser(code: int) -> Callable:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


# atomic_write ----------------------------------------------------------------


@posix_only
def test_atomic_write_creates_private_file(tmp_path: Path) -> None:
    target = tmp_path / "record.toml"
    atomic_write(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path) == []


@posix_only
def test_atomic_write_replacing_a_world_readable_file_makes_it_private(tmp_path: Path) -> None:
    target = tmp_path / "record.toml"
    target.write_bytes(b"old")
    target.chmod(0o644)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode_of(target) == 0o600


def test_atomic_write_replaces_by_default(tmp_path: Path) -> None:
    target = tmp_path / "draft.toml"
    atomic_write(target, b"first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert leftovers(tmp_path) == []


def test_atomic_write_writes_large_data_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB: more than one os.write may take
    target = tmp_path / "big.bin"
    atomic_write(target, data)
    assert target.read_bytes() == data


def test_replace_false_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "2026-11-02_test0000000a.toml"
    atomic_write(target, b"first", replace=False)
    with pytest.raises(StoreError) as caught:
        atomic_write(target, b"second", replace=False)
    message = str(caught.value)
    assert str(target) in message
    assert "never overwritten" in message
    assert target.read_bytes() == b"first"
    assert leftovers(tmp_path) == []  # the refused temp file is cleaned up too


def test_replace_false_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File systems without hard links (some network shares) still never overwrite."""
    failing_os(monkeypatch, link=raiser(errno.EPERM))
    target = tmp_path / "record.toml"
    atomic_write(target, b"first", replace=False)
    assert target.read_bytes() == b"first"
    with pytest.raises(StoreError, match="never overwritten"):
        atomic_write(target, b"second", replace=False)
    assert target.read_bytes() == b"first"
    assert leftovers(tmp_path) == []


def test_failure_mid_write_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "draft.toml"
    atomic_write(target, b"old content")
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    failing_os(monkeypatch, write=half_then_full)
    with pytest.raises(StoreError) as caught:
        atomic_write(target, b"new content that will not fit")
    assert len(calls) == 2  # a short write was carried on, then the disk filled
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "disk is full" in message
    assert "free some space" in message and "another folder" in message
    assert target.read_bytes() == b"old content"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("call", ["open", "write", "fsync", "replace"])
def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    target = tmp_path / "draft.toml"
    atomic_write(target, b"old")
    failing_os(monkeypatch, **{call: raiser(errno.EROFS)})
    with pytest.raises(StoreError) as caught:
        atomic_write(target, b"new")
    message = str(caught.value)
    assert f"Could not save to {tmp_path}:" in message
    assert "read-only" in message
    assert "save to another folder" in message
    assert "Nothing was lost" in message
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    target = tmp_path / "new.toml"
    failing_os(monkeypatch, **{call: raiser(errno.ENOSPC)})
    with pytest.raises(StoreError, match="the disk is full"):
        atomic_write(target, b"data", replace=False)
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        atomic_write(tmp_path / "nowhere" / "x.toml", b"data")
    assert str(tmp_path / "nowhere") in str(caught.value)


def test_interrupt_mid_write_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int, data: bytes) -> int:
        raise KeyboardInterrupt

    target = tmp_path / "draft.toml"
    atomic_write(target, b"old")
    failing_os(monkeypatch, write=interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_explain_other_errors_name_folder_and_reason(tmp_path: Path) -> None:
    message = explain(OSError(errno.EIO, "Input/output error"), tmp_path)
    assert str(tmp_path) in message
    assert "Input/output error" in message
    assert "save elsewhere" in message
    quota = explain(OSError(errno.EDQUOT, "quota"), tmp_path)
    assert "disk is full" in quota


# make_dir ----------------------------------------------------------------------


@posix_only
def test_make_dir_is_private_with_parents(tmp_path: Path) -> None:
    leaf = tmp_path / "a" / "b" / "c"
    make_dir(leaf)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", leaf):
        assert folder.is_dir()
        assert mode_of(folder) == 0o700, folder
    make_dir(leaf)  # again: no error
    assert mode_of(leaf) == 0o700


@posix_only
def test_make_dir_narrows_an_open_folder_but_not_its_parent(tmp_path: Path) -> None:
    parent = tmp_path / "shared"
    parent.mkdir(mode=0o755)
    parent.chmod(0o755)
    folder = parent / "records"
    folder.mkdir()
    folder.chmod(0o777)
    make_dir(folder)
    assert mode_of(folder) == 0o700
    assert mode_of(parent) == 0o755


def test_make_dir_on_a_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "records"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=str(blocker)):
        make_dir(blocker)
    with pytest.raises(StoreError):
        make_dir(blocker / "drafts")


def test_make_dir_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(StoreError) as caught:
        make_dir(tmp_path / "records")
    assert str(tmp_path / "records") in str(caught.value)
    assert "read-only" in str(caught.value)


# FileLock ----------------------------------------------------------------------


def test_lock_conflicts_between_two_locks_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "draft.lock"
    first, second = FileLock(path), FileLock(path)
    assert first.acquire()
    assert first.held
    assert first.acquire()  # taking it again is a no-op
    assert not second.acquire()
    assert not second.held
    assert second.holder() == str(os.getpid())
    first.release()
    assert not first.held
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_lock_release_can_remove_the_file(tmp_path: Path) -> None:
    path = tmp_path / "draft.lock"
    lock = FileLock(path)
    assert lock.acquire()
    assert path.exists()
    lock.release(remove=True)
    assert not path.exists()
    lock.release()  # releasing twice is harmless
    assert FileLock(path).acquire()


def test_lock_release_when_the_file_cannot_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock file that cannot be deleted (read-only folder, Windows) still lets go."""
    path = tmp_path / "draft.lock"
    lock = FileLock(path)
    assert lock.acquire()

    def cannot(self: Path, missing_ok: bool = False) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "unlink", cannot)
    lock.release(remove=True)
    assert not lock.held
    assert FileLock(path).acquire()


def test_lock_holder_unknown_without_file(tmp_path: Path) -> None:
    assert FileLock(tmp_path / "none.lock").holder() == "unknown"


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_lock_of_a_killed_process_is_free(tmp_path: Path) -> None:
    path = tmp_path / "draft.lock"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sdm_tui.core.fsutil import FileLock\n"
        f"lock = FileLock(Path({str(path)!r}))\n"
        "assert lock.acquire()\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        mine = FileLock(path)
        assert not mine.acquire()
        assert mine.holder() == str(child.pid)
        child.kill()
        child.wait(timeout=10)
        assert mine.acquire()
        assert mine.holder() == str(os.getpid())
        mine.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()


# Hostile files: links, FIFOs, devices, hard links, huge files -------------------


@posix_only
def test_read_regular_bytes_refuses_a_link(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    target.write_bytes(b"not yours")
    link = tmp_path / "record.toml"
    link.symlink_to(target)
    with pytest.raises(UnsafeFileError) as caught:
        read_regular_bytes(link, 1000)
    assert caught.value.reason == "a link"
    assert str(caught.value) == f"{link}: is a link"


@posix_only
def test_read_regular_bytes_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "record.toml"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeFileError) as caught:
        read_regular_bytes(fifo, 1000)
    assert caught.value.reason == "a FIFO"


@posix_only
def test_read_regular_bytes_refuses_a_link_to_a_device(tmp_path: Path) -> None:
    link = tmp_path / "record.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(UnsafeFileError, match="a link"):
        read_regular_bytes(link, 1000)


def test_read_regular_bytes_caps_the_size(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 3_100_000)
    with pytest.raises(UnsafeFileError) as caught:
        read_regular_bytes(big, 2_000_000)
    assert caught.value.reason == "too large (3.1 MB; the limit is 2 MB)"
    assert read_regular_bytes(big, 3_100_000) == b"#" * 3_100_000


def test_read_regular_bytes_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="a folder"):
        read_regular_bytes(tmp_path, 1000)


def test_read_regular_bytes_missing_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular_bytes(tmp_path / "none.toml", 1000)


@posix_only
def test_open_regular_for_writing_refuses_a_hard_link(tmp_path: Path) -> None:
    target = tmp_path / "other.txt"
    target.write_bytes(b"keep")
    os.link(target, tmp_path / "x.lock")
    with pytest.raises(UnsafeFileError, match="other names"):
        open_regular(tmp_path / "x.lock", os.O_RDWR)
    fd = open_regular(target, os.O_RDONLY)  # reading a file with two names is fine
    os.close(fd)


@posix_only
def test_open_lock_file_creates_private_file_and_refuses_links(tmp_path: Path) -> None:
    fd = open_lock_file(tmp_path / "a.lock")
    os.close(fd)
    assert mode_of(tmp_path / "a.lock") == 0o600
    (tmp_path / "b.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeFileError, match="a link"):
        open_lock_file(tmp_path / "b.lock")
    assert not (tmp_path / "elsewhere").exists()  # a dangling link is not followed either


@posix_only
def test_check_regular_without_opening(tmp_path: Path) -> None:
    check_regular(tmp_path / "missing.sqlite3")  # missing is fine
    (tmp_path / "db").write_bytes(b"x")
    check_regular(tmp_path / "db")
    (tmp_path / "link").symlink_to(tmp_path / "db")
    with pytest.raises(UnsafeFileError, match="a link"):
        check_regular(tmp_path / "link")
    with pytest.raises(FileNotFoundError):
        check_regular(tmp_path / "missing", missing_ok=False)


@posix_only
def test_file_lock_through_a_planted_link_never_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    link = tmp_path / "draft.lock"
    link.symlink_to(target)
    lock = FileLock(link)
    with pytest.raises(UnsafeFileError):
        lock.acquire()
    assert target.read_bytes() == b"precious"
    assert lock.holder() == "unknown"


@posix_only
def test_atomic_write_never_writes_through_a_planted_temp_link(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    path = tmp_path / "draft.toml"
    (tmp_path / f".draft.toml.{os.getpid()}.tmp").symlink_to(target)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert target.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


@posix_only
def test_atomic_write_replaces_a_planted_link_not_its_target(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    path = tmp_path / "draft.toml"
    path.symlink_to(target)
    atomic_write(path, b"new")
    assert not path.is_symlink() and path.read_bytes() == b"new"
    assert target.read_bytes() == b"precious"
    dangling = tmp_path / "record.toml"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="never overwritten"):
        atomic_write(dangling, b"x", replace=False)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_reading_ahead_never_blocks_on_a_fifo_nor_follows_a_link(tmp_path: Path) -> None:
    """fsutil.warm and fsutil.in_cache (the index readers' read-ahead): a regular file is
    read into the cache; a FIFO, a link, a folder or a missing file are left alone."""
    record_file = tmp_path / "2026-01-01_aaaaaaaaaaaa.toml"
    record_file.write_bytes(b"x = 1\n" * 100)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # a blocking open would hang this test
    link = tmp_path / "link.toml"
    link.symlink_to(record_file)
    for path in (record_file, fifo, link, tmp_path, tmp_path / "missing.toml"):
        fsutil.warm(str(path), 1 << 20)  # never raises, never blocks
    assert fsutil.in_cache(str(record_file), 1 << 20) == (fsutil._NOWAIT is not None)  # just read
    for path in (fifo, link, tmp_path, tmp_path / "missing.toml"):
        assert not fsutil.in_cache(str(path), 1 << 20)
