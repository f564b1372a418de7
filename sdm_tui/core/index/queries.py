"""Queries: filters, pages, one record, a person's records, the grids in use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sdm_tui.core.index.connections import Connections, recovering
from sdm_tui.core.index.rows import Filters, IndexRow
from sdm_tui.core.index.schema import BULK, ROW_SELECT
from sdm_tui.core.index.search import MAX_WORDS, escape_like, words
from sdm_tui.core.text import clean_line


class Queries(Connections):
    """What the list, the filters and the timeline ask of the index.

    Every public query is `recovering`: a damaged index is rebuilt (empty,
    `stale` set so the caller refreshes), never an error on the screen.
    """

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
        if f.open_concerns:
            clauses.append("open_concerns > 0")
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
            [f"% {escape_like(term)}%" for term in terms],
        )
        if self.fts and not self._building(conn):
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

    @staticmethod
    def _building(conn: sqlite3.Connection) -> bool:
        """An index being built from nothing: its words are not in FTS5 yet (use LIKE)
        and its clinic summaries not filled (count the rows)."""
        return conn.execute("SELECT 1 FROM meta WHERE key = ?", (BULK,)).fetchone() is not None

    def _row(self, values: tuple[Any, ...]) -> IndexRow:
        row = list(values)
        row[3] = bool(row[3])  # synthetic
        row[12] = bool(row[12])  # carer
        if row[14] != "ok":
            row[15] = f"{self.root / row[1]}:{row[15]}"
        # Whatever the index file holds reaches the screen cleaned (it may have been
        # edited); but the path, which opens the file (shown cleaned by the list).
        cleaned: list[Any] = [
            clean_line(v) if isinstance(v, str) and i != 1 else v for i, v in enumerate(row)
        ]
        return IndexRow(*cleaned)

    def _select(self, f: Filters, tail: str, extra: list[Any]) -> list[IndexRow]:
        with self._use() as conn:
            where, params = self._where(f, conn)
            found = conn.execute(
                f"SELECT {ROW_SELECT} FROM records WHERE {where} {tail}", [*params, *extra]
            ).fetchall()
        return [self._row(values) for values in found]

    @recovering
    def count(self, f: Filters) -> int:
        with self._use() as conn:
            where, params = self._where(f, conn)
            found = conn.execute(f"SELECT count(*) FROM records WHERE {where}", params).fetchone()
            return int(found[0])

    @recovering
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
            found = self._batch_after(f, after, batch)
            for values in found:
                yield self._row(values[:-2])
            if len(found) < batch:
                return
            last = found[-1]
            after = [last[-2], last[0], last[-1]]

    @recovering
    def _batch_after(self, f: Filters, after: list[Any], batch: int) -> list[Any]:
        keyset = " AND (sort_at, record_id, id) < (?, ?, ?)" if after else ""
        with self._use() as conn:
            where, params = self._where(f, conn)
            return conn.execute(
                f"SELECT {ROW_SELECT}, sort_at, id FROM records WHERE {where}{keyset} "
                "ORDER BY sort_at DESC, record_id DESC, id DESC LIMIT ?",
                [*params, *after, batch],
            ).fetchall()

    @recovering
    def get(self, record_id: str) -> IndexRow | None:
        with self._use() as conn:
            found = conn.execute(
                f"SELECT {ROW_SELECT} FROM records WHERE record_id = ? "
                "ORDER BY sort_at DESC LIMIT 1",
                [record_id.strip().lower()],
            ).fetchone()
        return self._row(found) if found else None

    @recovering
    def person(self, reference: str, modes: tuple[str, ...] = ("clinical",)) -> list[IndexRow]:
        """Every record of one service user, oldest first."""
        if not reference.strip():
            return []
        return self._select(
            Filters(reference=reference, modes=modes), "ORDER BY sort_at, record_id, id", []
        )

    @recovering
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
