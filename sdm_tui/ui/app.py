"""The sdm-tui app: home, the consultation, help, themes and safe failure."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.theme import Theme

from sdm_tui import __version__
from sdm_tui.core.catalog import Catalog
from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.store import RecordStore
from sdm_tui.core.text import clean
from sdm_tui.ui.crash import APOLOGY, write_crash_log
from sdm_tui.ui.themes import CALM, THEMES

if TYPE_CHECKING:
    from sdm_tui.core.scenario import ScenarioSet


class SdmApp(App[None]):
    CSS_PATH = [
        "app.tcss",
        "panes/team.tcss",
        "panes/options.tcss",
        "panes/side.tcss",
        "panes/decision.tcss",
        "panes/summary.tcss",
        "panes/observer.tcss",
        "panes/debrief.tcss",
    ]
    TITLE = "sdm-tui"
    SUB_TITLE = "choosing medicine together"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    # The default theme is known before App.__init__ builds the stylesheet from the
    # theme's colours. Setting it afterwards made Textual parse and apply all the CSS a
    # second time at start-up (a tenth of the start-up time; see benchmarks/startup.py).
    theme: Reactive[str] = Reactive(CALM.name)

    def __init__(
        self,
        store: RecordStore,
        catalog: Catalog,
        *,
        scenarios: ScenarioSet | None = None,
        scenarios_dir: Path | None = None,
        theme: str = "sdm-calm",
        start: str = "",
    ) -> None:
        """`scenarios`: the role-play scenarios (default: the shipped ones, checked
        against the catalog's grids). Problems with scenarios given here are shown at
        start; those of the shipped set only in the scenario chooser, since running on
        other grids (--grids) makes shipped scenarios unusable on purpose.
        `start`: "review" opens the review screen over Home (Escape goes Home)."""
        super().__init__()
        self.store = store
        self.catalog = catalog
        self.start_screen = start
        self._scenarios_dir = scenarios_dir
        self._announce_scenarios = scenarios is not None
        self._scenarios = scenarios
        for item in THEMES.values():
            self.register_theme(item)
        if theme != self.theme:
            self.theme = theme
        else:
            self.add_class(f"-theme-{theme}")  # as Textual's theme watcher would

    @property
    def available_themes(self) -> dict[str, Theme]:
        return {**THEMES, **super().available_themes}

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
        if self._scenarios is None:
            from sdm_tui.core.scenario import load_scenarios, scenario_paths

            paths = scenario_paths(self.scenarios_dir)
            self._scenarios = load_scenarios(paths, self.catalog.grids)
        return self._scenarios

    def on_mount(self) -> None:
        from sdm_tui.ui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start_screen == "review":
            from sdm_tui.ui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen())
        for problem in self.catalog.problems[:3]:
            self.notify(
                str(problem), title="Grid problem", severity="warning", timeout=12, markup=False
            )
        if self._announce_scenarios:
            for problem in self.scenarios.problems[:3]:
                self.notify(
                    str(problem),
                    title="Scenario problem",
                    severity="warning",
                    timeout=12,
                    markup=False,
                )

    async def on_event(self, event: events.Event) -> None:
        # A paste reaches a widget's text unfiltered (typed keys cannot carry escape
        # sequences): clean it first, so no escape or control byte is shown on the
        # shared screen, even before the text is stored (where it is cleaned again).
        if isinstance(event, events.Paste) and not event.is_forwarded:
            text = clean(event.text)
            if text != event.text:
                event = events.Paste(text)
        await super().on_event(event)

    # The consultation in progress, if any -------------------------------

    def consultation(self):
        from sdm_tui.ui.screens.consult import ConsultationScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, ConsultationScreen):
                return screen
        return None

    # Commands -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Help", "How sdm-tui works: the three talks (F1)", self.action_help)
        yield SystemCommand(
            "Theme: calm", "The default colours", lambda: self._set_theme("sdm-calm")
        )
        yield SystemCommand(
            "Theme: high contrast",
            "Black and white, bright accents",
            lambda: self._set_theme("sdm-contrast"),
        )
        consult = self.consultation()
        if consult is not None:
            yield SystemCommand(
                "Save", "Finish and save the record and summary (Ctrl+S)", consult.action_save
            )
            yield SystemCommand(
                "Switch person", "Record views for the next person", consult.cycle_active
            )
            talks = [
                ("team", "Team talk"),
                ("options", "Option talk"),
                ("side", "Side by side"),
                ("decision", "Decision talk"),
                ("summary", "Summary"),
            ]
            if consult.training:
                talks += [("observer", "Observer"), ("debrief", "Debrief")]
                yield SystemCommand(
                    "Role-play briefs", "One player's private brief (F7)", consult.action_briefs
                )
            for key, title in talks:
                yield SystemCommand(
                    f"Go to {title}",
                    f"Open {title.lower()}",
                    lambda key=key: consult.action_talk(key),
                )
        yield SystemCommand("Quit", "Close sdm-tui (drafts stay saved)", self.action_quit)

    def _set_theme(self, name: str) -> None:
        self.theme = name

    def action_help(self) -> None:
        from sdm_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        consult = self.consultation()
        if consult is None or consult.session.completed is not None:
            self.exit()
            return
        from sdm_tui.ui.screens.confirm import ConfirmQuit

        def done(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(ConfirmQuit(consult.save_error), done)

    # Safe failure ---------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Never show a traceback (it would print session content on the shared screen)."""
        draft = "Your work so far was saved as a draft."
        consult = self.consultation()
        if consult is not None:
            try:
                self.store.save_draft(consult.session)
            except (StoreError, OSError):
                draft = "The last change could not be saved; earlier steps are in the draft."
        log = write_crash_log(self.store.root, error)
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        message = APOLOGY.format(draft=draft, log=log or "(could not write a log)")
        self.panic(Text(message))


__all__ = ["SdmApp", "__version__"]
