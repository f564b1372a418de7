"""The index's tables: columns, statements, and the FTS5 check."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from typing import Any

from sdm_tui.core.session import CERTAINTY_ITEMS, FEEDBACK_ITEMS

SCHEMA_VERSION = 7  # PRAGMA user_version; any other value is rebuilt

FB = [f"fb_{key}" for key in FEEDBACK_ITEMS]
CY = [f"cy_{key}" for key in CERTAINTY_ITEMS]
LAYOUT = ",".join([*FB, *CY])  # a change of items rebuilds the index
BASE_COLUMNS = (
    "path size mtime_ns record_id mode synthetic created completed sort_at grid_id grid_title "
    "outcome option_id option service_user_ref ref_key review_date open_disagreements carer "
    "amends status problem sha256"
)
# Record format 2: concerns raised, answered, and still open in each record.
CONCERNS = ["concerns", "answered", "open_concerns"]
COLUMNS = [*BASE_COLUMNS.split(), *CONCERNS, *FB, *CY]
# A file that cannot be used: everything empty but what its name and folder say.
NOTHING: dict[str, Any] = {
    **dict.fromkeys(COLUMNS, ""),
    **dict.fromkeys(("synthetic", "open_disagreements", "carer", *CONCERNS), 0),
    **dict.fromkeys([*FB, *CY], None),
}
ROW_SELECT = (
    "record_id, path, mode, synthetic, created, grid_id, grid_title, outcome, option, "
    "service_user_ref, review_date, open_disagreements, carer, amends, status, problem, "
    "completed, option_id, sha256, flag, open_concerns"
)

# Meta key: a build from nothing is filling the index; its words (FTS5), the DEFERRED
# indexes and triggers, and the clinic summaries come at the end. Left behind by a
# build that stopped, it is finished by the next refresh (sync.py).
BULK = "fts_after_build"
# Not kept row by row while a build from nothing fills the index (BULK in meta), but
# made once at its end: keeping them cost two thirds of a build's SQLite time (7.4 s of
# 100,000 rows' inserts; 2.2 s without them, the indexes made after). The list's own
# order (records_mode, records_order) stays, so its first page is there early.
DEFERRED = frozenset(
    {
        "records_person",
        "records_grid",
        "records_outcome",
        "records_id",
        "clinic_counted",
        "clinic_person_added",
    }
)
# Meta key, while a build from nothing is under way: its texts up to this id have their
# words in FTS5 (indexed in chunks as it reads); a text dropped meanwhile leaves FTS5
# only if its words are there (FTS5 takes deleting words it does not hold as damage).
WORDS_UPTO = "words_upto"
FileRow = tuple[tuple[Any, ...], str]  # (column values in COLUMNS order, body)


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


def statements(fts: bool) -> list[str]:
    numbers = ", ".join(f"{c} INTEGER" for c in [*FB, *CY])
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
            sha256 TEXT NOT NULL,
            seal TEXT NOT NULL,
            flag TEXT NOT NULL,
            concerns INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            open_concerns INTEGER NOT NULL DEFAULT 0,
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
        # Each month folder's own mtime_ns and file count when its files were last
        # compared (-1: too recent to trust), so a refresh can pass over a folder
        # nothing was added to, removed from or renamed in (see sync._compare).
        "CREATE TABLE folders (folder TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, "
        "files INTEGER NOT NULL) WITHOUT ROWID",
        """CREATE TRIGGER records_gone AFTER DELETE ON records BEGIN
            DELETE FROM texts WHERE id = old.id;
        END""",
    ]
    statements += summary_statements()
    if fts:
        statements += [
            "CREATE VIRTUAL TABLE fts USING fts5(body, content='texts', content_rowid='id', "
            "detail=none, prefix='1 2 3', tokenize='unicode61 remove_diacritics 2')",
            # Not while an index is built from nothing (BULK in meta): the words are
            # indexed all at once at the end, a sixth of the cost (see sync.py).
            f"""CREATE TRIGGER texts_added AFTER INSERT ON texts
            WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '{BULK}') BEGIN
                INSERT INTO fts (rowid, body) VALUES (new.id, new.body);
            END""",
            f"""CREATE TRIGGER texts_gone AFTER DELETE ON texts WHEN old.id <= coalesce(
                (SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{WORDS_UPTO}'), old.id)
            BEGIN
                INSERT INTO fts (fts, rowid, body) VALUES ('delete', old.id, old.body);
            END""",
        ]
    return statements


# The clinic view's figures over all records of some modes, kept up to date by
# triggers as rows come and go (records rows are only ever inserted and deleted):
# per mode, month, readable or not, and outcome, the counts and the sums behind the
# averages; and per person and mode, their latest readable record's review date.
ITEMS = [*FB, *CY, "concerns", "answered"]  # the last two are counts, summed by month


def summary_statements() -> list[str]:
    sums = ", ".join(f"s_{c} INTEGER NOT NULL, n_{c} INTEGER NOT NULL" for c in ITEMS)
    names = ", ".join(f"s_{c}, n_{c}" for c in ITEMS)
    values = ", ".join(f"coalesce(new.{c}, 0), new.{c} IS NOT NULL" for c in ITEMS)
    added = ", ".join(
        f"s_{c} = s_{c} + excluded.s_{c}, n_{c} = n_{c} + excluded.n_{c}" for c in ITEMS
    )
    taken = ", ".join(
        f"s_{c} = s_{c} - coalesce(old.{c}, 0), n_{c} = n_{c} - (old.{c} IS NOT NULL)"
        for c in ITEMS
    )
    key = "mode, month, ok, outcome"
    old_key = (
        "mode = old.mode AND month = substr(old.sort_at, 1, 7) "
        "AND ok = (old.status = 'ok') AND outcome = old.outcome"
    )
    return [
        f"""CREATE TABLE clinic_months (
            mode TEXT NOT NULL, month TEXT NOT NULL, ok INTEGER NOT NULL, outcome TEXT NOT NULL,
            n INTEGER NOT NULL, carer INTEGER NOT NULL, open INTEGER NOT NULL, {sums},
            PRIMARY KEY ({key})
        ) WITHOUT ROWID""",
        f"""CREATE TRIGGER clinic_counted AFTER INSERT ON records BEGIN
            INSERT INTO clinic_months ({key}, n, carer, open, {names})
            VALUES (new.mode, substr(new.sort_at, 1, 7), new.status = 'ok', new.outcome, 1,
                new.carer, new.open_disagreements > 0, {values})
            ON CONFLICT ({key}) DO UPDATE SET n = n + 1, carer = carer + excluded.carer,
                open = open + excluded.open, {added};
        END""",
        f"""CREATE TRIGGER clinic_uncounted AFTER DELETE ON records BEGIN
            UPDATE clinic_months SET n = n - 1, carer = carer - old.carer,
                open = open - (old.open_disagreements > 0), {taken}
            WHERE {old_key};
            DELETE FROM clinic_months WHERE {old_key} AND n <= 0;
        END""",
        """CREATE TABLE clinic_people (
            ref_key TEXT NOT NULL, mode TEXT NOT NULL, sort_at TEXT NOT NULL,
            review_date TEXT NOT NULL, PRIMARY KEY (ref_key, mode)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER clinic_person_added AFTER INSERT ON records
        WHEN new.status = 'ok' AND new.ref_key != '' BEGIN
            INSERT INTO clinic_people (ref_key, mode, sort_at, review_date)
            VALUES (new.ref_key, new.mode, new.sort_at, new.review_date)
            ON CONFLICT (ref_key, mode) DO UPDATE SET
                sort_at = excluded.sort_at, review_date = excluded.review_date
            WHERE excluded.sort_at > clinic_people.sort_at;
        END""",
        """CREATE TRIGGER clinic_person_gone AFTER DELETE ON records
        WHEN old.status = 'ok' AND old.ref_key != '' BEGIN
            DELETE FROM clinic_people WHERE ref_key = old.ref_key AND mode = old.mode;
            INSERT INTO clinic_people (ref_key, mode, sort_at, review_date)
            SELECT ref_key, mode, max(sort_at), review_date FROM records
            WHERE ref_key = old.ref_key AND mode = old.mode AND status = 'ok'
            GROUP BY ref_key, mode;
        END""",
    ]


_MADE = re.compile(r"CREATE (?:VIRTUAL )?(?:TABLE|INDEX|TRIGGER) (\w+)")


def expected_names(fts: bool) -> set[str]:
    """Every table, index and trigger the schema makes (one missing means rebuild)."""
    return {m.group(1) for statement in statements(fts) for m in _MADE.finditer(statement)}


def deferred_statements(fts: bool) -> list[tuple[str, str]]:
    """(name, statement) of each DEFERRED index and trigger, in the schema's order."""
    found = [(_MADE.search(s), s) for s in statements(fts)]
    return [(m.group(1), s) for m, s in found if m is not None and m.group(1) in DEFERRED]


def summaries_from_records() -> list[str]:
    """Fill the clinic summary tables from the records table, as the triggers would have.

    The end of a build from nothing (its insert triggers were not there).
    """
    sums = ", ".join(f"sum(coalesce({c}, 0)), sum({c} IS NOT NULL)" for c in ITEMS)
    names = ", ".join(f"s_{c}, n_{c}" for c in ITEMS)
    key = "mode, month, ok, outcome"
    return [
        "DELETE FROM clinic_months",
        "DELETE FROM clinic_people",
        f"""INSERT INTO clinic_months ({key}, n, carer, open, {names})
            SELECT mode, substr(sort_at, 1, 7), status = 'ok', outcome, count(*), sum(carer),
                sum(open_disagreements > 0), {sums}
            FROM records GROUP BY mode, substr(sort_at, 1, 7), status = 'ok', outcome""",
        # A person's latest readable record (SQLite takes review_date from the max row).
        """INSERT INTO clinic_people (ref_key, mode, sort_at, review_date)
            SELECT ref_key, mode, max(sort_at), review_date FROM records
            WHERE status = 'ok' AND ref_key != '' GROUP BY ref_key, mode""",
    ]


def schema_complete(conn: sqlite3.Connection, fts: bool, names: set[str]) -> bool:
    """`names` (what sqlite_master holds) has every object the schema makes, or all but
    the DEFERRED ones while a build from nothing is under way."""
    missing = expected_names(fts) - names
    if not missing:
        return True
    if not missing <= DEFERRED:
        return False
    return conn.execute("SELECT 1 FROM meta WHERE key = ?", (BULK,)).fetchone() is not None


def is_damage(exc: sqlite3.Error) -> bool:
    """The index file is damaged or tampered with (rebuild it), not busy or read-only.

    Any DatabaseError but an OperationalError is damage (malformed, not a
    database, a forged row breaking a constraint); an OperationalError is when
    a table, column or index the schema makes is missing, or SQLite says corrupt.
    """
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if not isinstance(exc, sqlite3.OperationalError):
        return True
    message = str(exc).lower()
    return any(word in message for word in ("no such", "malformed", "corrupt", "not a database"))


class Corrupt(Exception):
    """The index file is not a usable database."""


def check_or_create(conn: sqlite3.Connection) -> tuple[bool, bool]:
    """Create the schema, or rebuild it when it is older or laid out differently.

    Returns (FTS5 is used, the tables were made afresh).
    """
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise Corrupt from None
    fts = fts5_available(conn)
    if version == SCHEMA_VERSION and schema_complete(conn, fts, tables):
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("layout") == LAYOUT and meta.get("fts") == str(int(fts)):
            return fts, False
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another window may have rebuilt it while we waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        current = {
            r[0]: r[1]
            for r in conn.execute("SELECT name, type FROM sqlite_master WHERE sql IS NOT NULL")
        }
        if version == SCHEMA_VERSION and schema_complete(conn, fts, set(current)):
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if meta.get("layout") == LAYOUT and meta.get("fts") == str(int(fts)):
                conn.execute("COMMIT")
                return fts, False
        for name, kind in current.items():
            # Shadow tables too (fts_data...): the FTS table itself may be the one gone.
            if kind == "table" and not name.startswith("sqlite_"):
                try:
                    conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                except sqlite3.OperationalError as exc:  # e.g. FTS5 gone from this SQLite
                    raise Corrupt from exc
        create(conn, fts, transaction=False)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return fts, True


def create(conn: sqlite3.Connection, fts: bool, transaction: bool = True) -> None:
    if transaction:
        conn.execute("BEGIN IMMEDIATE")
    for statement in statements(fts):
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("layout", LAYOUT), ("fts", str(int(fts)))],
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if transaction:
        conn.execute("COMMIT")
