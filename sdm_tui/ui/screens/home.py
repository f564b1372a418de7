"""Home: start, resume, help, quit. Drafts are listed by time and grid, never by name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from sdm_tui.core.fsutil import StoreError
from sdm_tui.core.record import RecordProblem
from sdm_tui.core.session import Mode
from sdm_tui.core.store import DraftInfo

WELCOME = (
    "Choosing a medicine together. This screen is shared: the service user, the clinician "
    "and, if the service user agrees, a carer look at it together. Nothing is decided for you."
)


class HomeScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.quit", "Quit", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(WELCOME, id="welcome", markup=False)
            yield OptionList(id="home-actions")
            yield Static("Unfinished consultations (autosaved)", classes="heading", markup=False)
            yield OptionList(id="drafts")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_lists()
        self.query_one("#home-actions", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_lists()

    def refresh_lists(self) -> None:
        self.drafts: list[DraftInfo] = self.app.store.drafts()
        actions = self.query_one("#home-actions", OptionList)
        highlighted = actions.highlighted
        actions.clear_options()
        actions.add_options(
            [
                Option("▶ Start a consultation", id="start"),
                Option(f"↺ Resume an unfinished consultation ({len(self.drafts)})", id="resume"),
                Option("◎ Start a training role-play", id="role-play"),
                Option("≡ Review past records", id="review"),
                Option("? Help: how this works (F1)", id="help"),
                Option("✕ Quit", id="quit"),
            ]
        )
        actions.highlighted = highlighted if highlighted is not None else 0
        drafts = self.query_one("#drafts", OptionList)
        drafts.clear_options()
        for info in self.drafts:
            drafts.add_option(
                Option(self._describe(info), id=info.record_id, disabled=bool(info.in_use_by))
            )
        if not self.drafts:
            drafts.add_option(Option("None: every consultation has been saved.", disabled=True))

    def _describe(self, info: DraftInfo) -> str:
        if info.session is None:
            return f"⚠ {info.record_id}: cannot be opened ({info.problem})"
        s = info.session
        grid = self.app.catalog.get(s.grid.id)
        title = grid.title if grid else s.grid.id
        mode = "training · " if s.mode == Mode.TRAINING else ""
        busy = f" · open in another window (process {info.in_use_by})" if info.in_use_by else ""
        return f"{s.updated:%Y-%m-%d %H:%M} UTC · {mode}{title}{busy}"

    @on(OptionList.OptionSelected, "#home-actions")
    def _action(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "start":
            self.start()
        elif choice == "resume":
            drafts = self.query_one("#drafts", OptionList)
            if self.drafts:
                drafts.focus()
                drafts.highlighted = 0
            else:
                self.notify("There are no unfinished consultations.")
        elif choice == "role-play":
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
        from sdm_tui.ui.screens.start import ChooseGrid

        self.app.push_screen(ChooseGrid(), self._start_with)

    def _start_with(self, grid_id: str | None) -> None:
        if not grid_id:
            return
        from sdm_tui import __version__
        from sdm_tui.core.session import grid_ref, new_session
        from sdm_tui.core.transitions import set_team_talk

        grid = self.app.catalog.get(grid_id)
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
        record_id = event.option.id
        if record_id is None:
            return
        try:
            session = self.app.store.load_draft(record_id)
        except (StoreError, RecordProblem) as exc:
            self.notify(str(exc), title="Cannot resume", severity="error", markup=False, timeout=10)
            self.refresh_lists()
            return
        grid = self.app.catalog.get(session.grid.id)
        if grid is None:
            self.app.store.release_draft(record_id)
            self.notify(
                f"The grid '{session.grid.id}' is not available, so this draft "
                "cannot be shown. Use --grids DIR to point at it.",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        if grid.content_hash != session.grid.content_hash:
            self.notify(
                "The grid has changed since this draft was started; the new version is shown.",
                severity="warning",
                timeout=8,
            )
        self.app.store.release_draft(record_id)
        self.open(grid, session)
