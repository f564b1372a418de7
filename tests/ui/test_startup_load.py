"""Start-up: Home is drawn first, the grids and drafts are read just after.

The app here is started as `sdm-tui` starts it: with no catalog, so it reads the grids
(and the drafts) itself after its first frame. `HeldApp` holds that reading until the
test lets it go, so keys can be pressed while Home still says it is checking, every
time, whatever the speed of the machine.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.color import Color
from textual.screen import Screen
from textual.widgets import OptionList, Static

from sdm_tui.core import grid
from sdm_tui.core.catalog import grid_paths, load_catalog
from sdm_tui.core.session import grid_ref, new_session
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.app import PANE_CSS, SdmApp
from sdm_tui.ui.run import run_app
from sdm_tui.ui.screens.consult import ConsultationScreen
from sdm_tui.ui.screens.help import HelpScreen
from sdm_tui.ui.screens.home import CHECKING, HomeScreen
from sdm_tui.ui.screens.start import ChooseGrid
from sdm_tui.ui.startup import SCREENS_CSS
from sdm_tui.ui.textual_compat import notifications

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "option_grids"
DATA = REPO / "tests" / "data"


class HeldApp(SdmApp):
    """The real app; its start-up reading waits until `go` is set (at once if not held),
    and `loaded` is set when Home shows what was read."""

    _BASE_PATH = sys.modules[SdmApp.__module__].__file__  # CSS_PATH is relative to it

    def __init__(self, *args, held: bool = True, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.go = threading.Event()
        if not held:
            self.go.set()
        self.loaded = asyncio.Event()
        self.checked_shown = asyncio.Event()

    def _read_at_start(self):  # type: ignore[no-untyped-def]
        assert self.go.wait(60), "the test never let the start-up reading go"
        return super()._read_at_start()

    def on_sdm_app_loaded(self, _message: SdmApp.Loaded) -> None:
        self.loaded.set()

    def on_sdm_app_checked(self, _message: SdmApp.Checked) -> None:
        self.checked_shown.set()


async def let_go(app: HeldApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the reading go and wait until Home shows it (the limit only stops a hang)."""
    app.go.set()
    await asyncio.wait_for(app.loaded.wait(), 60)
    await pilot.pause()


def prompts(app: SdmApp, selector: str) -> list[str]:
    return prompts_on(app.screen, selector)


