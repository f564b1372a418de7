"""The records folder: finished records, drafts, settings.

Layout (all folders 0700, files 0600; file names carry only a date and the
random record id, never a name):

    <root>/clinical/2026-11/2026-11-22_k3m9q2x4p7ab.toml   finished record
    <root>/clinical/2026-11/2026-11-22_k3m9q2x4p7ab.md     its summary
    <root>/training/...                                    role-play records
    <root>/drafts/k3m9q2x4p7ab.toml                        autosaved draft
    <root>/drafts/k3m9q2x4p7ab.lock                        held while open
    <root>/preparations/<hash of the reference>.toml         a preparation, before the visit
    <root>/settings.toml                                   optional clinic settings

Finished records are written once and never replaced. Two app instances can
share a folder: each draft is locked by the process that has it open (the lock
goes when the process does, so a crashed session can be resumed).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sdm_tui.core.fsutil import (
    FileLock,
    StoreError,
    atomic_write,
    can_write,
    explain,
    make_dir,
    read_regular_bytes,
)

if TYPE_CHECKING:
    # The records and sessions (pydantic) are imported where a record is read or written:
    # the app opens its first screen with this module alone, before any record is read.
    from sdm_tui.core.record import RecordProblem
    from sdm_tui.core.session import Mode, Preparation, Session

ENV_RECORDS = "SDM_TUI_RECORDS"
ENV_CONTACT = "SDM_TUI_CONTACT"
_RECORD_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-z]{12})\.toml$")
MAX_SETTINGS_BYTES = 64_000


def default_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path("sdm-tui", appauthor=False) / "records"


def resolve_root(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--records DIR, else $SDM_TUI_RECORDS, else the platform's user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_RECORDS)
    if env:
        return Path(env).expanduser()
    return default_root()


@dataclass(frozen=True)
class SavedRecord:
    toml: Path
    markdown: Path | None
    markdown_error: str = ""


@dataclass(frozen=True)
class RecordEntry:
    """One finished record file: the session, or why it could not be used."""

    path: Path
    session: Session | None
    problem: RecordProblem | None

    @property
    def record_id(self) -> str:
        match = _RECORD_NAME.match(self.path.name)
        return match.group(2) if match else self.path.stem


@dataclass(frozen=True)
class DraftInfo:
    record_id: str
    path: Path
    session: Session | None
    problem: str
    in_use_by: str  # process id holding it, or "" when free


class RecordStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, FileLock] = {}
        # Set by the app at start when the folder cannot be written: review works,
        # anything that would save says where else to save.
        self.read_only = False

    # Folders ---------------------------------------------------------------

    @property
    def drafts_dir(self) -> Path:
        return self.root / "drafts"

    def mode_dir(self, mode: Mode) -> Path:
        return self.root / mode.value

    def ensure(self) -> None:
        """Make the records folder and its drafts folder if they are not there yet."""
        for folder in (self.root, self.drafts_dir):
            make_dir(folder)

    def writable(self) -> bool:
        """Whether new files can be made here (the drafts folder, else the root)."""
        folder = self.drafts_dir if self.drafts_dir.is_dir() else self.root
        return can_write(folder)

    def record_path(self, session: Session) -> Path:
        when = session.created
        folder = self.mode_dir(session.mode) / when.strftime("%Y-%m")
        return folder / f"{when.strftime('%Y-%m-%d')}_{session.record_id}.toml"

    # Settings --------------------------------------------------------------

    def clinic_contact(self, default: str) -> str:
        """The clinic contact line: $SDM_TUI_CONTACT, else settings.toml, else default."""
        import tomli

        from sdm_tui.core.text import clean_line

        env = os.environ.get(ENV_CONTACT)
        if env:
            return clean_line(env, max_length=500)
        path = self.root / "settings.toml"
        try:
            raw = read_regular_bytes(path, MAX_SETTINGS_BYTES)  # no link, FIFO or huge file
            data = tomli.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # incl. UnicodeDecodeError, TOMLDecodeError
            return default
        value = data.get("clinic_contact")
        return clean_line(value, max_length=500) if isinstance(value, str) and value else default

    # Drafts ----------------------------------------------------------------

    def draft_path(self, record_id: str) -> Path:
        return self.drafts_dir / f"{record_id}.toml"

    def claim_draft(self, record_id: str) -> None:
        """Lock a draft for this process, or raise StoreError if another has it."""
        self.ensure()
        lock = self._locks.get(record_id) or FileLock(self.drafts_dir / f"{record_id}.lock")
        try:
            acquired = lock.acquire()
        except OSError as exc:
            raise StoreError(explain(exc, lock.path)) from None
        if not acquired:
            raise StoreError(
                f"This draft is open in another sdm-tui window (process {lock.holder()}). "
                "Finish it there, or close that window, then try again."
            )
        self._locks[record_id] = lock

    def release_draft(self, record_id: str, *, remove: bool = False) -> None:
        lock = self._locks.pop(record_id, None)
        if lock is not None:
            lock.release(remove=remove)

    def save_draft(self, session: Session) -> Path:
        """Autosave. The draft must be claimed by this process first."""
        if session.record_id not in self._locks:
            self.claim_draft(session.record_id)
        from sdm_tui.core import record

        path = self.draft_path(session.record_id)
        atomic_write(path, record.dumps(session))
        return path

    def discard_draft(self, record_id: str) -> None:
        self.draft_path(record_id).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # where the draft was left (the consultation screen)
            (self.drafts_dir / f"{record_id}.talk").unlink(missing_ok=True)
        self.release_draft(record_id, remove=True)

    def drafts(self) -> list[DraftInfo]:
        """Unfinished sessions, newest first, with whether another window has them.

        A draft that cannot be read (damaged, a link, a FIFO, too large) is listed
        with the reason; nothing here raises for one bad file."""
        infos: list[DraftInfo] = []
        if not self.drafts_dir.is_dir():
            return infos
        for path in self.drafts_dir.glob("*.toml"):
            if path.name.startswith("."):
                continue
            # Imported only for a draft: with none, Home is ready without the models.
            from sdm_tui.core import record
            from sdm_tui.core.record import RecordProblem

            record_id = path.stem
            holder = "" if record_id in self._locks else self._lock_holder(record_id)
            try:
                session, problem = record.load(path), ""
            except RecordProblem as exc:
                session, problem = None, str(exc.problems[0])
            infos.append(DraftInfo(record_id, path, session, problem, holder))
        infos.sort(
            key=lambda d: d.session.updated if d.session else datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
        return infos

    def _lock_holder(self, record_id: str) -> str:
        """Who holds a draft's lock ("" if no one), tidying away a lock file no one
        holds (left by a crash) when the folder can be written."""
        lock_path = self.drafts_dir / f"{record_id}.lock"
        probe = FileLock(lock_path)
        holder = probe.other_holder()
        if holder is None and not os.path.lexists(lock_path):
            return ""
        if holder == "" and lock_path.exists() and not self.read_only:
            # Take it and remove it while holding it, so no one locks the old file.
            try:
                if probe.acquire():
                    probe.release(remove=True)
            except OSError:
                pass
        return holder or ""

    def load_draft(self, record_id: str) -> Session:
        """Claim and load a draft to carry on with it."""
        from sdm_tui.core import record
        from sdm_tui.core.record import RecordProblem

        self.claim_draft(record_id)
        try:
            return record.load(self.draft_path(record_id))
        except RecordProblem:
            self.release_draft(record_id)
            raise

    # Preparations ----------------------------------------------------------

    @property
    def preparations_dir(self) -> Path:
        return self.root / "preparations"

    def preparation_path(self, reference: str) -> Path:
        """Where the preparation for `reference` is kept (the name is a hash of it)."""
        from sdm_tui.core import preparation

        return self.preparations_dir / preparation.file_name(reference)

    def save_preparation(self, reference: str, prepared: Preparation) -> Path:
        """Save (or replace) the preparation for `reference`: 0600, atomic."""
        from sdm_tui.core import preparation

        path = self.preparation_path(reference)
        self.ensure()
        make_dir(path.parent)
        atomic_write(path, preparation.dumps(reference, prepared))
        return path

    def load_preparation(self, reference: str) -> Preparation | None:
        """The preparation written for exactly `reference`, or None when there is none.
        A damaged file raises StoreError saying so (it is never half-used)."""
        from sdm_tui.core import preparation
        from sdm_tui.core.tomlfile import FileProblems

        path = self.preparation_path(reference)
        try:
            raw = read_regular_bytes(path, preparation.MAX_PREPARATION_BYTES)
            return preparation.loads(raw.decode("utf-8"), reference, str(path))
        except FileNotFoundError:
            return None
        except FileProblems as exc:
            raise StoreError(str(exc.problems[0])) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: the preparation cannot be read ({exc}).") from None

    def discard_preparation(self, reference: str) -> bool:
        """Remove the preparation for `reference`; False when there was none."""
        path = self.preparation_path(reference)
        with contextlib.suppress(OSError):  # its printable sheet, if one was made
            path.with_suffix(".html").unlink(missing_ok=True)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StoreError(explain(exc, path.parent)) from None
        return True

    # Finished records ------------------------------------------------------

    def save_finished(self, session: Session, markdown: str) -> SavedRecord:
        """Write the record (never replacing one) and its summary; drop the draft.

        If the summary cannot be written the record is still saved and the
        reason is returned, so the summary can be exported again later.
        """
        if session.completed is None:
            raise StoreError("Only a finished session can be saved as a record.")
        from sdm_tui.core import record

        path = self.record_path(session)
        self.ensure()
        make_dir(path.parent)
        atomic_write(path, record.dumps(session), replace=False)
        md_path: Path | None = path.with_suffix(".md")
        md_error = ""
        try:
            atomic_write(path.with_suffix(".md"), markdown.encode("utf-8"))
        except StoreError as exc:
            md_path, md_error = None, str(exc)
        self.discard_draft(session.record_id)
        return SavedRecord(path, md_path, md_error)

    def record_files(self, modes: tuple[Mode, ...] | None = None) -> Iterator[Path]:
        """Every finished record file, by mode then month (default: every mode), without
        reading them."""
        if modes is None:
            from sdm_tui.core.session import Mode

            modes = (Mode.CLINICAL, Mode.TRAINING)
        for mode in modes:
            base = self.mode_dir(mode)
            if not base.is_dir():
                continue
            for month in sorted(os.scandir(base), key=lambda e: e.name):
                if not month.is_dir(follow_symlinks=False):
                    continue  # a link to a folder elsewhere is not part of the records
                for entry in sorted(os.scandir(month.path), key=lambda e: e.name):
                    if entry.name.endswith(".toml") and not entry.name.startswith("."):
                        yield Path(entry.path)

    def entries(self, modes: tuple[Mode, ...] | None = None) -> Iterator[RecordEntry]:
        from sdm_tui.core import record
        from sdm_tui.core.record import RecordProblem

        for path in self.record_files(modes):
            try:
                yield RecordEntry(path, record.load(path), None)
            except RecordProblem as exc:
                yield RecordEntry(path, None, exc)

    def find(self, record_id: str) -> Path | None:
        """The file of a finished record by its id (or a unique prefix of 4+ characters)."""
        record_id = record_id.strip().lower()
        if len(record_id) < 4:
            return None
        matches = [
            p
            for p in self.record_files()
            if (m := _RECORD_NAME.match(p.name)) and m.group(2).startswith(record_id)
        ]
        return matches[0] if len(matches) == 1 else None
