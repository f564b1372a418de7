"""Checking the index against the files: each file's sha256, each row's seal.

Size and modification time tell `refresh` what to read again, but a file can
change and keep both (bit rot, a backup restored with its times), and a row
can be edited in index.sqlite3 itself. `verify` goes through every row in
small batches, reads each file (never following a link), compares its sha256
with the one indexed and the row with its seal, and reads any that differ
again, marking them flag="changed" so the list says so. `check_file` does the
same for one record as it is opened.

It is meant for a background thread after the list is shown: batches are
small and it sleeps between them, so the list and the filters stay quick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sdm_tui.core.index.connections import recovering
from sdm_tui.core.index.reading import file_digest, read_file, seal_of
from sdm_tui.core.index.schema import COLUMNS, FileRow
from sdm_tui.core.index.sync import Sync

CHECK_BATCH = 100  # files read per step of the background check
CHECK_PAUSE_S = 0.002  # between steps, so the list's thread gets the interpreter
CHANGED = "changed"
_PATH = COLUMNS.index("path")
_SIZE = COLUMNS.index("size")
_MTIME = COLUMNS.index("mtime_ns")
_SHA = COLUMNS.index("sha256")
_SELECT = (
    f"SELECT {', '.join(f'r.{c}' for c in COLUMNS)}, r.seal, t.body "
    "FROM records r LEFT JOIN texts t ON t.id = r.id"
)


@dataclass(frozen=True)
class Verified:
    checked: int  # rows compared with their files
    changed: int  # rows read again because the file or the row was not as indexed
    seconds: float
    stopped: bool = False  # `stop` said to stop before the end


class Verify(Sync):
    """verify() and check_file(): the index is checked against the files."""

    def verify(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        stop: Callable[[], bool] | None = None,
        batch: int = CHECK_BATCH,
        pause: float = CHECK_PAUSE_S,
    ) -> Verified:
        """Compare every row with its file; read again (and flag) any that differ.

        `progress(done, total)` after each batch; `stop()` is asked between
        batches (the screen closed). Rows are taken in path order, a batch at
        a time, so rows added meanwhile are checked if they sort later.
        """
        start = time.perf_counter()
        total = self._total()
        done = changed = 0
        after = ""
        while True:
            if stop is not None and stop():
                return Verified(done, changed, time.perf_counter() - start, stopped=True)
            rows = self._rows_after(after, batch)
            if not rows:
                break
            bad = [row for row in rows if not self._as_indexed(row)]
            if bad:
                changed += self._read_again([row[_PATH] for row in bad])
            done += len(rows)
            after = rows[-1][_PATH]
            if progress is not None:
                progress(done, max(total, done))
            if pause:
                time.sleep(pause)
        return Verified(done, changed, time.perf_counter() - start)

    def check_file(self, rel: str, digest: str) -> bool:
        """Whether the row of `rel` is as sealed and holds `digest` (the bytes just read).

        When not, the file is read again into the index, flagged as changed.
        """
        rows = self._rows_at(rel)
        if rows and rows[0][_SHA] == digest and self._sealed(rows[0]):
            return True
        self._read_again([rel])
        return False

    def _as_indexed(self, row: tuple[object, ...]) -> bool:
        if not self._sealed(row):
            return False
        return file_digest(self.root / str(row[_PATH])) == row[_SHA]

    @staticmethod
    def _sealed(row: tuple[object, ...]) -> bool:
        values, seal, body = row[: len(COLUMNS)], row[-2], row[-1]
        return body is not None and seal == seal_of(values, str(body))

    def _read_again(self, paths: list[str]) -> int:
        """Read `paths` again and write them flagged; a file gone is dropped. How many."""
        items = []
        for rel in paths:
            try:
                info = (self.root / rel).lstat()
            except OSError:
                items.append((rel, -1, -1))  # gone: dropped below
                continue
            items.append((rel, info.st_size, info.st_mtime_ns))
        rows = [
            read_file(str(self.root), rel, size, mtime) for rel, size, mtime in items if size >= 0
        ]
        self._write_flagged(paths, rows)
        return len(paths)

    @recovering
    def _write_flagged(self, paths: list[str], rows: list[FileRow]) -> None:
        with self._use() as conn:
            self._write(conn, paths, rows, flag=CHANGED)

    @recovering
    def _total(self) -> int:
        with self._use() as conn:
            return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])

    @recovering
    def _rows_after(self, after: str, batch: int) -> list[tuple[object, ...]]:
        with self._use() as conn:
            return conn.execute(
                f"{_SELECT} WHERE r.path > ? ORDER BY r.path LIMIT ?", (after, batch)
            ).fetchall()

    @recovering
    def _rows_at(self, rel: str) -> list[tuple[object, ...]]:
        with self._use() as conn:
            return conn.execute(f"{_SELECT} WHERE r.path = ?", (rel,)).fetchall()

    def flagged(self) -> int:
        """How many rows the checks found changed (since they were last read by refresh)."""
        return self._count_flagged()

    @recovering
    def _count_flagged(self) -> int:
        with self._use() as conn:
            return int(conn.execute("SELECT count(*) FROM records WHERE flag != ''").fetchone()[0])
