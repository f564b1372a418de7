"""Safe file writing and locking, with errors people can act on.

`atomic_write` builds nothing itself: it takes finished bytes, writes them to a
temporary file in the same folder (0600), fsyncs, renames into place and
fsyncs the folder, so a crash leaves the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(Exception):
    """Saving or reading the records folder failed; the message says what to do."""


def explain(exc: OSError, path: Path) -> str:
    where = str(path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"Could not save to {where}: the disk is full. Nothing was lost: free some "
            "space, or save to another folder."
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"Could not save to {where}: the folder is read-only or not yours. Nothing "
            "was lost: save to another folder, or ask IT to fix its permissions."
        )
    reason = exc.strerror or type(exc).__name__
    return f"Could not save to {where}: {reason}. Nothing was lost: try again, or save elsewhere."


def make_dir(path: Path) -> None:
    """Create a folder (and any missing parents) that only this user can read.

    Every folder created here is 0700 (Path.mkdir gives missing parents the
    default mode, so each is made in turn); an existing `path` open to others
    is narrowed to 0700, and existing parents are left alone.
    """
    try:
        missing: list[Path] = []
        folder = path
        while not folder.exists() and folder.parent != folder:
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir(mode=DIR_MODE, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(path))
        if sys.platform != "win32":
            for folder in {path, *missing}:
                if folder.stat().st_mode & 0o077:
                    os.chmod(folder, DIR_MODE)
    except OSError as exc:
        raise StoreError(explain(exc, path)) from None


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes, sync: bool = True) -> Path:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return temp


def atomic_write(path: Path, data: bytes, *, replace: bool = True, durable: bool = True) -> None:
    """Write `data` to `path` atomically. With replace=False an existing file is an error.

    durable=False skips both fsyncs: only for files that can be made again
    (synthetic records), never for anything a person recorded.
    """
    temp: Path | None = None
    try:
        temp = _write_temp(path, data, durable)
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise StoreError(f"{path} already exists; records are never overwritten.") from None
            except OSError:  # file systems without hard links
                if path.exists():
                    raise StoreError(
                        f"{path} already exists; records are never overwritten."
                    ) from None
                os.replace(temp, path)
        if durable:
            _fsync_dir(path.parent)
    except OSError as exc:
        raise StoreError(explain(exc, path.parent)) from None
    finally:
        # After os.replace the temp name is gone; otherwise (a hard link was
        # made, or anything failed) it must not be left behind.
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


class FileLock:
    """An advisory lock held while a draft is open, released when the process dies.

    Uses flock on Unix and msvcrt.locking on Windows. The lock file holds the
    process id only, so a message can say which process has it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Try once; True if this process now holds the lock."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        # Someone may have deleted and recreated the file since we opened it.
        try:
            same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            return self.acquire()
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "unknown"
        except (OSError, UnicodeDecodeError):
            return "unknown"

    def release(self, *, remove: bool = False) -> None:
        if self._fd is None:
            return
        # On Unix remove the file while still holding it, so no one can lock the
        # old file just before it goes. Windows cannot delete an open file, so
        # there it goes after closing. Either way a file left behind is harmless.
        unlink_first = sys.platform != "win32"
        if remove and unlink_first:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        os.close(self._fd)  # closing the descriptor releases flock / msvcrt locks
        self._fd = None
        if remove and not unlink_first:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)

    @property
    def held(self) -> bool:
        return self._fd is not None
