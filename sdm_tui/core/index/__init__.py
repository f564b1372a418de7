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

from sdm_tui.core.index.clinic import Clinic
from sdm_tui.core.index.connections import INDEX_NAME, LOCK_NAME
from sdm_tui.core.index.integrity import Verified, Verify
from sdm_tui.core.index.reading import read_file
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
    "words",
]


class RecordIndex(Verify, Clinic):
    """The records index of one folder: open(), refresh(), then the queries.

    Modules, one job each: search (words), reading (one file -> a row), pool
    (reader processes), walk (the folder), schema, connections (and locks),
    sync (catching up), integrity (file hashes and row seals checked), queries,
    clinic (figures).
    """
