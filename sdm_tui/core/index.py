"""The records index: a rebuildable cache of what the review list shows.

The TOML records stay the source of truth. `<root>/index.sqlite3` (0600)
holds one row per record file with the fields the list, the filters and the
clinic view need, plus the file's size and mtime_ns so `refresh()` can tell
which files were added, changed or removed since it last looked. Changed and
new files are read with `record.load`, so integrity is checked exactly as
`sdm-tui records verify` does; a file that fails is indexed with its status
and one-line problem, never skipped.

Delete the index any time: it is rebuilt. It is rebuilt by itself when it is
missing, corrupt, or from an older schema. A read-only folder gets an index in
memory and a `.warning` for the screen. Two windows may share a folder: SQLite
locking (WAL, busy timeout) keeps the file whole, and a lock file lets only
one of them read the records at a time, so the other does not repeat the work.

Free text uses SQLite FTS5 when it is compiled in (checked at run time), else
LIKE over the same normalised words. User text is split into words here and
each word is passed as a bound, quoted prefix term, so nothing typed can be
FTS syntax or SQL.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sdm_tui.core import record
from sdm_tui.core.fsutil import FILE_MODE, FileLock
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import (
    CERTAINTY_ITEMS,
    FEEDBACK_ITEMS,
    ROLE_NAMES,
    Answer3,
    Outcome,
    Session,
)

INDEX_NAME = "index.sqlite3"
LOCK_NAME = "index.sqlite3.lock"
SCHEMA_VERSION = 3  # PRAGMA user_version; any other value is rebuilt
MODES = ("clinical", "training")
BUSY_TIMEOUT_S = 10.0
BATCH = 500  # files read and written per transaction
POOL_THRESHOLD = 2000  # read this many files or more with worker processes
MAX_WORDS = 24  # of a free-text filter (a pasted paragraph is not a search)
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-z]{12})\.toml$")
_WORD = re.compile(r"[^\W_]+")


# Public rows ------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRow:
    record_id: str
    path: str  # relative to the records root
    mode: str  # "clinical" | "training" (from the folder when the file cannot be read)
    synthetic: bool
    created: str  # ISO datetime, UTC ("" when unreadable)
    grid_id: str
    grid_title: str
    outcome: str  # "chosen" | "deferred" | "no-agreement" | ""
    option: str  # the chosen option's name (from the record's grid labels) or ""
    service_user_ref: str
    review_date: str  # ISO date or ""
    open_disagreements: int
    carer: bool  # a carer took part
    amends: str
    status: str  # "ok" | "integrity" | "unreadable" | "newer" | "invalid"
    problem: str  # one line when status != "ok", else ""
    completed: str = ""  # ISO datetime, UTC ("" when unreadable or never completed)
    option_id: str = ""  # the chosen option's id, as `records list` shows it

    def review_passed(self, today: date) -> bool:
        """The review date is set and before `today`."""
        return bool(self.review_date) and date.fromisoformat(self.review_date) < today


@dataclass(frozen=True)
class Filters:
    text: str = ""  # words anywhere in the record, each matched as a prefix
    reference: str = ""  # exact service-user reference (case-insensitive)
    date_from: date | None = None
    date_to: date | None = None  # inclusive, on the created date
    grid: str = ""  # grid id
    outcome: str = ""  # outcome value, or "" for any
    modes: tuple[str, ...] = ("clinical",)  # training only when asked for; () matches nothing


@dataclass(frozen=True)
class Changes:
    added: int
    updated: int
    removed: int
    seconds: float
    rebuilt: bool


@dataclass(frozen=True)
class MonthStats:
    month: str  # "YYYY-MM"
    count: int
    feedback: dict[str, float | None]  # mean 0-4 per FEEDBACK_ITEMS key, None when no answers
    certainty_yes: dict[str, float | None]  # share 0-1 of the service user's "yes" answers


@dataclass(frozen=True)
class ClinicStats:
    total: int
    by_outcome: dict[str, int]  # "" key = not decided
    with_carer: int
    with_open_disagreements: int
    overdue_reviews: int  # a person's latest record has a review date before today
    failed: int  # records that fail integrity or cannot be read
    months: list[MonthStats]  # oldest first


# Words -------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words without accents: how both records and searches are split.

    Only letters and digits make words, so a word never holds FTS syntax
    (quotes, stars, brackets) and is always one FTS token.
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(
            ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
        )
    return _WORD.findall(folded)


def _body(s: Session) -> str:
    """Every searchable word of a record, as ' word word ... ' (the spaces help LIKE)."""
    parts: list[str] = [
        s.record_id,
        s.service_user_ref,
        s.amends,
        s.grid.id,
        s.grid.title,
        s.decision.outcome.value if s.decision.outcome else "",
        s.grid.options.get(s.decision.option, s.decision.option),
        s.team_talk.decision,
        s.team_talk.what_matters,
        s.decision.reason,
        *s.decision.next_steps,
        *(s.grid.options.get(o, o) for o in s.team_talk.options),
    ]
    for p in s.participants:
        parts.extend((p.label, ROLE_NAMES[p.role], *p.notes, *p.questions))
    for d in s.disagreements:
        parts.extend((d.subject, *d.views.values()))
    if s.training is not None:
        parts.extend((s.training.scenario, *s.training.observer_notes.values()))
    # Each word once: matching only asks whether a word is there, and it halves the size.
    return " " + " ".join(dict.fromkeys(words(" ".join(parts)))) + " "


# Reading one file --------------------------------------------------------------

_FB = [f"fb_{key}" for key in FEEDBACK_ITEMS]
_CY = [f"cy_{key}" for key in CERTAINTY_ITEMS]
_LAYOUT = ",".join([*_FB, *_CY])  # a change of items rebuilds the index
_BASE_COLUMNS = (
    "path size mtime_ns record_id mode synthetic created completed sort_at grid_id grid_title "
    "outcome option_id option service_user_ref ref_key review_date open_disagreements carer "
    "amends status problem"
)
_COLUMNS = [*_BASE_COLUMNS.split(), *_FB, *_CY]
# A file that cannot be used: everything empty but what its name and folder say.
_NOTHING: dict[str, Any] = {
    **dict.fromkeys(_COLUMNS, ""),
    **dict.fromkeys(("synthetic", "open_disagreements", "carer"), 0),
    **dict.fromkeys([*_FB, *_CY], None),
}
_ROW_SELECT = (
    "record_id, path, mode, synthetic, created, grid_id, grid_title, outcome, option, "
    "service_user_ref, review_date, open_disagreements, carer, amends, status, problem, "
    "completed, option_id"
)

FileRow = tuple[tuple[Any, ...], str]  # (column values in _COLUMNS order, body)


def _fallback_sort_at(name: str, mtime_ns: int) -> str:
    """Where an unreadable file sorts: its file-name date, else when it was written."""
    match = _NAME.match(name)
    if match:
        return f"{match.group(1)}T00:00:00+00:00"
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(microsecond=0).isoformat()


def read_file(root: str, rel: str, size: int, mtime_ns: int) -> FileRow:
    """One record file as an index row; a file that fails says why. Runs in reader processes."""
    path = Path(root, rel)
    try:
        s = record.load(path)
    except RecordProblem as exc:
        first = exc.problems[0]
        match = _NAME.match(path.name)
        failed = {
            **_NOTHING,
            "record_id": match.group(2) if match else path.stem,
            "mode": rel.split("/", 1)[0],
            "sort_at": _fallback_sort_at(path.name, mtime_ns),
            "status": exc.kind,
            # Without the file name (Problem.__str__ starts with it): the root may be
            # spelled differently next time, so rows put the current path in front.
            "problem": str(first)[len(first.file) + 1 :],
        }
        return _values(failed, rel, size, mtime_ns), ""
    su = s.service_user()
    certainty = su.certainty if su is not None else {}
    created = s.created.astimezone(UTC).isoformat()
    found = {
        "record_id": s.record_id,
        "mode": s.mode.value,
        "synthetic": int(s.synthetic),
        "created": created,
        "completed": s.completed.astimezone(UTC).isoformat() if s.completed else "",
        "sort_at": created,
        "grid_id": s.grid.id,
        "grid_title": s.grid.title,
        "outcome": s.decision.outcome.value if s.decision.outcome else "",
        "option_id": s.decision.option,
        "option": s.grid.options.get(s.decision.option, s.decision.option),
        "service_user_ref": s.service_user_ref,
        "ref_key": s.service_user_ref.casefold(),
        "review_date": s.decision.review_date.isoformat() if s.decision.review_date else "",
        "open_disagreements": len(s.open_disagreements()),
        "carer": int(s.carer_took_part()),
        "amends": s.amends,
        "status": "ok",
        "problem": "",
    }
    for key in FEEDBACK_ITEMS:
        found[f"fb_{key}"] = s.feedback.get(key)
    for key in CERTAINTY_ITEMS:
        # 1 = yes, 0 = no or unsure, None = not answered (so averages are shares of yes).
        found[f"cy_{key}"] = int(certainty[key] == Answer3.YES) if key in certainty else None
    return _values(found, rel, size, mtime_ns), _body(s)


def _values(found: dict[str, Any], rel: str, size: int, mtime_ns: int) -> tuple[Any, ...]:
    found = {**found, "path": rel, "size": size, "mtime_ns": mtime_ns}
    return tuple(found[column] for column in _COLUMNS)


def _read_batch(root: str, items: list[tuple[str, int, int]]) -> list[FileRow]:
    return [read_file(root, rel, size, mtime) for rel, size, mtime in items]


_WORKER = "from sdm_tui.core.index import _worker; _worker()"


def _worker() -> None:
    """A reader process: (root, items, size) pickled on stdin, row batches pickled on stdout."""
    root, items, size = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for start in range(0, len(items), size):
        pickle.dump(_read_batch(root, items[start : start + size]), out, pickle.HIGHEST_PROTOCOL)
        out.flush()


def _read_in_processes(
    root: str, items: list[tuple[str, int, int]], workers: int, size: int
) -> Iterator[list[FileRow]]:
    """Read files in `workers` fresh Python processes (`python -c`), batches as they come.

    Plain subprocesses rather than multiprocessing: spawn re-imports the
    caller's main script in every worker, and fork is unsafe in an app with
    threads. A worker that dies leaves its remaining files to be read here.
    """
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    shares = [items[k::workers] for k in range(workers)]
    results: queue.Queue[list[FileRow] | tuple[int, int]] = queue.Queue()

    def pump(stdout: IO[bytes], share: int) -> None:
        count = 0
        try:
            while True:
                rows = pickle.load(stdout)
                count += len(rows)
                results.put(rows)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        finally:
            results.put((share, count))

    procs: list[subprocess.Popen[bytes]] = []
    try:
        for k, share in enumerate(shares):
            proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            procs.append(proc)
            assert proc.stdin is not None and proc.stdout is not None
            threading.Thread(target=pump, args=(proc.stdout, k), daemon=True).start()
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(pickle.dumps((root, share, size), pickle.HIGHEST_PROTOCOL))
                proc.stdin.close()
        finished = 0
        while finished < len(procs):
            item = results.get()
            if isinstance(item, list):
                yield item
                continue
            finished += 1
            k, count = item
            for start in range(count, len(shares[k]), size):  # a worker that died early
                yield _read_batch(root, shares[k][start : start + size])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def folders(root: Path) -> Iterator[tuple[str, list[tuple[str, int, int]] | None]]:
    """Each month folder ("training/2026-11") with (relative path, size, mtime_ns) of its files.

    The same files as RecordStore.record_files: <mode>/<month folder>/*.toml,
    no hidden or temporary files; unsorted, for speed. A folder that cannot be
    listed gives None, so what the index knows of it is kept, not dropped.
    """
    for mode in MODES:
        try:
            months = list(os.scandir(root / mode))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for month in months:
            if not month.is_dir():
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
                        st = entry.stat()
                    except OSError:
                        continue  # gone between listing and stat
                    files.append((f"{folder}/{name}", st.st_size, st.st_mtime_ns))
            yield folder, files


# Schema ---------------------------------------------------------------------------


def fts5_available(conn: sqlite3.Connection) -> bool:
    """FTS5 compiled in (and really usable) in this SQLite."""
    options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        return False
    try:
        conn.execute("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp._fts5_probe")
    except sqlite3.Error:
        return False
    return True


def _schema(fts: bool) -> list[str]:
    numbers = ", ".join(f"{c} INTEGER" for c in [*_FB, *_CY])
    statements = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            record_id TEXT NOT NULL,
            mode TEXT NOT NULL,
            synthetic INTEGER NOT NULL,
            created TEXT NOT NULL,
            completed TEXT NOT NULL,
            sort_at TEXT NOT NULL,
            grid_id TEXT NOT NULL,
            grid_title TEXT NOT NULL,
            outcome TEXT NOT NULL,
            option_id TEXT NOT NULL,
            option TEXT NOT NULL,
            service_user_ref TEXT NOT NULL,
            ref_key TEXT NOT NULL,
            review_date TEXT NOT NULL,
            open_disagreements INTEGER NOT NULL,
            carer INTEGER NOT NULL,
            amends TEXT NOT NULL,
            status TEXT NOT NULL,
            problem TEXT NOT NULL,
            {numbers}
        )""",
        # One index per filter, each ending in the list order so a page is a range scan.
        "CREATE INDEX records_mode ON records (mode, sort_at, record_id)",
        "CREATE INDEX records_order ON records (sort_at, record_id)",
        # The reference filter, and (covering) each person's latest record for the clinic view.
        "CREATE INDEX records_person ON records (ref_key, sort_at, mode, status, review_date)",
        "CREATE INDEX records_grid ON records (grid_id, sort_at)",
        "CREATE INDEX records_outcome ON records (outcome, sort_at)",
        "CREATE INDEX records_id ON records (record_id)",
        "CREATE TABLE texts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        """CREATE TRIGGER records_gone AFTER DELETE ON records BEGIN
            DELETE FROM texts WHERE id = old.id;
        END""",
    ]
    if fts:
        statements += [
            "CREATE VIRTUAL TABLE fts USING fts5(body, content='texts', content_rowid='id', "
            "detail=none, prefix='1 2 3', tokenize='unicode61 remove_diacritics 2')",
            """CREATE TRIGGER texts_added AFTER INSERT ON texts BEGIN
                INSERT INTO fts (rowid, body) VALUES (new.id, new.body);
            END""",
            """CREATE TRIGGER texts_gone AFTER DELETE ON texts BEGIN
                INSERT INTO fts (fts, rowid, body) VALUES ('delete', old.id, old.body);
            END""",
        ]
    return statements


class _Corrupt(Exception):
    """The index file is not a usable database."""


# The index -------------------------------------------------------------------------


class RecordIndex:
    """The records index of one folder.

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

    # Opening ------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path) -> RecordIndex:
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
                f"The records index cannot be saved in {root} (the folder is read-only or "
                "not yours), so it is kept in memory and built each time; the list may open "
                "slowly.",
            )
        return index

    @classmethod
    def _in_memory(cls, root: Path, warning: str) -> RecordIndex:
        index = cls(root, None, warning)
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        index._memory = conn
        index._all.append(conn)
        index.fts = fts5_available(conn)
        index._create(conn)
        index.rebuilt = True
        return index

    def _prepare_file(self) -> None:
        assert self.db_path is not None
        for attempt in range(2):
            try:
                self._ensure_private_file()
                with self._use() as conn:
                    self._check_or_create(conn)
                return
            except (_Corrupt, sqlite3.DatabaseError) as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise  # read-only, locked or cannot open: not damage
                if attempt:
                    raise sqlite3.OperationalError("the index could not be rebuilt") from None
                self._drop_connections()
                self._remove_files()

    def _ensure_private_file(self) -> None:
        assert self.db_path is not None
        fd = os.open(self.db_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.close(fd)
        if sys.platform != "win32" and os.stat(self.db_path).st_mode & 0o077:
            os.chmod(self.db_path, FILE_MODE)

    def _remove_files(self) -> None:
        assert self.db_path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.db_path}{suffix}")

    def _check_or_create(self, conn: sqlite3.Connection) -> None:
        """Create the schema, or rebuild it when it is older or laid out differently."""
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise _Corrupt from None
        self.fts = fts5_available(conn)
        if version == SCHEMA_VERSION and "meta" in tables:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if meta.get("layout") == _LAYOUT and meta.get("fts") == str(int(self.fts)):
                return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another window may have rebuilt it while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            current = {
                r[0]: r[1]
                for r in conn.execute("SELECT name, type FROM sqlite_master WHERE sql IS NOT NULL")
            }
            if version == SCHEMA_VERSION and "meta" in current:
                meta = dict(conn.execute("SELECT key, value FROM meta"))
                if meta.get("layout") == _LAYOUT and meta.get("fts") == str(int(self.fts)):
                    conn.execute("COMMIT")
                    return
            for name, kind in current.items():
                if kind == "table" and not name.startswith(("fts_", "sqlite_")):
                    try:
                        conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                    except sqlite3.OperationalError as exc:  # e.g. FTS5 gone from this SQLite
                        raise _Corrupt from exc
            self._create(conn, transaction=False)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self.rebuilt = True

    def _create(self, conn: sqlite3.Connection, transaction: bool = True) -> None:
        if transaction:
            conn.execute("BEGIN IMMEDIATE")
        for statement in _schema(self.fts):
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("layout", _LAYOUT), ("fts", str(int(self.fts)))],
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if transaction:
            conn.execute("COMMIT")

    # Connections --------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        assert self.db_path is not None
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

    def __enter__(self) -> RecordIndex:
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
        lock = FileLock(self.root / LOCK_NAME)
        try:
            while not lock.acquire():
                time.sleep(0.05)
        except OSError:
            lock = None  # cannot lock: SQLite's own locking still keeps the file whole
        try:
            yield
        finally:
            if lock is not None:
                lock.release()

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
        with self._refresh_lock():
            try:
                added, updated, removed = self._refresh(progress, workers)
            except sqlite3.ProgrammingError:
                if self._closed:  # closed (the window went) while refreshing: nothing to do
                    return Changes(0, 0, 0, time.perf_counter() - start, rebuilt)
                raise
            except sqlite3.DatabaseError as exc:
                if self.db_path is None or isinstance(exc, sqlite3.OperationalError):
                    raise
                # Damaged under us ("malformed"): start again from the files.
                self._drop_connections()
                self._remove_files()
                self._prepare_file()
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
                known = {p: (size, mtime) for p, size, mtime in conn.execute(inside, _span(folder))}
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
                    removed.extend(p for p, _, _ in conn.execute(inside, _span(folder)))
                after = _span(folder)[1]
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
                for rows in _read_in_processes(root, items, workers, size):
                    done += len(rows)
                    yield done, rows
                return
            except OSError:
                if done:
                    raise
        for start in range(0, len(items), size):
            rows = _read_batch(root, items[start : start + size])
            done += len(rows)
            yield done, rows

    def _write(self, conn: sqlite3.Connection, drop: list[str], rows: list[FileRow]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM records WHERE path = ?", [(p,) for p in drop])
            insert = (
                f"INSERT INTO records ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})"
            )
            for values, body in rows:
                new_id = conn.execute(insert, values).lastrowid
                conn.execute("INSERT INTO texts (id, body) VALUES (?, ?)", (new_id, body))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        finally:
            self._generation += 1

    # Queries ----------------------------------------------------------------------

    def _where(self, f: Filters, conn: sqlite3.Connection) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        modes = [m for m in f.modes if m]
        if not modes:
            clauses.append("0")
        else:
            clauses.append(f"mode IN ({', '.join('?' * len(modes))})")
            params.extend(modes)
        if f.reference.strip():
            clauses.append("ref_key = ?")
            params.append(f.reference.strip().casefold())
        if f.date_from is not None:
            clauses.append("sort_at >= ?")
            params.append(f.date_from.isoformat())
        if f.date_to is not None:
            clauses.append("sort_at < ?")
            params.append((f.date_to + timedelta(days=1)).isoformat())
        if f.grid:
            clauses.append("grid_id = ?")
            params.append(f.grid)
        if f.outcome:
            clauses.append("outcome = ?")
            params.append(f.outcome)
        terms = list(dict.fromkeys(words(f.text)))[:MAX_WORDS]
        if terms:
            self._text_matches(conn, terms)
            # "+id": walk the list in its order and look each row up in the matches,
            # so a common word stops at the first page instead of sorting every match.
            clauses.append("+id IN temp.text_match")
        return " AND ".join(clauses), params

    def _text_matches(self, conn: sqlite3.Connection, terms: list[str]) -> None:
        """Fill temp.text_match with the ids of records holding every word (as a prefix).

        Kept while the same words are asked again (count, then each page) and
        the index has not changed; every word is a bound parameter.
        """
        version = (conn.execute("PRAGMA data_version").fetchone()[0], self._generation)
        key = (tuple(terms), self.fts, version)
        if self._matches.get(conn) == key:
            return
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS text_match (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.text_match")
        self._matches.pop(conn, None)
        likes = " AND ".join("body LIKE ? ESCAPE '\\'" for _ in terms)
        like = (
            f"INSERT INTO temp.text_match SELECT id FROM texts WHERE {likes}",
            [f"% {_escape_like(term)}%" for term in terms],
        )
        if self.fts:
            expression = " AND ".join(f'"{term}"*' for term in terms)
            try:
                conn.execute(
                    "INSERT INTO temp.text_match SELECT rowid FROM fts WHERE fts MATCH ?",
                    [expression],
                )
            except sqlite3.OperationalError:
                conn.execute("DELETE FROM temp.text_match")
                conn.execute(*like)  # a word FTS5 splits in two: fall back to LIKE
        else:
            conn.execute(*like)
        self._matches[conn] = key

    def _row(self, values: tuple[Any, ...]) -> IndexRow:
        row = list(values)
        row[3] = bool(row[3])  # synthetic
        row[12] = bool(row[12])  # carer
        if row[14] != "ok":
            row[15] = f"{self.root / row[1]}:{row[15]}"
        return IndexRow(*row)

    def _select(self, f: Filters, tail: str, extra: list[Any]) -> list[IndexRow]:
        with self._use() as conn:
            where, params = self._where(f, conn)
            found = conn.execute(
                f"SELECT {_ROW_SELECT} FROM records WHERE {where} {tail}", [*params, *extra]
            ).fetchall()
        return [self._row(values) for values in found]

    def count(self, f: Filters) -> int:
        with self._use() as conn:
            where, params = self._where(f, conn)
            return conn.execute(f"SELECT count(*) FROM records WHERE {where}", params).fetchone()[0]

    def page(self, f: Filters, offset: int, limit: int) -> list[IndexRow]:
        """Rows newest first (created, then record id, both descending)."""
        return self._select(
            f,
            "ORDER BY sort_at DESC, record_id DESC, id DESC LIMIT ? OFFSET ?",
            [max(0, limit), max(0, offset)],
        )

    def iter_rows(self, f: Filters, batch: int = 1000) -> Iterator[IndexRow]:
        """Every matching row in page() order, a batch at a time (never all in memory).

        Each batch starts after the last row of the one before (keyset paging),
        so the whole list costs the same per row however long it is.
        """
        after: list[Any] = []
        while True:
            keyset = " AND (sort_at, record_id, id) < (?, ?, ?)" if after else ""
            with self._use() as conn:
                where, params = self._where(f, conn)
                found = conn.execute(
                    f"SELECT {_ROW_SELECT}, sort_at, id FROM records WHERE {where}{keyset} "
                    "ORDER BY sort_at DESC, record_id DESC, id DESC LIMIT ?",
                    [*params, *after, batch],
                ).fetchall()
            for values in found:
                yield self._row(values[:-2])
            if len(found) < batch:
                return
            last = found[-1]
            after = [last[-2], last[0], last[-1]]

    def get(self, record_id: str) -> IndexRow | None:
        with self._use() as conn:
            found = conn.execute(
                f"SELECT {_ROW_SELECT} FROM records WHERE record_id = ? "
                "ORDER BY sort_at DESC LIMIT 1",
                [record_id.strip().lower()],
            ).fetchone()
        return self._row(found) if found else None

    def person(self, reference: str, modes: tuple[str, ...] = ("clinical",)) -> list[IndexRow]:
        """Every record of one service user, oldest first."""
        if not reference.strip():
            return []
        return self._select(
            Filters(reference=reference, modes=modes), "ORDER BY sort_at, record_id, id", []
        )

    def grids(self) -> list[tuple[str, str]]:
        """(grid id, latest title) of every grid in the index, for filter choices.

        Hops from one grid id to the next in its index: a few lookups, not a scan.
        """
        found: list[tuple[str, str]] = []
        with self._use() as conn:
            after = ""
            while True:
                grid_id = conn.execute(
                    "SELECT min(grid_id) FROM records WHERE grid_id > ?", (after,)
                ).fetchone()[0]
                if grid_id is None:
                    return found
                title = conn.execute(
                    "SELECT grid_title FROM records WHERE grid_id = ? "
                    "ORDER BY sort_at DESC LIMIT 1",
                    (grid_id,),
                ).fetchone()[0]
                found.append((grid_id, title))
                after = grid_id

    def clinic(self, f: Filters, today: date | None = None) -> ClinicStats:
        """Figures for the clinic view over the records the filters select.

        Outcome, carer and disagreement counts are over records that could be
        read; `failed` counts the rest. Certainty shares are over the service
        users who answered that item.
        """
        today = today or datetime.now(UTC).date()
        with self._use() as conn:
            where, params = self._where(f, conn)
            ok = f"{where} AND status = 'ok'"
            # One pass, no sorting: a sum for each outcome rather than GROUP BY.
            outcomes = ["", *(o.value for o in Outcome)]
            sums = ", ".join("sum(status = 'ok' AND outcome = ?)" for _ in outcomes)
            total, failed, carer, open_, *counts = conn.execute(
                "SELECT count(*), sum(status != 'ok'), sum(carer), sum(open_disagreements > 0), "
                f"{sums} FROM records WHERE {where}",
                [*outcomes, *params],
            ).fetchone()
            by_outcome = {o: n for o, n in zip(outcomes, counts, strict=True) if n}
            # Each person's latest record (SQLite takes the bare column from the max row);
            # a record with no reference counts on its own.
            overdue = conn.execute(
                "SELECT count(*) FROM (SELECT review_date, max(sort_at) FROM records "
                f"WHERE {ok} AND ref_key != '' GROUP BY ref_key) "
                "WHERE review_date != '' AND review_date < ?",
                [*params, today.isoformat()],
            ).fetchone()[0]
            overdue += conn.execute(
                f"SELECT count(*) FROM records WHERE {ok} AND ref_key = '' "
                "AND review_date != '' AND review_date < ?",
                [*params, today.isoformat()],
            ).fetchone()[0]
            averages = ", ".join(f"avg({c})" for c in [*_FB, *_CY])
            found = conn.execute(
                f"SELECT substr(sort_at, 1, 7) AS month, count(*), {averages} "
                f"FROM records WHERE {where} GROUP BY month ORDER BY month",
                params,
            ).fetchall()
        months = []
        for month, count, *means in found:
            fb, cy = means[: len(_FB)], means[len(_FB) :]
            months.append(
                MonthStats(
                    month=month,
                    count=count,
                    feedback=dict(zip(FEEDBACK_ITEMS, fb, strict=True)),
                    certainty_yes=dict(zip(CERTAINTY_ITEMS, cy, strict=True)),
                )
            )
        return ClinicStats(
            total=total,
            by_outcome=by_outcome,
            with_carer=carer or 0,
            with_open_disagreements=open_ or 0,
            overdue_reviews=overdue,
            failed=failed or 0,
            months=months,
        )


def _span(folder: str) -> tuple[str, str]:
    return f"{folder}/", f"{folder}0"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
