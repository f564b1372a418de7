"""ASCII mode (--ascii, or TERM=linux): every symbol on screen is drawn as its ASCII
mark (core/glyphs.py), Textual's own borders and buttons included; people's words and
the grid's letters are left as they are."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from flow import open_consultation
from textual.app import App

from sdm_tui import __main__ as cli
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.session import Leaning, Role, grid_ref, new_session
from sdm_tui.core.store import RecordStore
from sdm_tui.core.transitions import add_participant, choose_options, rate_importance, set_leaning
from sdm_tui.ui import run
from sdm_tui.ui.app import SdmApp

DATA = Path(__file__).resolve().parent.parent / "data"


def screen_lines(app: App) -> list[str]:
    """The screen as the terminal gets it: every widget, every line filter applied."""
    update = app.screen._compositor.render_update(full=True)
    return ["".join(strip.text for strip in line) for line in update.strips]


def not_ascii(lines: list[str]) -> set[str]:
    """Characters on screen that are not ASCII and not letters (people's words, the
    grid's text may hold letters such as "é"; no symbol may be left)."""
    return {
        char
        for line in lines
        for char in line
        if not char.isascii() and not unicodedata.category(char).startswith(("L", "M"))
    }


def make_app(tmp_path: Path, ascii_only: bool) -> SdmApp:
    store = RecordStore(tmp_path / "records")
    store.ensure()
    return SdmApp(store, load_catalog(DATA), ascii_only=ascii_only)


async def test_home_is_pure_ascii_in_ascii_mode(tmp_path: Path) -> None:
    app = make_app(tmp_path, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)
        assert all(line.isascii() for line in lines), [ln for ln in lines if not ln.isascii()]
        assert any("> + Start a consultation" in line for line in lines)  # the cursor
        assert any("~ Resume an unfinished" in line for line in lines)


async def test_without_ascii_mode_the_symbols_are_drawn(tmp_path: Path) -> None:
    app = make_app(tmp_path, ascii_only=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "▶ + Start a consultation" in text and "↺ Resume" in text


async def test_every_talk_shows_no_symbol_but_ascii_marks(tmp_path: Path) -> None:
    app = make_app(tmp_path, ascii_only=True)
    grid = app.catalog.get("example-grid")
    assert grid is not None
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    session = add_participant(session, Role.SERVICE_USER, "Zoë Example")
    session = add_participant(session, Role.CLINICIAN, "Dr Invented")
    session = choose_options(session, [o.id for o in grid.options][:3])
    su, doc = session.participants
    first, second = grid.questions[0].id, grid.options[0].id
    session = rate_importance(session, su.id, first, 4)
    session = rate_importance(session, doc.id, first, 1)
    session = set_leaning(session, su.id, second, Leaning.TOWARDS)
    session = set_leaning(session, doc.id, second, Leaning.AWAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_consultation(app, pilot, session)
        seen = []
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await pilot.press(key)
            await pilot.pause()
            lines = screen_lines(app)
            seen.append("\n".join(lines))
            assert not_ascii(lines) == set(), key
        options = seen[1]
        assert "Zo" in options and "> Zo" in options  # the person recorded, marked ">"
        assert "+ towards" in "\n".join(seen)  # the leaning's mark, and its word
        assert "enter Answer" in options  # keys named in words, not "<" for "⏎"


def test_ascii_option_reaches_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []
    monkeypatch.setattr(run, "run_app", lambda **kwargs: calls.append(kwargs) or 0)
    assert cli.main(["--ascii"]) == 0
    assert cli.main(["review", "--ascii"]) == 0
    assert cli.main(["review"]) == 0
    assert [c["ascii_only"] for c in calls] == [True, True, False]
    assert calls[1]["start"] == "review"


def test_the_linux_console_turns_ascii_mode_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made: list[bool] = []

    def fake_run(self: SdmApp) -> None:
        made.append(self.ascii_only)

    monkeypatch.setattr(SdmApp, "run", fake_run)
    monkeypatch.setenv("TERM", "linux")
    assert run.run_app(str(tmp_path / "records"), None) == 0
    monkeypatch.setenv("TERM", "xterm-256color")
    assert run.run_app(str(tmp_path / "records"), None) == 0
    assert run.run_app(str(tmp_path / "records"), None, ascii_only=True) == 0
    assert made == [True, False, True]


async def test_review_and_the_clinic_view_show_no_symbol_in_ascii_mode(tmp_path: Path) -> None:
    from flow import REVIEW_TODAY, SHIPPED, review_archive

    from sdm_tui.ui.screens.clinic import ClinicScreen
    from sdm_tui.ui.screens.review import ReviewScreen

    store = RecordStore(tmp_path / "records")
    store.ensure()
    review_archive(store.root, synthetic=40)
    app = SdmApp(store, load_catalog(SHIPPED), ascii_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(ReviewScreen(today=REVIEW_TODAY))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = screen_lines(app)
        assert not_ascii(lines) == set()
        assert any(line.lstrip("| ").startswith(">") for line in lines)  # the row cursor
        for key in ("m", "m", "c"):
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ClinicScreen)
        lines = screen_lines(app)
        assert not_ascii(lines) == set()
        assert any("#" in line for line in lines)  # the bars, drawn in #
