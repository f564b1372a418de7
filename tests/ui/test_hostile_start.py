"""The app never stops at start because of a file (issue 13, items 3 and 4).

The app is started as `sdm-tui` starts it (no catalog: it reads the grids, tidies
after a kill and lists the drafts itself after the first frame). Before this change a
damaged draft, a grid nested 1,000 deep or a read-only folder holding a leftover lock
file each opened the app on the crash apology, which told people to "choose Resume".
Everyone here is invented.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import sys
import types
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from sdm_tui.core import fsutil, record
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.session import Session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown
from sdm_tui.ui import crash
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.crash import NO_CONSULTATION, write_crash_log
from sdm_tui.ui.run import open_store
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.textual_compat import notifications

DATA = Path(__file__).resolve().parents[1] / "data"


class StartedApp(SdmApp):
    """The real app; `loaded` is set when Home shows the grids and drafts read at start."""

    _BASE_PATH = sys.modules[SdmApp.__module__].__file__  # CSS_PATH is relative to it

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.loaded = asyncio.Event()

    def on_sdm_app_loaded(self, _message: SdmApp.Loaded) -> None:
        self.loaded.set()


async def started(app: StartedApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await asyncio.wait_for(app.loaded.wait(), 60)  # the limit only stops a hang
    await pilot.pause()


def prompts(app: SdmApp, selector: str) -> list[str]:
    listing = app.screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


@pytest.fixture
def grids(tmp_path: Path) -> Path:
    """The example grid, and a grid file nested 1,000 deep."""
    folder = tmp_path / "grids"
    folder.mkdir()
    shutil.copy(DATA / "example-grid.toml", folder / "example-grid.toml")
    (folder / "deep.toml").write_text("x = " + "[" * 1000 + "]" * 1000 + "\n", "utf-8")
    return folder


def a_session(grids: Path, record_id: str, *, finished: bool = False) -> Session:
    from cli_helpers import NOW, draft_session, finished_session

    grid = load_catalog(grids).get("example-grid")
    assert grid is not None
    if finished:
        return finished_session(grid, record_id=record_id)
    return draft_session(grid, record_id=record_id, now=NOW)


async def test_a_damaged_draft_and_a_deep_grid_leave_everything_else_working(
    store: RecordStore, grids: Path
) -> None:
    store.save_draft(a_session(grids, "good00000001"))
    store.release_draft("good00000001")
    damaged = store.drafts_dir / "dmgd00000001.toml"
    text = record.dumps(a_session(grids, "dmgd00000001")).decode()
    damaged.write_text(text.replace("created = ", "created = 07:32:00\n# was ", 1), "utf-8")
    app = StartedApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        drafts = prompts(app, "#drafts")
        assert len(drafts) == 2
        assert any("dmgd00000001: cannot be opened" in d and "07:32" not in d for d in drafts)
        assert any("a time of day with no date" in d for d in drafts)
        notes = [n.message for n in notifications(app)]
        assert any("deep.toml:0: not usable: tables or lists nested too deep" in n for n in notes)
        # Everything else works: the good grid starts a consultation.
        assert list(app.catalog.grids) == ["example-grid"]
        app.screen.query_one("#home-actions", OptionList).highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChooseGrid"


async def test_a_finished_consultation_is_never_offered_as_a_draft(
    store: RecordStore, grids: Path
) -> None:
    finished = a_session(grids, "done00000001", finished=True)
    store.save_draft(a_session(grids, "done00000001"))
    store.release_draft("done00000001")
    path = store.record_path(finished)  # killed after the record, before the summary
    fsutil.make_dir(path.parent)
    fsutil.atomic_write(path, record.dumps(finished), replace=False)
    temp = store.drafts_dir / ".done00000001.toml.999999999.tmp"
    temp.write_bytes(record.dumps(finished))
    app = StartedApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        assert prompts(app, "#drafts") == ["None: every consultation has been saved."]
    assert app.recovery is not None and app.recovery.drafts_retired == ["done00000001"]
    assert not store.draft_path("done00000001").exists()
    assert not temp.exists()
    grid = load_catalog(grids).get("example-grid")
    expected = summary_markdown(finished, grid, contact=DEFAULT_CONTACT)
    assert path.with_suffix(".md").read_text("utf-8") == expected


def read_only_os(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give fsutil an `os` that cannot create, write or remove anything (tests run as
    root, so chmod would not stop them)."""
    fake = types.ModuleType("os")
    fake.__dict__.update(os.__dict__)
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def no_write_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & writing:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return os.open(path, flags, *args, **kwargs)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    fake.__dict__.update(open=no_write_open, unlink=refuse, mkdir=refuse, replace=refuse)
    monkeypatch.setattr(fsutil, "os", fake)


