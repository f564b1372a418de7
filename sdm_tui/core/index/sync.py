"""Catching up with the folder: read new and changed files, drop removed ones."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator

from sdm_tui.core.index.connections import Connections
from sdm_tui.core.index.pool import read_in_processes
from sdm_tui.core.index.reading import read_batch
from sdm_tui.core.index.rows import Changes
from sdm_tui.core.index.schema import (
    BULK,
    COLUMNS,
    WORDS_UPTO,
    FileRow,
    deferred_statements,
    is_damage,
    summaries_from_records,
)
from sdm_tui.core.index.seal import seal_of
from sdm_tui.core.index.walk import files_in, months, span

BATCH = 500  # files read and written per transaction
POOL_THRESHOLD = 2000  # read this many files or more with worker processes
BULK_FROM = 2000  # a build from nothing of this many files: schema.DEFERRED at its end,
WORDS_CHUNK = 10_000  # and its words in chunks of this many records as read (~0.2 s each)
TRUST_AFTER_NS = 2_000_000_000  # a folder's mtime is trusted once it is this old (coarse clocks)


class Sync(Connections):
    """refresh(): the index catches up with the record files."""

    def refresh(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        workers: int | None = None,
        full: bool = False,
    ) -> Changes:
        """Catch up with the folder: read new and changed files, drop removed ones.

        Safe from a worker thread (it uses that thread's own connection).
        `progress(done, total)` is called as files are read. `workers`: processes
        to read files with (default: a pool when there are many to read). `full`:
        compare every file's size and mtime, even in month folders that look
        unchanged (what someone asks for when they check the folder themselves).
        """
        start = time.perf_counter()
        rebuilt = self.rebuilt
        self.stale = False
        with self._refresh_lock():
            try:
                added, updated, removed = self._refresh(progress, workers, full)
            except sqlite3.ProgrammingError:
                if self._closed:  # closed (the window went) while refreshing: nothing to do
                    return Changes(0, 0, 0, time.perf_counter() - start, rebuilt)
                # Another thread found damage and started a fresh index: fill that one.
                self.stale = False
                rebuilt = True
                added, updated, removed = self._refresh(progress, workers, full)
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                # Damaged under us (malformed, a table dropped): start again from the files.
                self.recover()
                self.stale = False
                rebuilt = True
                added, updated, removed = self._refresh(progress, workers, full)
        self.rebuilt = False
        return Changes(added, updated, removed, time.perf_counter() - start, rebuilt)

    def _refresh(
        self, progress: Callable[[int, int], None] | None, workers: int | None, full: bool
    ) -> tuple[int, int, int]:
        with self._refresh_connection() as own:
            return self._catch_up(own, progress, workers, full)

    def _catch_up(
        self,
        own: sqlite3.Connection | None,
        progress: Callable[[int, int], None] | None,
        workers: int | None,
        full: bool = False,
    ) -> tuple[int, int, int]:
        with self._use(own) as conn:
            # A build that stopped before its end (under the refresh lock, so no other
            # window is building): index the words, make the indexes it left.
            if conn.execute("SELECT 1 FROM meta WHERE key = ?", (BULK,)).fetchone():
                self._bulk(conn, False)
        stale, updated, removed, folder_state = self._compare(own, full)
        for start in range(0, len(removed), BATCH):
            with self._use(own) as conn:
                self._write(conn, removed[start : start + BATCH], [])
        with self._use(own) as conn:
            # From nothing, many files: FTS5 takes the words in large chunks, not row by
            # row (that cost 6 times as much; text filters use LIKE until the end), and
            # the DEFERRED indexes and summaries are made at the end.
            bulk = len(stale) >= BULK_FROM and not self._any_rows(conn)
            if bulk:
                self._bulk(conn, True)
        words_upto = 0  # a bulk build's texts up to this id have their words in FTS5
        try:
            for done, rows in self._read_all(stale, workers):
                with self._use(own) as conn:
                    self._write(conn, [r[0][0] for r in rows], rows)
                    if bulk and self.fts and done >= words_upto + WORDS_CHUNK:
                        # While the readers read on: the end of the build waits for less.
                        words_upto = self._index_words(conn, words_upto)
                if progress is not None:
                    progress(done, len(stale))
        finally:
            if bulk:
                with self._use(own) as conn:
                    self._bulk(conn, False, words_upto)
        if len(stale) + len(removed) > 1000:
            with self._use(own) as conn:
                conn.execute("ANALYZE")
                if self.fts and not bulk:  # a bulk build's words were indexed in one go
                    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        if folder_state is not None:
            with self._use(own) as conn:
                self._remember(conn, folder_state)
        return len(stale) - updated, updated, len(removed)

    def _compare(
        self, own: sqlite3.Connection | None, full: bool = False
    ) -> tuple[list[tuple[str, int, int]], int, list[str], dict[str, tuple[int, int]] | None]:
        """(files to read, how many changed, paths gone, folders' new state or None if the same).

        A month folder whose own mtime and row count are what they were when
        its files were last compared (and that mtime was then over 2 s old) is
        passed over: adding, removing or renaming a file in it (the store's
        saves are renames) changes its mtime. An edit in place changes only
        the file's, so that is found by the background file check (verify),
        which compares every file's sha256. Other folders are listed and each
        file's size and mtime compared. Newest months are read first.
        """
        stale: list[tuple[str, int, int]] = []
        removed: list[str] = []
        updated = 0
        seen: set[str] = set()
        folder_state: dict[str, tuple[int, int]] = {}
        inside = "SELECT path, size, mtime_ns FROM records WHERE path >= ? AND path < ?"
        counted = "SELECT count(*) FROM records WHERE path >= ? AND path < ?"
        with self._use(own) as conn:
            before = {f: (m, n) for f, m, n in conn.execute("SELECT * FROM folders")}
            trusted_before = time.time_ns() - TRUST_AFTER_NS
            for folder, path, mtime_ns in months(self.root):
                seen.add(folder)
                last = before.get(folder)
                if (
                    not full
                    and last is not None
                    and last[0] == mtime_ns != -1
                    and conn.execute(counted, span(folder)).fetchone()[0] == last[1]
                ):
                    folder_state[folder] = last
                    continue
                files = files_in(folder, path)
                if files is None:
                    continue
                # Paths in the folder sort between "folder/" and "folder0" ("0" follows "/").
                known = {p: (size, mtime) for p, size, mtime in conn.execute(inside, span(folder))}
                for item in files:
                    was = known.pop(item[0], None)
                    if was is None:
                        stale.append(item)
                    elif was != item[1:]:
                        stale.append(item)
                        updated += 1
                removed.extend(known)
                trusted = mtime_ns if mtime_ns < trusted_before else -1
                folder_state[folder] = (trusted, len(files))
            # Folders the index knows that are gone: hop from one folder to the next.
            after = ""
            while True:
                first = conn.execute(
                    "SELECT path FROM records WHERE path >= ? ORDER BY path LIMIT 1", (after,)
                ).fetchone()
                if first is None:
                    break
                folder = first[0].rsplit("/", 1)[0]
                if folder not in seen:
                    removed.extend(p for p, _, _ in conn.execute(inside, span(folder)))
                after = span(folder)[1]
        # Newest first (the month, then the date in the file name), so the list's
        # first page is right early while a large folder is read.
        stale.sort(key=lambda item: item[0].split("/", 1)[-1], reverse=True)
        return stale, updated, removed, (None if folder_state == before else folder_state)

    @staticmethod
    def _any_rows(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM records LIMIT 1").fetchone() is not None

    def _index_words(self, conn: sqlite3.Connection, after: int) -> int:
        """A bulk build's words of texts after id `after`, into FTS5; the last id done."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = conn.execute("SELECT coalesce(max(id), 0) FROM texts").fetchone()[0]
            conn.execute(
                "INSERT INTO fts (rowid, body) SELECT id, body FROM texts WHERE id > ? AND id <= ?",
                (after, last),
            )
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(last), WORDS_UPTO))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return int(last)

    def _bulk(self, conn: sqlite3.Connection, start: bool, words_upto: int = 0) -> None:
        """Start a build from nothing (schema.BULK), or finish one: the words not yet
        indexed (texts after id `words_upto`), the DEFERRED indexes and triggers, and
        the clinic summaries."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            if start:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (BULK,))
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, '0')", (WORDS_UPTO,)
                )
                for name, statement in deferred_statements(self.fts):
                    kind = "INDEX" if statement.startswith("CREATE INDEX") else "TRIGGER"
                    conn.execute(f"DROP {kind} IF EXISTS {name}")
            else:
                there = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                for name, statement in deferred_statements(self.fts):
                    if name not in there:
                        conn.execute(statement)
                for statement in summaries_from_records():
                    conn.execute(statement)
                if self.fts and words_upto:  # the words of the texts after the chunks
                    conn.execute(
                        "INSERT INTO fts (rowid, body) SELECT id, body FROM texts WHERE id > ?",
                        (words_upto,),
                    )
                elif self.fts:  # all at once (a build that stopped is finished this way)
                    conn.execute("INSERT INTO fts (fts) VALUES ('rebuild')")
                conn.execute("DELETE FROM meta WHERE key IN (?, ?)", (BULK, WORDS_UPTO))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        finally:
            self._generation += 1

    def _remember(self, conn: sqlite3.Connection, folder_state: dict[str, tuple[int, int]]) -> None:
        """Each folder's mtime and file count, once all its files are in the index."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM folders")
            conn.executemany(
                "INSERT INTO folders (folder, mtime_ns, files) VALUES (?, ?, ?)",
                [(f, m, n) for f, (m, n) in folder_state.items()],
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _read_all(
        self, items: list[tuple[str, int, int]], workers: int | None
    ) -> Iterator[tuple[int, list[FileRow]]]:
        """Read files in batches, in worker processes when there are many; yields (done, rows)."""
        root = str(self.root)
        if workers is None:
            workers = (os.cpu_count() or 1) if len(items) >= POOL_THRESHOLD else 1
        workers = max(1, min(workers, len(items) // 50))  # a process costs ~0.3 s to start
        # With workers, a few batches each so progress keeps moving.
        size = BATCH if workers <= 1 else max(50, min(BATCH, -(-len(items) // (workers * 4))))
        done = 0
        if workers > 1 and sys.executable:
            try:
                for rows in read_in_processes(root, items, workers, size):
                    done += len(rows)
                    yield done, rows
                return
            except OSError:
                if done:
                    raise
        for start in range(0, len(items), size):
            rows = read_batch(root, items[start : start + size])
            done += len(rows)
            yield done, rows

    def _write(
        self, conn: sqlite3.Connection, drop: list[str], rows: list[FileRow], flag: str = ""
    ) -> None:
        """Drop rows by path and insert `rows`, sealed; `flag` marks rows found changed."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM records WHERE path = ?", [(p,) for p in drop])
            insert = (
                f"INSERT INTO records (id, {', '.join(COLUMNS)}, seal, flag) "
                f"VALUES ({', '.join('?' * (len(COLUMNS) + 3))})"
            )
            # The ids SQLite would give (the largest + 1), given here so each table takes
            # its rows in one call (a call a row cost a fifth of a build's own time).
            first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM records").fetchone()[0]
            conn.executemany(
                insert,
                [
                    (first + n, *values, seal_of(values, body), flag)
                    for n, (values, body) in enumerate(rows)
                ],
            )
            conn.executemany(
                "INSERT INTO texts (id, body) VALUES (?, ?)",
                [(first + n, body) for n, (_, body) in enumerate(rows)],
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        finally:
            self._generation += 1
