"""The sdm-tui app: home, the consultation, help, themes and safe failure.

Home is the app's first screen and is drawn first; the grids and drafts are read just
after it, then the grids are fully checked (ui/startup.py, a base of SdmApp).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.theme import Theme

from sdm_tui import __version__
from sdm_tui.core.store import RecordStore
from sdm_tui.ui.crash import (
    APOLOGY,
    DRAFT_NOT_SAVED,
    DRAFT_PARTLY,
    DRAFT_SAVED,
    NO_CONSULTATION,
    write_crash_log,
)
from sdm_tui.ui.panes.css import PANE_CSS
from sdm_tui.ui.startup import StartUp
from sdm_tui.ui.textual_compat import Apology
from sdm_tui.ui.themes import CALM, THEMES

if TYPE_CHECKING:
    from sdm_tui.core.catalog import Catalog
    from sdm_tui.core.gridfile import Headings
    from sdm_tui.core.recovery import Recovery
    from sdm_tui.core.scenario import ScenarioSet


# A screen under 72 columns gets the class -narrow (app.tcss: shorter key hints); widest first.
BREAKPOINTS = ((72, "-normal"), (0, "-narrow"))


class SdmApp(StartUp, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "sdm-tui"
    SUB_TITLE = "choosing medicine together"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = sorted(BREAKPOINTS)
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    # The default theme is known before App.__init__ builds the stylesheet from the
    # theme's colours. Setting it afterwards made Textual parse and apply all the CSS a
    # second time at start-up (a tenth of the start-up time; see benchmarks/startup.py).
    theme: Reactive[str] = Reactive(CALM.name)

    class Loaded(Message):
        """The grids were read and the drafts listed after the first frame; Home shows them."""

    class Checked(Message):
        """The grid models were built and checked after `Loaded`; Home shows the result."""

    def __init__(
        self,
        store: RecordStore,
        catalog: Catalog | None = None,
        *,
        grids_dir: Path | None = None,
        scenarios: ScenarioSet | None = None,
        scenarios_dir: Path | None = None,
        check_scenarios: bool = False,
        theme: str = "sdm-calm",
        start: str = "",
        ascii_only: bool = False,
    ) -> None:
        """`catalog`: the grids, already read. Without one, the grids in `grids_dir`
        (default: the shipped ones) are read just after the first frame, with the drafts;
        until then `ready` is False and Home says so.
        `scenarios`: the role-play scenarios (default: those in `scenarios_dir`, else the
        shipped ones, checked against the catalog's grids). Problems with scenarios given
        here, or read from `scenarios_dir` with `check_scenarios`, are shown at start;
        those of the shipped set only in the scenario chooser, since running on other
        grids (--grids) makes shipped scenarios unusable on purpose.
        `start`: "review" opens the review screen over Home (Escape goes Home).
        `ascii_only`: draw every symbol as its ASCII mark (the Linux console, --ascii)."""
        super().__init__()
        self.ascii_only = ascii_only
        self._ascii_filter = None
        if ascii_only:
            from sdm_tui.ui.ascii import AsciiFilter

            self._ascii_filter = AsciiFilter()
        self.store = store
        self._catalog = catalog
        self._grids_dir = grids_dir
        # What Home shows of the grids: from the catalog once checked, else the headings.
        self.headings: Headings | None = None
        if catalog is not None:
            from sdm_tui.core.gridfile import headings_of

            self.headings = headings_of(catalog)
        self.ready = catalog is not None
        self.checked = catalog is not None
        self._loading = False
        self._announced: set[str] = set()  # problems already shown (each only once)
        # Held while the grids or scenarios are read: by the start-up thread, or by the
        # event loop when a screen needs them before that thread is done (it then waits).
        self._read_lock = threading.RLock()
        self.start_screen = start
        self._scenarios_dir = scenarios_dir
        self._announce_scenarios = scenarios is not None or check_scenarios
        self._scenarios = scenarios
        self.recovery: Recovery | None = None  # what the start-up tidy did
        for item in THEMES.values():
            self.register_theme(item)
        if theme != self.theme:
            self.theme = theme
        else:
            self.add_class(f"-theme-{theme}")  # as Textual's theme watcher would

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if self._ascii_filter is None:
            return filters
        return [*filters, self._ascii_filter]

    def action_command_palette(self) -> None:
        """Textual's palette, with the highlighted command marked ▶ (widgets/palette.py)."""
        from sdm_tui.ui.widgets.palette import MarkedCommandPalette

        if self.use_command_palette and not MarkedCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[None]
            self.push_screen(MarkedCommandPalette(id="--command-palette"))

    def get_key_display(self, binding: Binding) -> str:
        shown = super().get_key_display(binding)
        if self._ascii_filter is None or shown.isascii():
            return shown
        from sdm_tui.core.glyphs import key_to_ascii

        return key_to_ascii(shown)  # "enter", not "⏎" drawn as "<"

    # Textual looks the theme up by name for every line it draws (App.ansi_theme ->
    # current_theme -> get_theme -> available_themes, a new dict each time): the themes
    # are kept in one dict here, made again only when one is registered or removed.
    _all_themes: dict[str, Theme] | None = None

    @property
    def available_themes(self) -> dict[str, Theme]:
        # sdm-tui's themes are here before __init__ registers them: Textual builds the
        # stylesheet from the default theme's colours inside App.__init__.
        if self._all_themes is None:
            self._all_themes = {**THEMES, **super().available_themes}
        return self._all_themes

    def get_theme(self, theme_name: str) -> Theme | None:
        theme = self.available_themes.get(theme_name)
        return theme if theme is not None else super().get_theme(theme_name)

    def register_theme(self, theme: Theme) -> None:
        super().register_theme(theme)
        self._all_themes = None

    def unregister_theme(self, theme_name: str) -> None:
        super().unregister_theme(theme_name)
        self._all_themes = None

    def push_screen(self, screen, *args, **kwargs):
        """Textual's push_screen; the other screens' rules are read first (not before Home's
        first frame: startup.py, SCREENS_CSS)."""
        self._read_screens_css()
        return super().push_screen(screen, *args, **kwargs)

    def get_default_screen(self) -> Screen:
        """Home is the app's first screen, under every other: pushed over Textual's
        blank default screen, both were laid out and drawn before the first frame."""
        from sdm_tui.ui.screens.home import HomeScreen

        home = HomeScreen()
        # The breakpoint class Textual would give it on its first resize, given now: a
        # class that changes then makes Textual style every widget on Home again.
        width = self.size.width
        home.add_class(next(name for edge, name in BREAKPOINTS if width >= edge))
        return home

    def on_mount(self) -> None:
        if self.start_screen == "review":
            from sdm_tui.ui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen())
        elif self.start_screen == "prepare":
            from sdm_tui.ui.screens.prepare import PrepareScreen

            self.push_screen(PrepareScreen())
        if self.ready:
            self._announce_problems()

    async def on_event(self, event: events.Event) -> None:
        # A paste reaches a widget's text unfiltered (typed keys cannot carry escape
        # sequences): clean it first, so no escape or control byte is shown on the
        # shared screen, even before the text is stored (where it is cleaned again).
        if isinstance(event, events.Paste) and not event.is_forwarded:
            from sdm_tui.core.text import clean

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
                "Finish and save",
                "Finish the record and save it with its summary; asks first (Ctrl+S)",
                consult.action_save,
            )
            yield SystemCommand(
                "Print handout",
                "Write the take-home handout beside the saved record, to open in a browser "
                "and print (h in the summary)",
                lambda: consult.action_takehome("html"),
            )
            yield SystemCommand(
                "Copy note",
                "Write the clinical note (plain text) beside the saved record, to paste into "
                "the electronic record (c in the summary)",
                lambda: consult.action_takehome("text"),
            )
            yield SystemCommand(
                "Switch person", "Record views for the next person", consult.cycle_active
            )
            yield SystemCommand(
                "Raise a concern",
                "Anyone here records what worries them, in their words (Ctrl+R)",
                consult.action_raise_concern,
            )
            yield SystemCommand(
                "Respond to a concern",
                "What was agreed, or who follows it up; needed before finishing (Ctrl+R)",
                consult.action_respond,
            )
            yield SystemCommand(
                "My plan if things get harder",
                "Early warning signs, what helps, who to contact (decision talk)",
                consult.action_plan,
            )
            talks = [
                ("team", "Who is here (team talk)"),
                ("options", "Compare options (option talk)"),
                ("side", "Side by side"),
                ("decision", "Decide (decision talk)"),
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
        if consult is not None and consult.session.completed is None:
            consult.flush()  # what was typed in the last moment is saved before asking
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
        draft = NO_CONSULTATION
        consult = self.consultation()
        if consult is not None and consult.session.completed is not None:
            draft = "The consultation was already finished and saved.\n"
        elif consult is not None:
            try:
                consult.wait_saved()  # typed text being written lands first, not after
                self.store.save_draft(consult.session)
                draft = DRAFT_SAVED
            except Exception:  # any failure: the apology must still be shown
                exists = self.store.draft_path(consult.session.record_id).is_file()
                draft = DRAFT_PARTLY if exists else DRAFT_NOT_SAVED
        log = write_crash_log(self.store.root, error)
        message = APOLOGY.format(draft=draft, log=log or "(could not write a log)")
        # Textual's own handler exits and shows the apology in place of a traceback.
        super()._handle_exception(Apology(Text(message), error))


__all__ = ["PANE_CSS", "SdmApp", "__version__"]
