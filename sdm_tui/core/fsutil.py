"""Safe file reading, writing and locking, with errors people can act on.

`atomic_write` builds nothing itself: it takes finished bytes, writes them to a
temporary file in the same folder (0600), fsyncs, renames into place and
fsyncs the folder, so a crash leaves the old file or the new one, never half.

Every file in the records folder is input, never trusted: `open_regular`,
`read_regular_bytes` and `open_lock_file` never follow a link, never block on
a FIFO, read only regular files and cap the size, raising `UnsafeFileError`
with the reason ("a link", "a FIFO", "too large (3.1 MB; the limit is 2 MB)").
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(Exception):
    """Saving or reading the records folder failed; the message says what to do."""


class UnsafeFileError(OSError):
    """A file that must not be read or written as it is: a link, a FIFO, a device,
    a folder, a file with other names (hard links), or one over the size limit.

    An OSError, so code that already turns OSError into a problem line copes;
    `reason` is short and plain ("a link", "a FIFO", "too large (3.1 MB; the
    limit is 2 MB)") and str() is "PATH: is REASON".
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, str(path))
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: is {self.reason}"


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_WILLNEED: int | None = getattr(os, "POSIX_FADV_WILLNEED", None)
_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)
# What open() says for a link (ELOOP; EMLINK on FreeBSD, EFTYPE on some BSDs),
# a FIFO opened for writing with no reader (ENXIO), or a folder (EISDIR).
_REFUSED = {errno.ELOOP, errno.EMLINK, errno.ENXIO, errno.EISDIR, getattr(errno, "EFTYPE", -1)}


def _mb(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} bytes"


def _limit(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000} MB"
    return _mb(size)


def too_large(path: Path | str, size: int, max_bytes: int) -> UnsafeFileError:
    """The error for a file over its limit, e.g. "too large (3.1 MB; the limit is 2 MB)"."""
    return UnsafeFileError(path, f"too large ({_mb(size)}; the limit is {_limit(max_bytes)})")


