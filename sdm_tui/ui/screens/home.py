"""Home: start, resume, help, quit. Drafts are listed by time and grid, never by name.

Home is the first screen and is drawn before the grids are read and the drafts listed
(`SdmApp` does that just after, then calls `loaded`; the grids' full check comes next,
then `checked`). Its actions work at once: one that needs the grids or the drafts waits
for them, then goes on; one that opens a grid also waits for the full check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.core.fsutil import StoreError
from sdm_tui.ui.textual_compat import footer_keys_ready
from sdm_tui.ui.widgets.cursor import CursorOptionList
from sdm_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from sdm_tui.core.gridfile import Headings
    from sdm_tui.core.store import DraftInfo
    from sdm_tui.ui.app import SdmApp

WELCOME = (
    "Choosing a medicine together. This screen is shared: the service user, the clinician "
    "and, if the service user agrees, a carer look at it together. Nothing is decided for you."
)
CHECKING = "Checking the option grids and looking for unfinished consultations…"
NO_GRID = "No consultation can start: none of the option grids can be used."
NO_GRID_FIX = (
    "Fix the grid files ('sdm-tui grids validate' lists every problem) or use --grids DIR, "
    "then start sdm-tui again."
)
SHOWN_PROBLEMS = 3
NO_DRAFTS = "None: every consultation has been saved."
READ_ONLY = (
    "⚠ This records folder is read-only ({folder}): past records can be reviewed, but "
    "nothing can be saved here. To record a consultation, start sdm-tui again with "
    "--records DIR, a folder you can write to."
)
# Actions that need the grids or the drafts: chosen before they are read, they wait.
# Review too: it reads records with the same models (pydantic), which are being imported
# by the start-up thread; importing them from two threads at once is best avoided.
NEEDS_LOAD = ("start", "resume", "role-play", "review")


class HomeFooter(Footer):
    """Home's key bar, its keys built once. Textual composes a Footer empty and queues a
    build of its keys on each bindings update (Textual 8.2.8); focusing Home's actions
    brings two before the first build runs, so the keys were built twice (the first
    build reads the bindings as they are when it runs). Then widgets/footer.py's Footer
    keeps them while they stay the same (a third build came before `ready`)."""

    _building = False  # the first build is queued

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._building:
            return
        if not footer_keys_ready(self) and self.is_attached and screen is self.screen:
            self._building = screen.app.app_focus  # as Textual's Footer queues it
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        self._building = False
        await super().recompose()


class HomeScreen(Screen[None]):
    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp
    BINDINGS = [Binding("escape", "app.quit", "Quit", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[DraftInfo] = []
        self._shown: tuple[object, ...] = ()  # the grids as last shown (`_grid_state`)
        self._waiting = ""  # an action chosen before the grids and drafts were read

    def compose(self) -> ComposeResult:
        # As drawn on the first frame, before the grids and drafts are read.
        yield Header()
        with Vertical(id="home"):
            yield Static(WELCOME, id="welcome", markup=False)
            yield Static("", id="grid-problems", markup=False)  # in place of the welcome
            yield Static("", id="read-only", markup=False)  # when the folder cannot be written
            yield CursorOptionList(*self._actions("…"), id="home-actions")
            yield Static("Unfinished consultations (autosaved)", classes="heading", markup=False)
            if self.app.ready:
                yield CursorOptionList(Option(CHECKING, disabled=True), id="drafts")
            else:
                # Nothing to choose until the drafts are read: the list, drawn alike, comes
                # with them (`_drafts_list`; an option list is a tenth of the first frame).
                yield Static(f"  {CHECKING}", id="drafts-checking", markup=False)
        yield HomeFooter()

    def on_mount(self) -> None:
        note = self.query_one("#read-only", Static)
        note.display = self.app.store.read_only
        if self.app.store.read_only:
            note.update(READ_ONLY.format(folder=self.app.store.root))
        actions = self.query_one("#home-actions", OptionList)
        actions.highlighted = 0
        actions.focus()

    def on_screen_resume(self) -> None:
        # Also sent when Home is first shown. Until the grids and drafts are read there
        # is nothing new to show: `loaded` shows them.
        if self.app.ready:
            self.refresh_lists()

    def loaded(self, drafts: list[DraftInfo]) -> None:
        """The grids and drafts, read after the first frame: show them, and carry on with
        an action chosen meanwhile (if Home is still the screen in use)."""
        self._show(drafts)
        waiting, self._waiting = self._waiting, ""
        if waiting and self.is_current:
            self._do(waiting)

    def checked(self) -> None:
        """The grids' full check is done: shown again only if it changed what Home says
        (a grid that failed it is no longer offered, or its title was shown)."""
        if self._shown != self._grid_state():
            self._show(self.drafts)

    def refresh_lists(self) -> None:
        self._show(self.app.store.drafts())

    def _grid_state(self) -> tuple[object, ...]:
        headings = self.app.headings
        if headings is None:
            return ()
        titles = {grid_id: h.title for grid_id, h in headings.grids.items()}
        return (titles, [] if titles else [str(p) for p in headings.problems])

    def _actions(self, drafts: int | str, usable: bool = True) -> list[Option]:
        start = "+ Start a consultation"
        if not usable:
            start += " (not available: no usable option grid, see above)"
        return [
            Option(start, id="start"),
            Option(f"↺ Resume an unfinished consultation ({drafts})", id="resume"),
            Option("◎ Start a training role-play", id="role-play"),
            Option("✎ Get ready for an appointment", id="prepare"),
            Option("≡ Review past records", id="review"),
            Option("? Help: how this works (F1)", id="help"),
            Option("✕ Quit", id="quit"),
        ]

    def _show(self, drafts: list[DraftInfo]) -> None:
        self.drafts = drafts
        self._shown = self._grid_state()
        usable = bool(self._headings().grids)
        actions = self.query_one("#home-actions", OptionList)
        new = self._actions(len(drafts), usable)
        if str(actions.get_option_at_index(0).prompt) == str(new[0].prompt):
            # Only the count of drafts changed: one line, no new layout of Home.
            actions.replace_option_prompt("resume", new[1].prompt)
        else:
            highlighted = actions.highlighted
            actions.clear_options()
            actions.add_options(new)
            actions.highlighted = highlighted if highlighted is not None else 0
        problems = self.query_one("#grid-problems", Static)
        problems.display = not usable
        self.query_one("#welcome").display = usable
        if not usable:
            problems.update(self._grid_problems())
        listed = self._drafts_list()
        if not drafts and listed.option_count == 1 and listed.get_option_at_index(0).id is None:
            # "Checking…" becomes "None": the same one line, redrawn in place.
            listed.replace_option_prompt_at_index(0, NO_DRAFTS)
            return
        listed.clear_options()
        for info in drafts:
            # Content, not a str: a file name or problem is never read as markup.
            described = Content(self._describe(info))
            listed.add_option(Option(described, id=info.record_id, disabled=bool(info.in_use_by)))
        if not drafts:
            listed.add_option(Option(NO_DRAFTS, disabled=True))

    def _drafts_list(self) -> OptionList:
        """The drafts' list; the first time, in place of "Checking…" (see `compose`)."""
        checking = self.query("#drafts-checking")
        if not checking:
            return self.query_one("#drafts", OptionList)
        listed = CursorOptionList(Option(CHECKING, disabled=True), id="drafts")
        self.query_one("#home").mount(listed, after=checking.first())
        checking.remove()
        return listed

    def _grid_problems(self) -> str:
        """Why no consultation can start: each problem names its file, line and fix."""
        problems = self._headings().problems
        lines = [f"⚠ {NO_GRID}"]
        lines += [f"• {problem}" for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"• … and {len(problems) - SHOWN_PROBLEMS} more.")
        lines.append(NO_GRID_FIX)
        return "\n".join(lines)

    def _describe(self, info: DraftInfo) -> str:
        from sdm_tui.core.session import Mode

        if info.session is None:
            from sdm_tui.core.tomlfile import escape_for_terminal

            return f"⚠ {escape_for_terminal(info.record_id)}: cannot be opened ({info.problem})"
        s = info.session
        title = self._headings().title(s.grid.id) or s.grid.id
        mode = "training · " if s.mode == Mode.TRAINING else ""
        busy = f" · open in another window (process {info.in_use_by})" if info.in_use_by else ""
        return f"{s.updated:%Y-%m-%d %H:%M} UTC · {mode}{title}{busy}"

    def _headings(self) -> Headings:
        headings = self.app.headings
        assert headings is not None  # Home lists only once the grids are read
        return headings

    @on(OptionList.OptionSelected, "#home-actions")
    def _action(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or ""
        if choice in NEEDS_LOAD and not self.app.ready:
            self._waiting = choice  # done when `loaded` is called
            return
        self._do(choice)

    def _do(self, choice: str) -> None:
        if choice in NEEDS_LOAD:
            # Opening a grid needs its full check; review reads records with the same
            # models. Rarely still running when chosen: this waits for it (or does it).
            self.app.catalog  # noqa: B018
        if choice == "start":
            self.start()
        elif choice == "resume":
            drafts = self.query_one("#drafts", OptionList)
            usable = [d for d in self.drafts if d.session is not None and not d.in_use_by]
            if len(usable) == 1 and len(self.drafts) == 1:
                self._resume_draft(usable[0].record_id)  # the only one: open it at once
            elif self.drafts:
                drafts.focus()
                drafts.highlighted = 0
                self.notify("Choose one with the arrows, then Enter.", timeout=4)
            else:
                self.notify("There are no unfinished consultations.")
        elif choice == "prepare":
            if self._read_only():
                return
            from sdm_tui.ui.screens.prepare import PrepareScreen

            self.app.push_screen(PrepareScreen())
        elif choice == "role-play":
            if self._read_only():
                return
            from sdm_tui.ui.screens.scenario_choice import ChooseScenario

            self.app.push_screen(ChooseScenario(), self._open_role_play)
        elif choice == "review":
            from sdm_tui.ui.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen())
        elif choice == "help":
            self.app.action_help()
        elif choice == "quit":
            self.app.exit()

    def _open_role_play(self, session) -> None:
        """A role-play session made from the chosen scenario (None: Escape)."""
        if session is not None:
            self.open(self.app.catalog.get(session.grid.id), session)

    def start(self) -> None:
        if self._read_only():
            return
        if not self.app.catalog.grids:
            self.notify(
                f"{NO_GRID} {NO_GRID_FIX}",
                title="Cannot start",
                severity="error",
                markup=False,
                timeout=12,
            )
            return
        from sdm_tui.ui.screens.start import ChooseGrid

        self.app.push_screen(ChooseGrid(), self._start_with)

    def _read_only(self) -> bool:
        """In a read-only folder nothing can be recorded: say so (and where to save)."""
        if not self.app.store.read_only:
            return False
        message = READ_ONLY.format(folder=self.app.store.root).removeprefix("⚠ ")
        self.notify(message, title="Cannot save here", severity="error", markup=False, timeout=12)
        return True

    def _start_with(self, grid_id: str | None) -> None:
        if not grid_id:
            return
        from sdm_tui import __version__
        from sdm_tui.core.session import grid_ref, new_session
        from sdm_tui.core.transitions import set_team_talk

        grid = self.app.catalog.get(grid_id)
        if grid is None:  # chosen from the catalog's own list, so only if it changed meanwhile
            return
        session = new_session(grid_ref=grid_ref(grid), app_version=__version__)
        session = set_team_talk(session, decision=grid.decision)
        self.open(grid, session)

    def open(self, grid, session) -> None:
        from sdm_tui.ui.screens.consult import ConsultationScreen

        try:
            self.app.store.claim_draft(session.record_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=10)
            return
        self.app.push_screen(
            ConsultationScreen(self.app.store, grid, session),
            lambda _: self._consultation_closed(session.record_id),
        )

    def _consultation_closed(self, record_id: str) -> None:
        self.app.store.release_draft(record_id)
        self.refresh_lists()

    @on(OptionList.OptionSelected, "#drafts")
    def _resume(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._resume_draft(event.option.id)

    def _resume_draft(self, record_id: str) -> None:
        """Open a draft where it was left (the consultation screen knows where)."""
        from sdm_tui.core.record import RecordProblem

        try:
            session = self.app.store.load_draft(record_id)
        except (StoreError, RecordProblem) as exc:
            self.notify(str(exc), title="Cannot resume", severity="error", markup=False, timeout=10)
            self.refresh_lists()
            return
        from sdm_tui.core.catalog import grid_for_draft

        grid, session, note = grid_for_draft(self.app.catalog, session)
        if grid is None:
            self.app.store.release_draft(record_id)
            self.notify(note, title="Cannot resume", severity="error", markup=False, timeout=12)
            return
        if note:
            self.notify(note, severity="warning", markup=False, timeout=12)
        self.app.store.release_draft(record_id)
        self.open(grid, session)
