"""Walking the records folder: month folders and their record files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

MODES = ("clinical", "training")


def folders(root: Path) -> Iterator[tuple[str, list[tuple[str, int, int]] | None]]:
    """Each month folder ("training/2026-11") with (relative path, size, mtime_ns) of its files.

    The same files as RecordStore.record_files: <mode>/<month folder>/*.toml,
    no hidden or temporary files; unsorted, for speed. A folder that cannot be
    listed gives None, so what the index knows of it is kept, not dropped.
    Nothing is followed: a mode or month folder that is a link is not walked,
    and a file's size and time are its own (lstat), so a link, FIFO or device
    named like a record is listed, and the reader says what it is.
    """
    for mode in MODES:
        if os.path.islink(root / mode):
            continue
        try:
            months = list(os.scandir(root / mode))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for month in months:
            if not month.is_dir(follow_symlinks=False):
                continue
            folder = f"{mode}/{month.name}"
            try:
                entries = os.scandir(month.path)
            except OSError:
                yield folder, None
                continue
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
            yield folder, files


def span(folder: str) -> tuple[str, str]:
    return f"{folder}/", f"{folder}0"
