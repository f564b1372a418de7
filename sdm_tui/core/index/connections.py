"""Connections and locks: opening the index file, lending connections, one refresh at a time."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar, cast

from sdm_tui.core.fsutil import FileLock, UnsafeFileError, check_regular, open_regular
from sdm_tui.core.index import schema
from sdm_tui.core.text import clean_line

INDEX_NAME = "index.sqlite3"
LOCK_NAME = "index.sqlite3.lock"
BUSY_TIMEOUT_S = 10.0
SUFFIXES = ("", "-wal", "-shm", "-journal")  # the database and SQLite's files beside it


class Connections:
    """Opening (or rebuilding) the index file, and lending SQLite connections.

    Any thread may use it: each call borrows an idle SQLite connection (or
    opens one), so a refresh in a worker thread never blocks the list.
    """

    def __init__(self, root: Path, db_path: Path | None, warning: str = "") -> None:
        self.root = root
        self.db_path = db_path  # None: in memory
        self.warning = warning
        self.rebuilt = False
        self.fts = False
        self._idle: list[sqlite3.Connection] = []  # connections no call is using
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.RLock()  # connection bookkeeping; all access in memory mode
        self._refreshing = threading.Lock()  # one refresh at a time in memory mode
        self._generation = 0  # counts writes, so cached text matches know they are old
        self._matches: dict[sqlite3.Connection, tuple[Any, ...]] = {}  # words in temp.text_match
        self._memory: sqlite3.Connection | None = None
        self._closed = False
        # Set when damage found mid-use made a fresh, empty index: the caller should
        # refresh. Cleared when a refresh starts.
        self.stale = False

    # Opening ------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path) -> Self:
        """Open the folder's index, making or rebuilding it as needed.

        Rebuilt (empty, to be filled by refresh) when missing, corrupt or from
        an older schema; in memory with `.warning` set when the folder cannot
        hold it. Call refresh() to bring it up to date with the files.
        """
        root = Path(root)
        if not root.is_dir():
            return cls._in_memory(root, "")
        db_path = root / INDEX_NAME
        index = cls(root, db_path)
        try:
            index._prepare_file()
        except (OSError, sqlite3.OperationalError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            index.close()
            return cls._in_memory(
                root,
                f"The records index cannot be saved in {clean_line(str(root))} (the folder is "
                "read-only or not yours), so it is kept in memory and built each time; the list "
                "may open slowly.",
            )
        return index

    @classmethod
    def _in_memory(cls, root: Path, warning: str) -> Self:
        index = cls(root, None, warning)
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        index._memory = conn
        index._all.append(conn)
        index.fts = schema.fts5_available(conn)
        schema.create(conn, index.fts)
        index.rebuilt = True
        return index

    def _prepare_file(self) -> None:
        assert self.db_path is not None
        for attempt in range(2):
            try:
                self._ensure_private_file()
                with self._use() as conn:
                    self.fts, rebuilt = schema.check_or_create(conn)
                    self.rebuilt = self.rebuilt or rebuilt
                return
            except (schema.Corrupt, sqlite3.DatabaseError) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and not schema.is_damage(exc):
                    raise  # read-only, locked or cannot open: not damage
                if attempt:
                    raise sqlite3.OperationalError("the index could not be rebuilt") from None
                self._drop_connections()
                self._remove_files()

    def _ensure_private_file(self) -> None:
        """The index file exists, is a regular file of ours, 0600; never a link's target.

        A link, FIFO, device or hard link in the place of the index or of its
        -wal, -shm or -journal is removed (the name, never what it points to)
        and the index is made afresh, so nothing outside it is ever written.
        """
        assert self.db_path is not None
        try:
            self._check_files()
        except UnsafeFileError:
            self._remove_files()
            self.rebuilt = True
        fd = open_regular(self.db_path, os.O_RDWR | os.O_CREAT)
        try:
            if sys.platform != "win32" and os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)

    def _check_files(self) -> None:
        """Raise UnsafeFileError unless the index and SQLite's files are regular (or missing)."""
        assert self.db_path is not None
        for suffix in SUFFIXES:
            check_regular(Path(f"{self.db_path}{suffix}"))

    def _remove_files(self) -> None:
        assert self.db_path is not None
        for suffix in SUFFIXES:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.db_path}{suffix}")  # unlink never follows a link

    def recover(self) -> None:
        """Damage found while in use: start a fresh, empty index; refresh() fills it."""
        with self._guard:
            if self._closed:
                return
            self._drop_connections()
            if self.db_path is None:
                conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                self._memory = conn
                self._all.append(conn)
                schema.create(conn, self.fts)
            else:
                self._remove_files()
                self._prepare_file()
            self.rebuilt = True
            self.stale = True

    # Connections --------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        assert self.db_path is not None
        try:
            self._check_files()  # SQLite opens by name: look first (see SECURITY.md)
        except UnsafeFileError as exc:
            raise sqlite3.DatabaseError(f"the index file is replaced by {exc.reason}") from None
        conn = sqlite3.connect(
            self.db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # a cache: losing the last commit is fine
            conn.execute("PRAGMA temp_store = MEMORY")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        with self._guard:
            self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _use(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """`conn`, else an idle connection (or a new one); in memory, the one under a lock."""
        if self._closed:
            raise sqlite3.ProgrammingError("the records index is closed")
        if self._memory is not None:
            with self._guard:
                yield self._memory
            return
        if conn is not None:
            yield conn
            return
        with self._guard:
            borrowed = self._idle.pop() if self._idle else None
        if borrowed is None:
            borrowed = self._connect()
        try:
            yield borrowed
        finally:
            with self._guard:
                if borrowed in self._all:  # not closed meanwhile
                    self._idle.append(borrowed)

    @contextlib.contextmanager
    def _refresh_connection(self) -> Iterator[sqlite3.Connection | None]:
        """Its own connection for one refresh, closed after (worker threads come and go)."""
        if self._memory is not None:
            yield None
            return
        conn = self._connect()
        try:
            yield conn
        finally:
            with self._guard:
                if conn in self._all:
                    self._all.remove(conn)
                self._matches.pop(conn, None)
            conn.close()

    def _drop_connections(self) -> None:
        with self._guard:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
            self._idle.clear()
            self._matches.clear()

    def close(self) -> None:
        self._drop_connections()
        self._memory = None
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Refresh --------------------------------------------------------------------

    @contextlib.contextmanager
    def _refresh_lock(self) -> Iterator[None]:
        """Only one refresh at a time per folder, across windows (and threads)."""
        if self.db_path is None:
            with self._refreshing:
                yield
            return
        lock: FileLock | None = FileLock(self.root / LOCK_NAME)
        try:
            assert lock is not None
            while not self._acquire(lock):
                time.sleep(0.05)
        except OSError:
            lock = None  # cannot lock: SQLite's own locking still keeps the file whole
        try:
            yield
        finally:
            if lock is not None:
                lock.release()

    def _acquire(self, lock: FileLock) -> bool:
        """Try the lock once; a link or FIFO planted in its place is removed, not followed."""
        try:
            return lock.acquire()
        except UnsafeFileError:
            os.unlink(lock.path)  # the planted name only
            return lock.acquire()


P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=Connections)


def recovering(method: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """Any damage to the index found by `method` means rebuild (and ask again), never a crash."""

    @functools.wraps(method)
    def wrapper(self: C, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if self._closed or not schema.is_damage(exc):
                raise
            self.recover()
            return method(self, *args, **kwargs)

    return cast(Callable[Concatenate[C, P], R], wrapper)