async def test_a_read_only_folder_with_a_leftover_lock_opens_read_only(
    store: RecordStore, grids: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_draft(a_session(grids, "left00000001"))
    store.release_draft("left00000001")  # the lock file stays, as after a crash
    assert (store.drafts_dir / "left00000001.lock").exists()
    read_only_os(monkeypatch)
    opened, error = open_store(str(store.root))
    assert opened is not None and error == ""
    assert opened.read_only
    app = StartedApp(opened, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        banner = app.screen.query_one("#read-only", Static)
        assert banner.display
        assert "read-only" in str(banner.render()) and "--records DIR" in str(banner.render())
        assert len(prompts(app, "#drafts")) == 1
        app.screen.query_one("#home-actions", OptionList).highlighted = 0
        await pilot.press("enter")  # start: says where else to save, opens nothing
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any(n.title == "Cannot save here" for n in notifications(app))
    assert (store.drafts_dir / "left00000001.lock").exists()


async def test_the_apology_never_claims_a_draft_when_no_consultation_was_open(
    store: RecordStore, grids: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    app = StartedApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        monkeypatch.setattr(app, "panic", lambda text: shown.append(str(text)))
        try:
            raise RuntimeError("boom")
        except RuntimeError as error:
            app._handle_exception(error)
        app._exception = None  # the test goes on; the real app would close here
    [message] = shown
    assert NO_CONSULTATION.strip() in message
    assert "Resume" not in message and "saved as a draft" not in message


def test_two_crashes_in_one_second_keep_both_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime(2026, 11, 2, 10, 30, 0, tzinfo=UTC)

    monkeypatch.setattr(crash, "datetime", Frozen)
    first = write_crash_log(tmp_path, RuntimeError("one"))
    second = write_crash_log(tmp_path, ValueError("two"))
    assert first is not None and second is not None and first != second
    assert "RuntimeError" in first.read_text() and "ValueError" in second.read_text()


async def test_a_planted_link_where_the_draft_was_left_is_never_written_through(
    tmp_path: Path, store: RecordStore, grids: Path
) -> None:
    from sdm_tui.ui.screens.consult import ConsultationScreen

    store.save_draft(a_session(grids, "talk00000001"))
    store.release_draft("talk00000001")
    precious = tmp_path / "precious.txt"
    precious.write_text("someone else's file\n", "utf-8")
    (store.drafts_dir / "talk00000001.talk").symlink_to(precious)
    app = StartedApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        await pilot.press("down", "enter")  # Resume
        await pilot.pause()
        drafts = app.screen.query("#drafts")
        if drafts and not isinstance(app.screen, ConsultationScreen):
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        assert app.screen.current_talk() == "team"  # the link was not read
        await pilot.press("f5")  # a talk change is remembered beside the draft
        await pilot.pause()
    assert precious.read_text("utf-8") == "someone else's file\n"
    talk = store.drafts_dir / "talk00000001.talk"
    assert not talk.is_symlink() and talk.read_text("utf-8") == "decision"


async def test_a_draft_file_name_with_markup_or_escapes_is_shown_as_text(
    store: RecordStore, grids: Path
) -> None:
    (store.drafts_dir / "[@click=app.quit]x[b]y\x1b[2J.toml").write_text("x = = 1\n", "utf-8")
    app = StartedApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot)
        listing = app.screen.query_one("#drafts", OptionList)
        [option] = listing.options
        shown = listing._get_visual(option)  # what is drawn: the text as it is, no markup
        text = str(shown)
        assert "[@click=app.quit]x[b]y" in text
        assert "\x1b" not in text and "\\x1b[2J" in text
        assert not [span for span in getattr(shown, "spans", []) if span.style]
