"""The review screen's two background checks, as a part of the screen (a mixin).

First the folder: `RecordIndex.refresh` in a worker thread catches the index up
with files added, changed or removed behind the app's back ("checking the
folder…", with progress). Then every file against the index: `RecordIndex.verify`
compares each file's sha256 and each row's seal (in a process of its own), and
what differs is read again and marked ≠ "changed on disk". Both report in the
status line; the index is closed by whichever ends last once the screen is gone.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from typing import Any

from textual import work
from textual.app import App

from sdm_tui.core.index import Changes, RecordIndex, Verified

PROGRESS_EVERY_S = 0.25
REQUERY_EVERY_S = 2.0  # while a long check reads many files, show what is indexed so far
EARLY_ROWS_FROM = 1000  # a check this long shows its first rows (the newest) at once


class FolderChecks:
    """Checking the folder, then every file; the screen provides what is declared here."""

    index: RecordIndex | None
    checking: str
    checked: str
    verifying: str
    verified: str
    verify_result: Verified | str | None
    index_error: str
    _verify_started: bool
    _last_progress: float
    _last_requery: float
    _rows_early: bool  # a long check has shown its first rows (the newest are read first)
    _full_check: bool  # this check compares every file, not only changed folders'
    _gone: bool
    app: App[Any]

    def _show_status(self) -> None: ...  # pragma: no cover - the screen's
    def requery(self, *, keep_cursor: bool = False) -> None: ...  # pragma: no cover
    def _load_grids(self) -> None: ...  # pragma: no cover

    def action_check_folder(self, full: bool = True) -> None:
        """Check the folder: every file's size and time when asked for (Ctrl+R), or
        passing over month folders that look unchanged (`full=False`, on opening)."""
        if self.index is None or self.checking:
            return
        self._full_check = full
        self._last_requery = time.monotonic()
        self._rows_early = False
        self.checking = "checking the folder…"
        self.checked = ""
        self.verified = ""
        self._show_status()
        self._check_folder()

    def _check_folder(self) -> None:
        # The app is fetched here: once the screen is closed, the thread cannot find it.
        self._run_check(self.app)

    @work(thread=True, exclusive=True, group="review-refresh", exit_on_error=False)
    def _run_check(self, app: App) -> None:
        index = self.index
        if index is None:
            return

        def progress(done: int, total: int) -> None:
            """At most a few times a second, tell the screen how far the check has got."""
            now = time.monotonic()
            if done < total and now - self._last_progress < PROGRESS_EVERY_S:
                return
            self._last_progress = now
            app.call_from_thread(self._show_progress, done, total)

        try:
            result: Changes | str = index.refresh(progress=progress, full=self._full_check)
        except (sqlite3.Error, OSError) as exc:
            result = str(exc)
        app.call_from_thread(self._finish_check, result)

    def _show_progress(self, done: int, total: int) -> None:
        if not self.checking or self._gone:
            return
        self.checking = f"checking the folder… {done:,} of {total:,} files read"
        now = time.monotonic()
        first = total >= EARLY_ROWS_FROM and done > 0 and not self._rows_early
        if first or now - self._last_requery >= REQUERY_EVERY_S:
            self._rows_early = True
            self._last_requery = now
            self.requery(keep_cursor=True)
        else:
            self._show_status()

    def _finish_check(self, result: Changes | str) -> None:
        """In the app's thread when a check ends: show it, or close the index if we left."""
        self.checking = ""
        if self._gone:
            if self.index is not None and not self.verifying:
                self.index.close()
            return
        if isinstance(result, str):
            self._check_failed(result)
        else:
            self._checked(result)
            self._verify_files()

    def _checked(self, changes: Changes) -> None:
        moved = changes.added + changes.updated + changes.removed
        if moved or changes.rebuilt:
            self.checked = (
                f"✓ folder checked: {changes.added:,} new, {changes.updated:,} changed, "
                f"{changes.removed:,} gone"
            )
            self._load_grids()
            self.requery(keep_cursor=True)
        else:
            self.checked = "✓ folder checked: no changes"
            self._show_status()

    def _check_failed(self, message: str) -> None:
        self.index_error = (
            f"⚠ Could not check the records folder ({message}). The list may be out of date; "
            "press Ctrl+R to try again."
        )
        self._show_status()

    # Checking every file against the index ------------------------------------

    def _verify_files(self) -> None:
        if self.index is None or self.verifying or self._gone:
            return
        self.verifying = "verifying files…"
        self._verify_started = False
        self._show_status()
        self._run_verify(self.app)

    @work(thread=True, exclusive=True, group="review-verify", exit_on_error=False)
    def _run_verify(self, app: App) -> None:
        self._verify_started = True
        index = self.index
        if index is None:
            return
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last[0] < PROGRESS_EVERY_S:
                return
            last[0] = now
            app.call_from_thread(self._show_verify_progress, done, total)

        result: Verified | str = "the check stopped"
        try:
            result = index.verify(progress, stop=lambda: self._gone)
        except Exception as exc:  # whatever it was, the screen must hear of the end
            result = f"{type(exc).__name__}: {exc}"
        finally:
            with contextlib.suppress(RuntimeError):  # the app has closed
                app.call_from_thread(self._finish_verify, result)

    def _show_verify_progress(self, done: int, total: int) -> None:
        if not self.verifying or self._gone:
            return
        self.verifying = f"verifying files… {done:,} of {total:,}"
        self._show_status()

    def _finish_verify(self, result: Verified | str) -> None:
        self.verifying = ""
        self.verify_result = result
        if self._gone:
            if self.index is not None and not self.checking:
                self.index.close()
            return
        if isinstance(result, str):
            self.verified = "⚠ files not verified (Ctrl+R to try again)"
        elif result.stopped:
            self.verified = ""
        elif result.changed:
            self.verified = (
                f"≠ {result.changed:,} file{'' if result.changed == 1 else 's'} changed on disk "
                "(marked ≠)"
            )
            self.requery(keep_cursor=True)
            return
        else:
            self.verified = f"✓ {result.checked:,} files verified"
        self._show_status()
