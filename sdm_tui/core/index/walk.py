"""Walking the records folder: month folders and their record files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

MODES = ("clinical", "training")


def months(root: Path) -> Iterator[tuple[str, str, int]]:
    """Each month folder as ("training/2026-11", its path, its own mtime_ns), unsorted.

    A mode or month folder that is a link is not walked.
    """
    for mode in MODES:
        if os.path.islink(root / mode):
            continue
        try:
            entries = list(os.scandir(root / mode))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for month in entries:
            try:
                if not month.is_dir(follow_symlinks=False):
                    continue
                mtime_ns = month.stat(follow_symlinks=False).st_mtime_ns
            except OSError:
                continue  # gone between listing and stat
            yield f"{mode}/{month.name}", month.path, mtime_ns


def files_in(folder: str, path: str) -> list[tuple[str, int, int]] | None:
    """(relative path, size, mtime_ns) of a month folder's record files; None if unlistable.

    No hidden or temporary files; unsorted, for speed. A file's size and time
    are its own (lstat), so a link, FIFO or device named like a record is
    listed, and the reader says what it is.
    """
    try:
        entries = os.scandir(path)
    except OSError:
        return None
    files = []
    with entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(".toml") or name.startswith("."):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between listing and stat
            files.append((f"{folder}/{name}", st.st_size, st.st_mtime_ns))
    return files


def folders(root: Path) -> Iterator[tuple[str, list[tuple[str, int, int]] | None]]:
    """Each month folder ("training/2026-11") with (relative path, size, mtime_ns) of its files.

    The same files as RecordStore.record_files: <mode>/<month folder>/*.toml.
    A folder that cannot be listed gives None, so what the index knows of it
    is kept, not dropped.
    """
    for folder, path, _ in months(root):
        yield folder, files_in(folder, path)


def span(folder: str) -> tuple[str, str]:
    return f"{folder}/", f"{folder}0"
