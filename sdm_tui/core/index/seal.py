"""Row seals and file hashes, and the checker process that compares them.

Kept free of the rest of the package (no pydantic, no record models), so the
background check can run as `python .../seal.py` in a process of its own:
it starts in a few tens of milliseconds, and hashing 100,000 files there
never holds the app's interpreter lock while the list and filters are used.

The checker reads {"db", "root", "columns", "max_bytes"} as JSON on stdin,
goes through the index's rows in path order, and writes JSON lines:
["bad", path] for a row whose seal or file hash differs, ["done", n, total]
after each batch. It only reads; the app reads flagged files again itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

if __package__ in (None, ""):  # run as a script: the package's parent on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from sdm_tui.core.fsutil import check_regular, open_small_regular

BATCH = 500
READERS = 8  # files read at once by the checker


def file_digest(path: Path, max_bytes: int) -> str:
    """The sha256 of a regular file within max_bytes, else "" (a link, FIFO, too large...).

    fsutil.open_small_regular (no link followed, a FIFO never blocks, fstat on what
    was opened), reading the file's own size at once: this runs for every file.
    """
    opened = open_small_regular(path, max_bytes)
    if opened is None:
        return ""
    fd, size = opened
    try:
        digest = hashlib.sha256()
        total = 0
        while chunk := os.read(fd, min(size + 1, max_bytes + 1 - total) or 1):
            digest.update(chunk)
            total += len(chunk)
            if total > max_bytes:
                return ""  # grew past the limit while read
        return digest.hexdigest()
    except OSError:
        return ""
    finally:
        os.close(fd)


def seal_of(values: Sequence[Any], body: str) -> str:
    """A hash over a row as written (COLUMNS order) and its search text.

    The background check recomputes it, so a row changed in index.sqlite3
    (and not by this code) is found and read again from its file.
    """
    parts = []
    for value in values:
        if value is None:
            parts.append("\x00")
        elif isinstance(value, float) and value.is_integer():
            parts.append(str(int(value)))
        else:
            parts.append(str(value))
    parts.append(body)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def row_select(columns: Sequence[str]) -> str:
    return (
        f"SELECT {', '.join(f'r.{c}' for c in columns)}, r.seal, t.body "
        "FROM records r LEFT JOIN texts t ON t.id = r.id"
    )


def sealed(row: Sequence[Any], columns: Sequence[str]) -> bool:
    """The row is as this code wrote it: its seal matches its values and search text."""
    values, seal, body = row[: len(columns)], row[-2], row[-1]
    return body is not None and seal == seal_of(values, str(body))


def as_indexed(row: Sequence[Any], columns: Sequence[str], root: Path, max_bytes: int) -> bool:
    """The row is sealed and its file has the indexed sha256."""
    if not sealed(row, columns):
        return False
    path = str(row[columns.index("path")])
    return bool(file_digest(root / path, max_bytes) == row[columns.index("sha256")])


def check_all(db: Path, root: Path, columns: Sequence[str], max_bytes: int, out: TextIO) -> None:
    """The checker process's work: every row, a batch at a time, reported on `out`."""
    check_regular(db)  # SQLite opens by name: never through a link
    conn = sqlite3.connect(db, timeout=10.0, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        total = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        select = row_select(columns)
        at_path, at_sha = columns.index("path"), columns.index("sha256")
        done, after = 0, ""
        # Reading is mostly waiting for the disk when the files are not cached:
        # several reads in flight (threads let go of the interpreter to read and hash).
        with ThreadPoolExecutor(READERS) as readers:
            while True:
                rows = conn.execute(
                    f"{select} WHERE r.path > ? ORDER BY r.path LIMIT ?", (after, BATCH)
                ).fetchall()
                if not rows:
                    break
                digests = readers.map(
                    lambda row: file_digest(root / str(row[at_path]), max_bytes), rows
                )
                for row, digest in zip(rows, digests, strict=True):
                    if digest != row[at_sha] or not sealed(row, columns):
                        out.write(json.dumps(["bad", row[at_path]]) + "\n")
                done += len(rows)
                after = rows[-1][at_path]
                out.write(json.dumps(["done", done, max(total, done)]) + "\n")
                out.flush()
    finally:
        conn.close()


def main() -> None:
    job = json.load(sys.stdin)
    if hasattr(os, "nice"):
        os.nice(10)  # the app's own process (the list, the filters) comes first
    check_all(Path(job["db"]), Path(job["root"]), job["columns"], job["max_bytes"], sys.stdout)


if __name__ == "__main__":
    main()
