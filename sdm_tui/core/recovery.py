"""Tidying the records folder after a process was killed, on start and by
`sdm-tui records verify --repair`.

A save can be cut short at any moment. Atomic writes mean no file is ever half
written, but a kill can leave:

- a temp file (`.<name>.toml.<pid>.tmp`, holding a whole draft or record) that
  the dead process never renamed: removed, never read as a record;
- a finished record whose draft was not yet removed: the draft is retired
  (removed, never offered again), so the consultation cannot be finished twice;
- a finished record without its summary (.md): the summary is written from
  the record.

Nothing here raises for one bad file or a read-only folder: what could not be
done is listed in `Recovery.problems`.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sdm_tui.core.fsutil import FileLock, StoreError, atomic_write, pid_alive
from sdm_tui.core.tomlfile import escape_for_terminal

if TYPE_CHECKING:
    from sdm_tui.core.session import Session
    from sdm_tui.core.store import RecordStore

# `.2026-11-22_k3m9q2x4p7ab.toml.4242.tmp`, `.k3m9q2x4p7ab.toml.4242.tmp`, `.x.md.4242.tmp`
TEMP_NAME = re.compile(r"^\..+\.(\d+)\.tmp$")
# A temp file of a live process is left alone, unless it is this old: no save
# takes minutes, and the pid may be another machine's on a shared folder.
STALE_SECONDS = 600
_DRAFT_NAME = re.compile(r"^[0-9a-z]{12}\.toml$")

Summary = Callable[["Session"], str]


@dataclass
class Recovery:
    """What the tidy did (paths), and what it could not do (one line each)."""

    temps_removed: list[Path] = field(default_factory=list)
    drafts_retired: list[str] = field(default_factory=list)
    summaries_written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Plain lines for `records verify --repair` (and the app's notes)."""
        out = [f"removed a temp file left by a killed save: {p}" for p in self.temps_removed]
        out += [
            f"retired draft {record_id}: its record was already saved"
            for record_id in self.drafts_retired
        ]
        out += [f"wrote the missing summary {p}" for p in self.summaries_written]
        out += [f"could not repair: {line}" for line in self.problems]
        return out

    @property
    def changed(self) -> bool:
        return bool(self.temps_removed or self.drafts_retired or self.summaries_written)


def _is_stale_temp(entry: os.DirEntry[str], now: float) -> bool:
    match = TEMP_NAME.match(entry.name)
    if match is None:
        return False
    try:
        age = now - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    return age > STALE_SECONDS or not pid_alive(int(match.group(1)))


def _remove_temps(folder: Path, result: Recovery, now: float) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _is_stale_temp(entry, now):
            try:
                os.unlink(entry.path)  # the name only: a planted link's target is untouched
            except FileNotFoundError:
                continue
            except OSError as exc:
                result.problems.append(f"{escape_for_terminal(entry.path)}: {exc.strerror}")
                continue
            result.temps_removed.append(Path(entry.path))


def _month_folders(store: RecordStore) -> Iterator[Path]:
    for mode in ("clinical", "training"):
        base = store.root / mode
        try:
            months = sorted(os.scandir(base), key=lambda e: e.name)
        except OSError:
            continue
        for month in months:
            if month.is_dir(follow_symlinks=False):
                yield Path(month.path)


def write_missing_summary(
    record_path: Path, session: Session, summary: Summary, result: Recovery
) -> None:
    """Write a record's summary (.md) if it has none (never replacing one)."""
    md = record_path.with_suffix(".md")
    if os.path.lexists(md):
        return
    try:
        text = summary(session)
        atomic_write(md, text.encode("utf-8"), replace=False)
    except StoreError as exc:
        result.problems.append(str(exc))
        return
    except Exception as exc:  # a summary that cannot be built must not stop the start
        result.problems.append(
            f"{escape_for_terminal(str(md))}: summary not written ({type(exc).__name__})"
        )
        return
    result.summaries_written.append(md)


def _remove_orphan_lock(path: Path) -> None:
    """A draft's lock file with no draft (a kill before its first save): removed
    while held, so no one can be locking it; one another process holds stays."""
    lock = FileLock(path)
    try:
        if lock.acquire():
            lock.release(remove=True)
    except OSError:
        pass


def _retire_finished_drafts(store: RecordStore, summary: Summary | None, result: Recovery) -> None:
    try:
        names = sorted(e.name for e in os.scandir(store.drafts_dir))
    except OSError:
        return
    present = set(names)
    for name in names:
        if name.endswith(".lock") and name[:-5] + ".toml" not in present:
            _remove_orphan_lock(store.drafts_dir / name)
        if not _DRAFT_NAME.match(name):
            continue
        record_id = name[:-5]
        # Imported only for a draft: with none, the app starts without the record models.
        from sdm_tui.core import record
        from sdm_tui.core.record import RecordProblem

        try:
            draft = record.load(store.drafts_dir / name)
        except RecordProblem:
            continue  # listed on Home with its reason; never removed here
        if draft.record_id != record_id:
            continue
        path = store.record_path(draft)
        # The folder of the record may hold the temp file of a kill mid-write.
        _remove_temps(path.parent, result, time.time())
        try:
            saved = record.load(path)
        except RecordProblem:
            continue  # no finished record (or a damaged one): the draft is kept and offered
        if saved.record_id != record_id:
            continue
        if summary is not None:
            write_missing_summary(path, saved, summary, result)
        lock = FileLock(store.drafts_dir / f"{record_id}.lock")
        try:
            if not lock.acquire():
                continue  # another window is finishing it right now
        except OSError as exc:
            result.problems.append(f"{escape_for_terminal(str(lock.path))}: {exc.strerror}")
            continue
        try:
            (store.drafts_dir / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            lock.release()
            result.problems.append(f"{escape_for_terminal(name)}: {exc.strerror}")
            continue
        with contextlib.suppress(OSError):  # where the draft was left (consult.py)
            (store.drafts_dir / f"{record_id}.talk").unlink(missing_ok=True)
        lock.release(remove=True)
        result.drafts_retired.append(record_id)


def recover(store: RecordStore, summary: Summary | None, *, full: bool = False) -> Recovery:
    """Tidy what killed saves left; the app runs this on start, before listing drafts.

    Every kill leaves its draft until the record and summary are written, so the
    drafts say where to look: a draft whose record exists is retired (its summary
    written first if missing, by `summary`; None: not written), and temp files in
    the drafts folder and in the folders those records go to are removed.
    full=True (`records verify --repair`) also removes temp files in every month
    folder; that command writes missing summaries as it checks each record
    (`write_missing_summary`)."""
    result = Recovery()
    if store.read_only or not store.root.is_dir():
        return result
    now = time.time()
    _remove_temps(store.drafts_dir, result, now)
    _remove_temps(store.root, result, now)
    _retire_finished_drafts(store, summary, result)
    if full:
        for folder in _month_folders(store):
            _remove_temps(folder, result, now)
    return result
