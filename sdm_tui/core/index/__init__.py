"""The records index: a rebuildable cache of what the review list shows.

The TOML records stay the source of truth. `<root>/index.sqlite3` (0600)
holds one row per record file with the fields the list, the filters and the
clinic view need, plus the file's size and mtime_ns so `refresh()` can tell
which files were added, changed or removed since it last looked (a month
folder whose own mtime and row count are unchanged is passed over: an edit in
place, which leaves the folder's mtime alone, is for `verify()`). Changed and
new files are read once, never through a link, only if regular and within the
size limit, and checked as `sdm-tui records verify` does; a file that fails
(a link, a FIFO, too large, damaged) is indexed with its status and one-line
problem, never skipped. Each row keeps the sha256 of the file's bytes and a
seal over its own values: `verify()` (in the background, after the list is
shown) and `check_file()` (when a record is opened) find a file changed with
its time kept, or a row edited in the index file, read it again and flag it.

Delete the index any time: it is rebuilt. It is rebuilt by itself when it is
missing, corrupt, from an older schema, missing a table, or a link or special
file (never written through); damage found while in use rebuilds it too
(`stale` then asks for a refresh). A read-only folder gets an index in
memory and a `.warning` for the screen. Two windows may share a folder: SQLite
locking (WAL, busy timeout) keeps the file whole, and a lock file lets only
one of them read the records at a time, so the other does not repeat the work.

Free text uses SQLite FTS5 when it is compiled in (checked at run time), else
LIKE over the same normalised words. User text is split into words here and
each word is passed as a bound, quoted prefix term, so nothing typed can be
FTS syntax or SQL.
"""

from __future__ import annotations

from sdm_tui.core.index.clinic import Clinic
from sdm_tui.core.index.connections import INDEX_NAME, LOCK_NAME
from sdm_tui.core.index.integrity import Verified, Verify
from sdm_tui.core.index.reading import read_file, read_record
from sdm_tui.core.index.rows import Changes, ClinicStats, Filters, IndexRow, MonthStats
from sdm_tui.core.index.schema import SCHEMA_VERSION, fts5_available
from sdm_tui.core.index.search import words
from sdm_tui.core.index.walk import MODES, folders

__all__ = [
    "INDEX_NAME",
    "LOCK_NAME",
    "MODES",
    "SCHEMA_VERSION",
    "Changes",
    "ClinicStats",
    "Filters",
    "IndexRow",
    "MonthStats",
    "RecordIndex",
    "Verified",
    "folders",
    "fts5_available",
    "read_file",
    "read_record",
    "words",
]


class RecordIndex(Verify, Clinic):
    """The records index of one folder: open(), refresh(), then the queries.

    Modules, one job each: search (words), reading (one file -> a row), pool
    (reader processes), walk (the folder), schema, connections (and locks),
    sync (catching up), integrity (file hashes and row seals checked), queries,
    clinic (figures).
    """