def prompts_on(screen: Screen[object], selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def drafts_shown(app: SdmApp) -> list[str]:
    """The drafts' lines: "Checking…" (not yet a list: HomeScreen.compose), then the list's."""
    checking = app.screen.query("#drafts-checking")
    if checking:
        return [str(checking.only_one(Static).render()).strip()]
    return prompts(app, "#drafts")


def shown(app: SdmApp) -> list[str]:
    return [n.message for n in notifications(app)]


async def test_start_chosen_before_the_grids_are_read_opens_the_chooser(
    store: RecordStore,
) -> None:
    app = HeldApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert not app.ready
        assert drafts_shown(app) == [CHECKING]
        assert "(…)" in prompts(app, "#home-actions")[1]
        await pilot.press("enter")  # "Start a consultation", at once
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # waiting, not lost
        await let_go(app, pilot)
        assert isinstance(app.screen, ChooseGrid)
        offered = prompts(app, "#grid-choice")
        titles = [grid.title for grid in load_catalog(SHIPPED).grids.values()]
        assert len(offered) == len(titles)
        assert all(any(title in prompt for prompt in offered) for title in titles)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert drafts_shown(app) == ["None: every consultation has been saved."]


async def test_a_draft_shows_up_once_read_and_resume_chosen_early_goes_to_it(
    store: RecordStore,
) -> None:
    grid = load_catalog(DATA).get("example-grid")
    assert grid is not None
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    store.save_draft(session)
    store.release_draft(session.record_id)
    app = HeldApp(store, grids_dir=DATA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert drafts_shown(app) == [CHECKING]
        await pilot.press("down", "enter")  # "Resume", before the drafts are read
        await pilot.pause()
        await let_go(app, pilot)
        # The only draft opens at once once it has been read (no second Enter).
        assert isinstance(app.screen, ConsultationScreen)
        assert app.screen.session.record_id == session.record_id
        home = app.screen_stack[-2]
        assert isinstance(home, HomeScreen)
        drafts = prompts_on(home, "#drafts")
        assert len(drafts) == 1 and grid.title in drafts[0]


async def test_a_grids_folder_with_only_a_broken_file_explains_and_start_does_not_crash(
    store: RecordStore, tmp_path: Path
) -> None:
    grids = tmp_path / "grids"
    grids.mkdir()
    broken = grids / "antipsychotic-choice.toml"
    broken.write_text('id = "antipsychotic-choice"\nnot toml [[[\n', "utf-8")
    app = HeldApp(store, grids_dir=grids)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # Start, chosen before the grids are read
        await let_go(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        problems = app.screen.query_one("#grid-problems", Static)
        assert problems.display
        text = str(problems.render())
        assert str(broken) in text and ":2:" in text
        assert "sdm-tui grids validate" in text
        assert "not available" in prompts(app, "#home-actions")[0]
        assert any("sdm-tui grids validate" in message for message in shown(app))
        app.clear_notifications()
        await pilot.press("enter")  # Start again: explained again, nothing opens
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("No consultation can start" in message for message in shown(app))
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (None, 0)


async def test_scenarios_chosen_on_the_command_line_are_checked_after_the_first_frame(
    store: RecordStore, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-scenarios"
    app = HeldApp(store, scenarios_dir=missing, check_scenarios=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await let_go(app, pilot)
        assert any(str(missing) in message for message in shown(app))


@pytest.mark.parametrize("read_early", [True, False])
async def test_the_talks_css_is_applied_and_follows_the_theme(
    store: RecordStore, monkeypatch: pytest.MonkeyPatch, read_early: bool
) -> None:
    """Read once Home shows the grids and drafts, or (without that) by Textual when the
    consultation screen is first shown (its CSS_PATH): the talks look the same."""
    if not read_early:
        monkeypatch.setattr(SdmApp, "_read_pane_css", lambda self: None)
    app = HeldApp(store, grids_dir=DATA, held=False)
    async with app.run_test(size=(140, 40)) as pilot:
        # Read once Home shows the grids and drafts, with the full check: done by Checked.
        await asyncio.wait_for(app.checked_shown.wait(), 60)
        await pilot.pause()
        for path in PANE_CSS:
            assert path.parent == REPO / "sdm_tui" / "ui" / "panes"
            assert app.stylesheet.has_source(str(path)) is read_early
        await pilot.press("enter")  # Start
        await pilot.pause()
        await pilot.press("enter")  # the only grid
        await pilot.pause()
        assert isinstance(app.screen, ConsultationScreen)
        people = app.screen.query_one("#team-people")
        assert people.styles.margin.top == 1  # team.tcss
        for theme in ("sdm-contrast", "sdm-calm"):
            app.theme = theme
            await pilot.pause()
            right = app.screen.query_one("#team-right")
            kind, colour = right.styles.border_left
            assert kind == "vkey"  # team.tcss, wide layout (140 columns)
            assert colour == Color.parse(app.get_css_variables()["panel"])


async def test_other_screens_rules_are_read_before_one_is_first_shown(store: RecordStore) -> None:
    """Home's first frame is styled with app.tcss alone; a screen opened before the
    start-up reads screens.tcss (help, at once) has its rules all the same."""
    app = HeldApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.stylesheet.has_source(str(SCREENS_CSS))
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.stylesheet.has_source(str(SCREENS_CSS))
        assert app.screen.styles.align == ("center", "middle")  # screens.tcss: ModalScreen
        await let_go(app, pilot)


def test_the_garbage_collector_waits_for_the_start_up_then_runs_again(
    store: RecordStore,
) -> None:
    """Started with `run`, as sdm-tui starts: no cyclic collection until the grids are
    checked and drawn, then it runs again (and after the app, whatever happens)."""
    seen: dict[str, bool] = {}
    app = HeldApp(store, grids_dir=DATA)

    async def pilot_steps(pilot) -> None:  # type: ignore[no-untyped-def]
        seen["held"] = gc.isenabled()  # the start-up reading is held: still starting
        app.go.set()
        await asyncio.wait_for(app.checked_shown.wait(), 60)
        await pilot.pause()
        seen["checked"] = gc.isenabled()
        app.exit()

    assert gc.isenabled()
    try:
        app.run(headless=True, size=(100, 30), auto_pilot=pilot_steps)
    finally:
        gc.unfreeze()  # what the app froze, back to the collector for the other tests
    assert seen == {"held": False, "checked": True}
    assert gc.isenabled()


def test_grid_paths_lists_grid_files_without_reading_them(tmp_path: Path) -> None:
    assert grid.grid_paths is grid_paths  # one definition, used by the loader and start-up
    assert [p.name for p in grid_paths()] == sorted(p.name for p in SHIPPED.glob("*.toml"))
    (tmp_path / "b.toml").write_text("", "utf-8")
    (tmp_path / "a.toml").write_text("", "utf-8")
    (tmp_path / "notes.txt").write_text("", "utf-8")
    assert grid_paths(tmp_path) == [tmp_path / "a.toml", tmp_path / "b.toml"]
    assert grid_paths(tmp_path / "missing") == []


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_no_grid_file_stops_before_the_app_with_the_fix(
    tmp_path: Path, folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    grids = tmp_path / folder
    if folder == "empty":
        grids.mkdir()
    assert run_app(str(tmp_path / "records"), grids) == 1
    err = capsys.readouterr().err
    assert err == f"No usable option grid in {grids}. Run 'sdm-tui grids validate'.\n"


def test_a_records_folder_that_cannot_be_made_stops_before_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    assert run_app(str(blocker / "records"), None) == 1
    err = capsys.readouterr().err
    assert str(blocker / "records") in err
    assert err.endswith("Use --records DIR to choose a folder you can write to.\n")


def test_the_first_screen_needs_no_pydantic() -> None:
    """What is imported before the first frame: the grid and record models are not."""
    code = (
        "import sys\n"
        "import sdm_tui.__main__, sdm_tui.ui.run, sdm_tui.ui.app, sdm_tui.ui.screens.home\n"
        "import sdm_tui.core.store, sdm_tui.core.catalog\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'\n"
        "    or m in ('sdm_tui.core.grid', 'sdm_tui.core.session', 'sdm_tui.core.record'))\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
