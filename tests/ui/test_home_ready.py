"""Home is ready with the grids' headings; the full check comes just after.

A grid whose file reads well (TOML, format, no unsafe character) but whose content the
full check refuses (here: an answer citing a source the grid does not list) is offered
on Home until the check is done, then taken off with its problem shown. Nothing opens
it meanwhile: opening a grid waits for the full check. `CheckHeldApp` holds the check
until the test lets it go, so this is seen every time, whatever the speed of the machine.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import SdmApp
from sdm_tui.ui.screens.home import HomeScreen
from sdm_tui.ui.screens.start import ChooseGrid
from sdm_tui.ui.textual_compat import notifications

DATA = Path(__file__).resolve().parents[1] / "data"


class CheckHeldApp(SdmApp):
    """The real app; its full check of the grids waits until `go` is set."""

    _BASE_PATH = sys.modules[SdmApp.__module__].__file__  # CSS_PATH is relative to it

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.go = threading.Event()
        self.loaded = asyncio.Event()
        self.done = asyncio.Event()

    def _check_at_start(self) -> None:
        assert self.go.wait(60), "the test never let the full check go"
        super()._check_at_start()

    def on_sdm_app_loaded(self, _message: SdmApp.Loaded) -> None:
        self.loaded.set()

    def on_sdm_app_checked(self, _message: SdmApp.Checked) -> None:
        self.done.set()


def bad_grid_text() -> str:
    """The example grid under another id, one answer citing a source it does not list."""
    text = (DATA / "example-grid.toml").read_text("utf-8")
    text = text.replace('id = "example-grid"', 'id = "cites-nothing"', 1)
    text = text.replace('title = "Example: choosing', 'title = "Broken example: choosing', 1)
    return text.replace('sources = ["huhn2019"]', 'sources = ["no-such-source"]', 1)


@pytest.fixture
def grids(tmp_path: Path) -> Path:
    folder = tmp_path / "grids"
    folder.mkdir()
    (folder / "cites-nothing.toml").write_text(bad_grid_text(), "utf-8")
    return folder


def prompts(app: SdmApp, selector: str) -> list[str]:
    listing = app.screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def shown(app: SdmApp) -> list[str]:
    return [n.message for n in notifications(app)]


async def test_a_grid_that_fails_the_full_check_is_taken_off_home_with_its_problem(
    store: RecordStore, grids: Path
) -> None:
    (grids / "example-grid.toml").write_text((DATA / "example-grid.toml").read_text("utf-8"))
    app = CheckHeldApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 60)
        await pilot.pause()
        assert app.ready and not app.checked
        assert app.headings is not None
        assert sorted(app.headings.grids) == ["cites-nothing", "example-grid"]
        assert not any("no-such-source" in message for message in shown(app))
        app.go.set()
        await asyncio.wait_for(app.done.wait(), 60)
        await pilot.pause()
        assert app.checked
        assert list(app.headings.grids) == ["example-grid"]
        assert any(
            "cites-nothing.toml" in message and "no-such-source" in message
            for message in shown(app)
        )
        await pilot.press("enter")  # Start: only the grid that passed is offered
        await pilot.pause()
        assert isinstance(app.screen, ChooseGrid)
        offered = prompts(app, "#grid-choice")
        assert len(offered) == 1 and "Example: choosing" in offered[0]


async def test_only_a_grid_that_fails_the_full_check_then_home_explains(
    store: RecordStore, grids: Path
) -> None:
    app = CheckHeldApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 60)
        await pilot.pause()
        assert "not available" not in prompts(app, "#home-actions")[0]
        app.go.set()
        await asyncio.wait_for(app.done.wait(), 60)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "not available" in prompts(app, "#home-actions")[0]
        problems = app.screen.query_one("#grid-problems", Static)
        assert problems.display
        text = str(problems.render())
        assert "cites-nothing.toml" in text and "no-such-source" in text


async def test_start_chosen_before_the_full_check_ends_offers_only_checked_grids(
    store: RecordStore, grids: Path
) -> None:
    """The check is still held: choosing Start does the check itself, then goes on."""
    (grids / "example-grid.toml").write_text((DATA / "example-grid.toml").read_text("utf-8"))
    app = CheckHeldApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 60)
        await pilot.pause()
        assert not app.checked
        await pilot.press("enter")  # Start
        await pilot.pause()
        assert isinstance(app.screen, ChooseGrid)
        offered = prompts(app, "#grid-choice")
        assert len(offered) == 1 and "Broken" not in offered[0]
        app.go.set()
        await asyncio.wait_for(app.done.wait(), 60)
        await pilot.pause()
        assert isinstance(app.screen, ChooseGrid)  # the check did not disturb the chooser
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.headings is not None and list(app.headings.grids) == ["example-grid"]


async def test_a_grid_home_cannot_judge_by_its_heading_is_checked_before_ready(
    store: RecordStore, grids: Path
) -> None:
    """No title: the headings cannot say why, so the full check runs before Home lists
    anything (the held check is never needed)."""
    text = bad_grid_text().replace('title = "Broken example: choosing', 'titel = "x', 1)
    (grids / "cites-nothing.toml").write_text(text, "utf-8")
    app = CheckHeldApp(store, grids_dir=grids)
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), 60)
        await pilot.pause()
        assert app.ready and app.checked
        assert "not available" in prompts(app, "#home-actions")[0]
        text = str(app.screen.query_one("#grid-problems", Static).render())
        assert "cites-nothing.toml" in text and "title" in text
