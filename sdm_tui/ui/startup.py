"""Start-up: what SdmApp does after Home's first frame (a base of SdmApp, ui/app.py).

Three steps, so the first screen waits for no model (pydantic):

1. Home is drawn (the first frame).
2. In a thread: the grid files are read as far as their headings (core/gridfile.py:
   safe read, TOML, format version, unsafe characters; no model), what a killed save
   left is tidied and the drafts are listed. Home shows them: `ready`, `Loaded`.
3. In a thread, once Home has drawn them: the grid models are built and fully checked
   (`load_catalog`); meanwhile the talks' CSS is read. A grid that fails is taken off
   Home and its problem shown: `checked`, `Checked`. Anything that opens a grid (start,
   resume, role-play, review) waits for this step (`catalog` waits for it, or does it).

Where the headings cannot tell (see `Headings.unsure`) and when scenarios chosen on the
command line are to be checked, step 3 is done within step 2. A draft is read with the
record models, so drafts make step 2 import them; an empty drafts folder does not.

Started with `run` (as `sdm-tui` starts it), Python's cyclic garbage collector waits
for the start-up (`run`, `_end_gc_pause`): its first full collection walks every object
the imports made (~25 ms) and fell between the first frame and `ready`. Once the grids
are checked and Home has drawn them, one collection runs and what survives it (modules,
stylesheet, Home) is frozen, so later full collections do not walk it again.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

from sdm_tui.ui.panes.css import PANE_CSS
from sdm_tui.ui.textual_compat import layout_pending

# The other screens' base rules (app.tcss holds Home's): not parsed before the first frame.
SCREENS_CSS = Path(__file__).resolve().parent / "screens.tcss"

if TYPE_CHECKING:
    from sdm_tui.core.catalog import Catalog
    from sdm_tui.core.gridfile import Headings
    from sdm_tui.core.recovery import Recovery
    from sdm_tui.core.scenario import ScenarioSet
    from sdm_tui.core.session import Session
    from sdm_tui.core.store import DraftInfo, RecordStore
    from sdm_tui.core.tomlfile import Problem
    from sdm_tui.ui.app import SdmApp
    from sdm_tui.ui.screens.home import HomeScreen

    _Base = App[None]
else:
    _Base = object


class StartUp(_Base):
    """Reading the grids and drafts after the first frame, then checking the grids."""

    # SdmApp's messages, and what SdmApp.__init__ sets.
    Loaded: type[Message]
    Checked: type[Message]
    store: RecordStore
    headings: Headings | None
    ready: bool
    checked: bool
    recovery: Recovery | None
    _catalog: Catalog | None
    _grids_dir: Path | None
    _loading: bool
    _announced: set[str]
    _read_lock: threading.RLock
    _scenarios_dir: Path | None
    _announce_scenarios: bool
    _scenarios: ScenarioSet | None
    _gc_paused = False

    def run(self, **options):  # App.run's keywords
        """App.run, with the garbage collector paused until the grids are checked (see
        the module); on any way out it runs again."""
        if not self.checked and gc.isenabled():
            gc.disable()
            self._gc_paused = True
        try:
            return super().run(**options)
        finally:
            if self._gc_paused:
                self._gc_paused = False
                gc.enable()

    def _end_gc_pause(self) -> None:
        """The start-up is done and drawn: collect once, freeze what is left, carry on."""
        if self._gc_paused:
            self._gc_paused = False
            gc.collect()
            gc.freeze()
            gc.enable()

    @property
    def catalog(self) -> Catalog:
        """The option grids. Before the start-up read is done this waits for it (Home
        waits without blocking; other screens are not reached that quickly)."""
        catalog = self._catalog
        if catalog is None:
            with self._read_lock:
                if self._catalog is None:
                    from sdm_tui.core.catalog import load_catalog

                    self._catalog = load_catalog(self._grids_dir)
                catalog = self._catalog
        return catalog

    @property
    def scenarios_dir(self) -> Path:
        if self._scenarios_dir is None:
            from sdm_tui.core.scenario import shipped_scenarios_dir

            self._scenarios_dir = shipped_scenarios_dir()
        return self._scenarios_dir

    @property
    def scenarios(self) -> ScenarioSet:
        """The role-play scenarios, read when first needed: Home does not show them, so
        reading and checking them at start-up only made the first screen slower."""
        scenarios = self._scenarios
        if scenarios is None:
            with self._read_lock:
                if self._scenarios is None:
                    self._scenarios = _read_scenarios(self.scenarios_dir, self.catalog)
                scenarios = self._scenarios
        return scenarios

    def on_ready(self) -> None:
        # Ready comes after the first frame has been sent to the terminal (Home may still
        # have layout to do): wait until Home has drawn all it has to draw.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        screen = self.screen
        # Textual also runs these callbacks right after a refresh that left another
        # pending (Textual 8.2.8, Screen._on_timer_update); starting the work below then
        # slowed the first usable frame (see benchmarks/launch.py, which checks alike).
        if layout_pending(screen):
            self.call_after_refresh(self._after_first_frame)
            return
        if not self.ready and not self._loading:
            self._loading = True
            # Textual 8.2.8's run_worker overloads refuse an async method returning None.
            self.run_worker(self._load, name="read grids and drafts", group="start-up")  # type: ignore[arg-type]
        elif self.ready and not self._loading:
            self._read_pane_css()  # given the grids: nothing to read or check first

    def _start_check(self) -> None:
        """The full check, once Home has drawn what it has to draw (as `_after_first_frame`)."""
        if layout_pending(self.screen):
            self.call_after_refresh(self._start_check)
            return
        if not self.checked:
            self.run_worker(self._check, name="check the grids", group="start-up")  # type: ignore[arg-type]
        self._read_pane_css()  # meanwhile (the thread builds models; this parses CSS)

    def _read_pane_css(self) -> None:
        """Add the other screens' and the talks' CSS once Home shows the grids and drafts,
        so opening the first consultation does not parse all the CSS again (as Textual
        does when a screen's CSS_PATH is new). Parsing reuses the rules already parsed:
        only these are new. They style only other screens' widgets, so nothing shown
        changes. (Read just after the first frame, it was a third of the time to `ready`:
        on the event loop, while the thread read the grids and drafts.)"""
        self._read_css(SCREENS_CSS, *PANE_CSS)

    def _read_screens_css(self) -> None:
        """The other screens' rules, before one of them is shown (SdmApp.push_screen)."""
        self._read_css(SCREENS_CSS)

    def _read_css(self, *paths: Path) -> None:
        new = [path for path in paths if not self.stylesheet.has_source(str(path))]
        if new:
            self.stylesheet.read_all(new)
            self.stylesheet.parse()

    async def _load(self) -> None:
        """Read the grids' headings (and scenarios to check), then the drafts, off the
        event loop, then show them. An error here is handled like any other
        (`_handle_exception`)."""
        drafts = await asyncio.to_thread(self._read_at_start)
        self.ready = True
        if self._catalog is not None and not self.checked:  # checked in the thread
            self._mark_checked()
        for home in self._homes():
            home.loaded(drafts)
        self._announce_problems()
        self.post_message(self.Loaded())
        if self.checked:
            self.post_message(self.Checked())

    def on_sdm_app_loaded(self, _message: SdmApp.Loaded) -> None:
        # After Home has drawn the grids and drafts: the check would delay that frame.
        self.call_after_refresh(self._start_check)

    def on_sdm_app_checked(self, _message: SdmApp.Checked) -> None:
        self.call_after_refresh(self._end_gc_pause)

    def _read_at_start(self) -> list[DraftInfo]:
        """Runs in a thread: touches no widget, only the files and this app's caches."""
        from sdm_tui.core.catalog import grid_paths
        from sdm_tui.core.gridfile import read_headings

        with self._read_lock:
            if self._catalog is None:
                self.headings = read_headings(grid_paths(self._grids_dir))
        if self.headings is None or self.headings.unsure or self._announce_scenarios:
            self.catalog  # noqa: B018 - reads and checks the grids now: see the module
        if self._announce_scenarios:
            self.scenarios  # noqa: B018 - reads and checks them against the grids
        self._recover()
        return self.store.drafts()

    async def _check(self) -> None:
        """Build and check the grid models (after Home shows the grids and drafts), then
        take any grid that failed off Home and say why."""
        await asyncio.to_thread(self._check_at_start)
        if self.checked:
            return
        self._mark_checked()
        for home in self._homes():
            home.checked()
        self._announce_problems()
        self.post_message(self.Checked())

    def _check_at_start(self) -> None:
        """Runs in a thread: builds the grid models (the catalog), touching no widget."""
        self.catalog  # noqa: B018

    def _mark_checked(self) -> None:
        from sdm_tui.core.gridfile import headings_of

        self.headings = headings_of(self.catalog)
        self.checked = True

    def _homes(self) -> list[HomeScreen]:
        from sdm_tui.ui.screens.home import HomeScreen

        return [screen for screen in self.screen_stack if isinstance(screen, HomeScreen)]

    def _recover(self) -> None:
        """Tidy what a killed save left before the drafts are listed (core/recovery.py):
        a finished consultation is never offered again as a draft, a missing summary is
        written, temp files go. Never stops the start: what failed is only noted."""
        from sdm_tui.core.recovery import recover

        def summary(session: Session) -> str:
            # Imported only when a summary is missing (rare): it is a tenth of "ready".
            from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

            catalog = self.catalog  # the grid models, only for a missing summary
            grid = catalog.exact(session.grid) or catalog.get(session.grid.id)
            contact = self.store.clinic_contact(DEFAULT_CONTACT)
            return summary_markdown(session, grid, contact=contact)

        try:
            self.recovery = recover(self.store, summary)
        except Exception:  # a tidy that fails must not stop the app from opening
            self.recovery = None

    def _announce_problems(self) -> None:
        """Problems with grids (when some are usable; Home explains when none is) and
        with scenarios the caller chose, a few at a time, each once: the grids' are
        found in two steps (headings, then the full check)."""
        headings = self.headings
        if headings is not None and headings.grids:
            self._announce(headings.problems, "Grid problem")
        if self._announce_scenarios:
            self._announce(self.scenarios.problems, "Scenario problem")

    def _announce(self, problems: Sequence[Problem], title: str) -> None:
        new = [text for text in map(str, problems) if text not in self._announced]
        for text in new[:3]:
            self.notify(text, title=title, severity="warning", timeout=12, markup=False)
        self._announced.update(new)


def _read_scenarios(folder: Path, catalog: Catalog) -> ScenarioSet:
    """The scenarios in `folder`; a missing folder is a problem shown in the app, not a crash."""
    from sdm_tui.core.scenario import ScenarioSet, load_scenarios, scenario_paths
    from sdm_tui.core.tomlfile import Problem

    if not folder.is_dir():
        problem = Problem(
            str(folder), 0, "no such folder of scenarios", "use --scenarios DIR with a folder"
        )
        return ScenarioSet(problems=[problem])
    return load_scenarios(scenario_paths(folder), catalog.grids)
