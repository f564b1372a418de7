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
from sdm_tui.core.index.schema import COLUMNS, FileRow, is_damage
from sdm_tui.core.index.seal import seal_of
from sdm_tui.core.index.walk import folders, span

BATCH = 500  # files read and written per transaction
POOL_THRESHOLD = 2000  # read this many files or more with worker processes


class Sync(Connections):
    """refresh(): the index catches up with the record files."""

    def refresh(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        workers: int | None = None,
    ) -> Changes:
        """Catch up with the folder: read new and changed files, drop removed ones.

        Safe from a worker thread (it uses that thread's own connection).
        `progress(done, total)` is called as files are read. `workers`: processes
        to read files with (default: a pool when there are many to read).
        """
        start = time.perf_counter()
        rebuilt = self.rebuilt
        self.stale = False
        with self._refresh_lock():
            try:
                added, updated, removed = self._refresh(progress, workers)
            except sqlite3.ProgrammingError:
                if self._closed:  # closed (the window went) while refreshing: nothing to do
                    return Changes(0, 0, 0, time.perf_counter() - start, rebuilt)
                # Another thread found damage and started a fresh index: fill that one.
                self.stale = False
                rebuilt = True
                added, updated, removed = self._refresh(progress, workers)
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                # Damaged under us (malformed, a table dropped): start again from the files.
                self.recover()
                self.stale = False
                rebuilt = True
                added, updated, removed = self._refresh(progress, workers)
        self.rebuilt = False
        return Changes(added, updated, removed, time.perf_counter() - start, rebuilt)

    def _refresh(
        self, progress: Callable[[int, int], None] | None, workers: int | None
    ) -> tuple[int, int, int]:
        with self._refresh_connection() as own:
            return self._catch_up(own, progress, workers)

    def _catch_up(
        self,
        own: sqlite3.Connection | None,
        progress: Callable[[int, int], None] | None,
        workers: int | None,
    ) -> tuple[int, int, int]:
        stale, updated, removed = self._compare(own)
        for start in range(0, len(removed), BATCH):
            with self._use(own) as conn:
                self._write(conn, removed[start : start + BATCH], [])
        for done, rows in self._read_all(stale, workers):
            with self._use(own) as conn:
                self._write(conn, [r[0][0] for r in rows], rows)
            if progress is not None:
                progress(done, len(stale))
        if len(stale) + len(removed) > 1000:
            with self._use(own) as conn:
                conn.execute("ANALYZE")
                if self.fts:
                    conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        return len(stale) - updated, updated, len(removed)

    def _compare(
        self, own: sqlite3.Connection | None
    ) -> tuple[list[tuple[str, int, int]], int, list[str]]:
        """(files to read, how many of them changed, paths gone): one folder at a time.

        Only one folder's rows are in memory at once; every file is stat'ed
        (an edit in place leaves the folder's own mtime alone).
        """
        stale: list[tuple[str, int, int]] = []
        removed: list[str] = []
        updated = 0
        seen: set[str] = set()
        inside = "SELECT path, size, mtime_ns FROM records WHERE path >= ? AND path < ?"
        with self._use(own) as conn:
            for folder, files in folders(self.root):
                seen.add(folder)
                if files is None:
                    continue
                # Paths in the folder sort between "folder/" and "folder0" ("0" follows "/").
                known = {p: (size, mtime) for p, size, mtime in conn.execute(inside, span(folder))}
                for item in files:
                    before = known.pop(item[0], None)
                    if before is None:
                        stale.append(item)
                    elif before != item[1:]:
                        stale.append(item)
                        updated += 1
                removed.extend(known)
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
        return stale, updated, removed

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
                f"INSERT INTO records ({', '.join(COLUMNS)}, seal, flag) "
                f"VALUES ({', '.join('?' * (len(COLUMNS) + 2))})"
            )
            for values, body in rows:
                new_id = conn.execute(insert, (*values, seal_of(values, body), flag)).lastrowid
                conn.execute("INSERT INTO texts (id, body) VALUES (?, ?)", (new_id, body))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        finally:
            self._generation += 1
