"""Checking the index against the files: each file's sha256, each row's seal.

Size and modification time tell `refresh` what to read again, but a file can
change and keep both (bit rot, a backup restored with its times), and a row
can be edited in index.sqlite3 itself. `verify` goes through every row in
small batches, reads each file (never following a link), compares its sha256
with the one indexed and the row with its seal, and reads any that differ
again, marking them flag="changed" so the list says so. `check_file` does the
same for one record as it is opened.

It is meant for a background thread after the list is shown. With an index
file, the hashing runs in a process of its own (seal.py, at a lower priority)
that only reads and names the rows that differ, so the app's interpreter is
free for the list and the filters; an index in memory is checked in the
thread, in small batches with a pause between them.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sdm_tui.core import record
from sdm_tui.core.index import seal
from sdm_tui.core.index.connections import recovering
from sdm_tui.core.index.reading import read_file
from sdm_tui.core.index.schema import COLUMNS, FileRow
from sdm_tui.core.index.sync import Sync

CHECK_BATCH = 100  # files read per step of the background check
CHECK_PAUSE_S = 0.002  # between steps, so the list's thread gets the interpreter
CHANGED = "changed"
_PATH = COLUMNS.index("path")
_SIZE = COLUMNS.index("size")
_MTIME = COLUMNS.index("mtime_ns")
_SHA = COLUMNS.index("sha256")
_SELECT = seal.row_select(COLUMNS)


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
        process: bool = True,
    ) -> Verified:
        """Compare every row with its file; read again (and flag) any that differ.

        `progress(done, total)` after each batch; `stop()` is asked between
        batches (the screen closed). Rows are taken in path order, a batch at
        a time, so rows added meanwhile are checked if they sort later.
        `process`: hash in a checker process (an index in memory never does);
        `batch` and `pause` are for checking in this thread.
        """
        start = time.perf_counter()
        if process and self.db_path is not None and sys.executable:
            try:
                return self._verify_in_process(progress, stop, start)
            except OSError:
                pass  # no process could be started: check here
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
                changed += self._read_again([str(row[_PATH]) for row in bad])
            done += len(rows)
            after = str(rows[-1][_PATH])
            if progress is not None:
                progress(done, max(total, done))
            if pause:
                time.sleep(pause)
        return Verified(done, changed, time.perf_counter() - start)

    def _verify_in_process(
        self,
        progress: Callable[[int, int], None] | None,
        stop: Callable[[], bool] | None,
        start: float,
    ) -> Verified:
        done = changed = 0
        bad: list[str] = []
        with self._checker() as (proc, lines):
            for kind, *rest in lines:
                if kind == "bad":
                    bad.append(str(rest[0]))
                    continue
                done, total = int(str(rest[0])), int(str(rest[1]))
                if bad:
                    changed += self._read_again(bad)
                    bad = []
                if progress is not None:
                    progress(done, total)
                if stop is not None and stop():
                    return Verified(done, changed, time.perf_counter() - start, stopped=True)
            if proc.wait() != 0:
                raise OSError("the checker process stopped")  # verify() checks here instead
        if bad:
            changed += self._read_again(bad)
        return Verified(done, changed, time.perf_counter() - start)

    @contextlib.contextmanager
    def _checker(self) -> Iterator[tuple[subprocess.Popen[bytes], Iterator[list[object]]]]:
        """The checker process (seal.py) and its JSON lines as they come; killed when left."""
        job = {
            "db": str(self.db_path),
            "root": str(self.root),
            "columns": COLUMNS,
            "max_bytes": record.MAX_RECORD_BYTES,
        }
        proc = subprocess.Popen(
            [sys.executable, "-I", seal.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(json.dumps(job).encode("utf-8"))
                proc.stdin.close()
            yield proc, (json.loads(line) for line in proc.stdout)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()

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
        return seal.as_indexed(row, COLUMNS, self.root, record.MAX_RECORD_BYTES)

    @staticmethod
    def _sealed(row: tuple[object, ...]) -> bool:
        return seal.sealed(row, COLUMNS)

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