def kind_of(mode: int) -> str:
    """What a non-regular file is, in plain words ("a link", "a FIFO", ...)."""
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: Path, *, max_bytes: int | None = None, missing_ok: bool = True) -> None:
    """Without opening or following anything: raise UnsafeFileError unless `path` is
    a regular file with one name (and within max_bytes), or missing when missing_ok.

    For files other code opens by name (sqlite); prefer open_regular, which checks
    the file it actually opened.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    _check_info(path, info, max_bytes, single_name=True)


def _check_info(
    path: Path | str, info: os.stat_result, max_bytes: int | None, single_name: bool
) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFileError(path, kind_of(info.st_mode))
    if single_name and info.st_nlink > 1:
        raise UnsafeFileError(path, "a file with other names (a hard link)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise too_large(path, info.st_size, max_bytes)


def open_regular(
    path: Path | str,
    flags: int = os.O_RDONLY,
    max_bytes: int | None = None,
    mode: int = FILE_MODE,
) -> int:
    """Open `path` without following a link and return the descriptor, or raise.

    O_NOFOLLOW refuses a link as the last part of the path, O_NONBLOCK means a
    FIFO never blocks the open, then fstat on what was opened: only a regular
    file (with one name, when opened for writing) within max_bytes is kept.
    Raises UnsafeFileError with the reason, or the OSError (FileNotFoundError...).
    On Windows (no O_NOFOLLOW) the path is lstat-ed first.
    """
    writing = bool(flags & (os.O_WRONLY | os.O_RDWR))
    if not _O_NOFOLLOW:
        with contextlib.suppress(FileNotFoundError):
            _check_info(path, os.lstat(path), None, single_name=False)
    full = flags | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC | _O_NOCTTY | _O_BINARY
    try:
        fd = os.open(path, full, mode)
    except OSError as exc:
        # ELOOP (Linux, macOS) / EMLINK (FreeBSD) for a link; ENXIO for a FIFO
        # opened for writing with no reader. lstat says which it was.
        if exc.errno in _REFUSED:
            try:
                info = os.lstat(path)
            except OSError:
                raise exc from None
            if not stat.S_ISREG(info.st_mode):
                raise UnsafeFileError(path, kind_of(info.st_mode)) from None
        raise
    try:
        _check_info(path, os.fstat(fd), max_bytes, single_name=writing)
        if _O_NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_bytes(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of a regular file, never following a link or blocking on a FIFO,
    at most max_bytes (a file that grows past it while read is still too large)."""
    fd = open_regular(path, os.O_RDONLY, max_bytes)
    try:
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise too_large(path, os.fstat(fd).st_size, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_small_regular(path: Path | str, max_bytes: int) -> tuple[int, int] | None:
    """(descriptor, size) of a regular file within max_bytes, opened for reading; None
    for anything else (a link, FIFO, device, folder, too large, gone). No error raised.

    The quick form of open_regular for code that looks at every file and only skips
    what it cannot use (the index readers' read-ahead, the background check): no link
    followed, a FIFO never blocks, fstat on what was opened. The caller closes it.
    """
    try:
        if not _O_NOFOLLOW and not stat.S_ISREG(os.lstat(path).st_mode):
            return None  # Windows: no O_NOFOLLOW
        flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC | _O_BINARY
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        os.close(fd)
        return None
    return fd, info.st_size


def warm(path: str, max_bytes: int) -> None:
    """Read a regular file within max_bytes into the OS's cache, and nothing else
    (open_small_regular); errors ignored: whoever reads it next says.

    For reading ahead in a thread: on a cold cache, reading many small files waits on
    the disk for each; a few threads reading ahead hide most of that wait.
    """
    opened = open_small_regular(path, max_bytes)
    if opened is None:
        return
    fd, size = opened
    try:
        if _WILLNEED is not None:  # the kernel reads it, nothing copied here
            os.posix_fadvise(fd, 0, size, _WILLNEED)
        else:
            os.read(fd, size)
    except OSError:
        pass
    finally:
        os.close(fd)


def in_cache(path: str, max_bytes: int) -> bool:
    """True if the start of this regular file is in the OS's cache (Linux: a read that
    must not wait for the disk); False if it is not, or where that cannot be asked."""
    opened = open_small_regular(path, max_bytes) if _NOWAIT is not None else None
    if opened is None or _NOWAIT is None:
        return False
    fd, _ = opened
    try:
        return os.preadv(fd, [bytearray(1)], 0, _NOWAIT) >= 0
    except OSError:  # BlockingIOError: not in the cache; EOPNOTSUPP...
        return False
    finally:
        os.close(fd)


def open_lock_file(path: Path) -> int:
    """Open (creating, 0600) a lock file for reading and writing, never through a
    link, a FIFO or a hard link to another file. Raises UnsafeFileError or OSError."""
    return open_regular(path, os.O_RDWR | os.O_CREAT, max_bytes=4096)


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
    # O_EXCL | O_NOFOLLOW: a planted link (or anything else) under the temp name
    # is never written through. One left by a killed process with this pid is
    # removed (the name, never what it points at) and the open tried once more.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY
    try:
        fd = os.open(temp, flags, FILE_MODE)
    except FileExistsError:
        os.unlink(temp)
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
                if os.path.lexists(path):
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


def can_write(folder: Path) -> bool:
    """Whether this process can make files in `folder` (tries one, then removes it):
    a read-only folder, a read-only file system or a missing folder all say False."""
    probe = folder / f".write-test.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
    try:
        fd = os.open(probe, flags, FILE_MODE)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(probe)
        return can_write(folder) if not os.path.lexists(probe) else False
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return True


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (True when it cannot be told)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # cannot tell cheaply; callers also look at the file's age
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


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
        fd = open_lock_file(self.path)  # never through a link, FIFO or hard link
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
            same = os.fstat(fd).st_ino == os.lstat(self.path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            return self.acquire()
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def other_holder(self) -> str | None:
        """Without creating, taking for long or changing anything: the process id of
        another process holding this lock ("unknown" if it does not say), "" when no
        one holds it or there is no lock file, None when it cannot be told (a link, a
        FIFO, unreadable). Works in a read-only folder."""
        if self._fd is not None:
            return ""
        try:
            fd = open_regular(self.path, os.O_RDONLY, max_bytes=4096)
        except FileNotFoundError:
            return ""
        except OSError:
            return None
        try:
            if sys.platform == "win32":
                return None  # msvcrt locks need a writable file: use acquire()
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return self.holder()
            except OSError:
                return None
            return ""
        finally:
            os.close(fd)  # also drops the shared lock taken to look

    def holder(self) -> str:
        try:
            text = read_regular_bytes(self.path, 64).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return "unknown"
        return text if text.isdigit() else "unknown"

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
