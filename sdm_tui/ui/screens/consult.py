"""The consultation: the three talks as tabs over one session, autosaved on every change.

Typed text reaches the session after a short pause (see panes/base.py), so the draft on
disk is never more than about a second behind the keyboard; everything typed is taken
from the panes at once before switching talk, finishing, leaving or quitting (`flush`).

This module lays out the talks, moves between them and handles every message the panes
send; writing the draft and finishing are in consult_save.py (the `Saving` base).
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from sdm_tui.core.fsutil import StoreError, atomic_write, read_regular_bytes
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import Mode, Session, SessionError
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT
from sdm_tui.ui.messages import (
    ActivePerson,
    AmendAsked,
    DoneAsked,
    FinishAsked,
    GoToTalk,
    PersonStep,
    SaveElsewhere,
    SessionChange,
    Transition,
)
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.panes.css import PANE_CSS
from sdm_tui.ui.screens.concerns import PlanAsked
from sdm_tui.ui.screens.consult_save import Saving
from sdm_tui.ui.takehome import TakeHomeAsked
from sdm_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from sdm_tui.ui.panes.summary import SummaryPane

# The F-key is in each tab's title, so the Footer keeps room for each talk's keys.
# The tabs say what happens there; help keeps the three-talk names (team talk, option
# talk, decision talk) and says which tab is which.
TALKS: list[tuple[str, str]] = [
    ("team", "F2 Who is here"),
    ("options", "F3 Compare options"),
    ("side", "F4 Side by side"),
    ("decision", "F5 Decide"),
    ("summary", "F6 Summary"),
]
FINISHED_LINE = (
    "This record is finished and saved, so it cannot be changed here. To correct it, "
    "make an amendment: 'Make an amendment' on the Summary (F6) starts a new draft that "
    "names this record."
)
# A role-play adds the observer's talk and the debrief; shorter titles keep all
# seven tabs on an 80-column screen. F7 (briefs) opens a dialog, not a tab.
TRAINING_TALKS: list[tuple[str, str]] = [
    ("team", "F2 Team"),
    ("options", "F3 Options"),
    ("side", "F4 Side"),
    ("decision", "F5 Decide"),
    ("summary", "F6 Summary"),
    ("observer", "F8 Observer"),
    ("debrief", "F9 Debrief"),
]
TRAINING_ONLY = ("observer", "debrief")


def make_panes(grid: OptionGrid) -> dict[str, Pane]:
    from sdm_tui.ui.panes.decision import DecisionPane
    from sdm_tui.ui.panes.options import OptionTalkPane
    from sdm_tui.ui.panes.side import SideBySidePane
    from sdm_tui.ui.panes.summary import SummaryPane
    from sdm_tui.ui.panes.team import TeamTalkPane

    return {
        "team": TeamTalkPane(grid, id="pane-team"),
        "options": OptionTalkPane(grid, id="pane-options"),
        "side": SideBySidePane(grid, id="pane-side"),
        "decision": DecisionPane(grid, id="pane-decision"),
        "summary": SummaryPane(grid, id="pane-summary"),
    }


class ConsultationScreen(Saving, Screen[None]):
    """Owns the session. Panes ask for changes with SessionChange messages."""

    CSS_PATH = list(PANE_CSS)  # the talks' CSS; see SdmApp._read_pane_css

    # F2-F6 have priority: a TextArea binds F6 (select line) and would swallow it.
    BINDINGS = [
        Binding("f2", "talk('team')", "Team", show=False, priority=True),
        Binding("f3", "talk('options')", "Options", show=False, priority=True),
        Binding("f4", "talk('side')", "Side by side", show=False, priority=True),
        Binding("f5", "talk('decision')", "Decision", show=False, priority=True),
        Binding("f6", "talk('summary')", "Summary", show=False, priority=True),
        # Role-plays only (check_action hides them in clinical consultations).
        Binding("f7", "briefs", "Briefs", priority=True),
        Binding("f8", "talk('observer')", "Observer", show=False, priority=True),
        Binding("f9", "talk('debrief')", "Debrief", show=False, priority=True),
        Binding("ctrl+s", "save", "Finish and save", priority=True),
        Binding("ctrl+r", "concerns", "Raise a concern", priority=True),
        # Tab moves the focus as soon as the key arrives, before the keys after it are
        # handed to a widget: in a burst (a fast typist, a busy moment) a Tab typed
        # after text in a box used to leave the Enter or Down after it in that box.
        Binding("tab", "app.focus_next", "Next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous", show=False, priority=True),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(
        self,
        store: RecordStore,
        grid: OptionGrid,
        session: Session,
        scenario: Scenario | None = None,
    ) -> None:
        """`scenario`: a role-play's scenario (default: found by id in the app's scenarios)."""
        super().__init__()
        self.store = store
        self.grid = grid
        self.session = session
        self.training = session.mode == Mode.TRAINING
        self.scenario = scenario
        self.talks = TRAINING_TALKS if self.training else TALKS
        self.active = ""
        self.saved_to: str = ""
        self.save_error: str = ""
        self.panes = make_panes(grid)
        self.summary.contact = partial(store.clinic_contact, DEFAULT_CONTACT)
        self._stale: set[str] = set()
        self._writer: ThreadPoolExecutor | None = None
        self._writing: Future[str] | None = None
        self._save_line = ""
        self._remembered = ""
        self.offered_preparations: set[str] = set()  # references asked about (concerns.py)

    def compose(self) -> ComposeResult:
        yield Header()
        if self.training:
            self._add_training_panes()
            with Horizontal(id="status-row"):
                yield Static("◎ TRAINING ROLE-PLAY", id="training-banner", markup=False)
                yield Static("", id="save-state", markup=False)
        else:
            yield Static("", id="save-state", markup=False)
        with TabbedContent(id="talks"):
            for key, title in self.talks:
                with TabPane(title, id=f"tab-{key}"):
                    yield self.panes[key]
        yield Footer()

    def _add_training_panes(self) -> None:
        from sdm_tui.ui.panes.debrief import DebriefPane
        from sdm_tui.ui.panes.observer import ObserverPane

        if self.scenario is None and self.session.training is not None:
            scenarios = getattr(self.app, "scenarios", None)
            if scenarios is not None:
                self.scenario = scenarios.get(self.session.training.scenario)
        self.panes["observer"] = ObserverPane(self.grid, self.scenario, id="pane-observer")
        self.panes["debrief"] = DebriefPane(self.grid, self.scenario, id="pane-debrief")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The role-play keys (F7-F9) exist only in a role-play."""
        talk = parameters[0] if action == "talk" and parameters else ""
        if action == "briefs" or talk in TRAINING_ONLY:
            return self.training
        return True

    def on_mount(self) -> None:
        mode = "TRAINING ROLE-PLAY · " if self.session.mode.value == "training" else ""
        self.sub_title = f"{mode}{self.grid.title}"
        self._pick_active()
        self._show_all(everywhere=True)
        self._autosave()
        left_at = self._last_talk()
        if left_at and left_at != "team":
            self.call_after_refresh(self.action_talk, left_at)  # where it was left
        else:
            self.panes["team"].focus_first()
        from sdm_tui.ui.screens.concerns import offer_preparation

        self.call_after_refresh(offer_preparation, self)

    # Where the draft was left: a one-word file beside it (not in the record) ---

    def _talk_file(self) -> Path:
        return self.store.drafts_dir / f"{self.session.record_id}.talk"

    def _last_talk(self) -> str:
        try:  # no link, no FIFO (never blocks), a few bytes at most
            talk = read_regular_bytes(self._talk_file(), 64).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ""
        return talk if talk in dict(self.talks) else ""

    def _remember_talk(self, key: str) -> None:
        if self.session.completed is not None or key == self._remembered:
            return
        self._remembered = key
        with contextlib.suppress(OSError, StoreError):  # replaces a planted link, never its target
            atomic_write(self._talk_file(), key.encode("utf-8"), durable=False)

    # Session changes -----------------------------------------------------

    def _pick_active(self) -> None:
        voices = [p.id for p in self.session.voices()]
        if self.active not in voices:
            self.active = voices[0] if voices else ""

    def _show_all(self, *, everywhere: bool = False) -> None:
        """Show the session in the open talk now; the others when they are opened.

        Redrawing all five talks on every key press made typing lag (about 0.2 s a
        key on a busy 2-core machine); only the visible one needs to be current.
        """
        current = self.current_talk() if self.is_mounted else ""
        for key, pane in self.panes.items():
            if everywhere or key == current:
                pane.show(self.session, self.active)
                self._stale.discard(key)
            else:
                self._stale.add(key)
        self._show_save_state()

    def _bring_up_to_date(self, key: str) -> None:
        if key in self._stale:
            self._stale.discard(key)
            self.panes[key].show(self.session, self.active)

    def apply(self, change: Transition, *, typed: bool = False) -> bool:
        """Apply a transition; on a plain-words error tell the room and change nothing."""
        if self.session.completed is not None:
            self.notify(FINISHED_LINE, title="Not changed", severity="warning", markup=False)
            return False
        try:
            new = change(self.session)
        except SessionError as exc:
            self.notify(str(exc), title="Not changed", severity="warning", markup=False)
            return False
        if new is self.session:
            return True
        reference_before = self.session.service_user_ref
        self.session = new
        self._pick_active()
        self._autosave(background=typed)
        self._show_all()
        if new.service_user_ref != reference_before:
            from sdm_tui.ui.screens.concerns import offer_preparation

            offer_preparation(self)
        return True

    @on(SessionChange)
    def _on_change(self, message: SessionChange) -> None:
        message.stop()
        self.apply(message.change, typed=message.typed)

    @on(ActivePerson)
    def _on_active(self, message: ActivePerson) -> None:
        message.stop()
        self.set_active(message.participant_id)

    @on(GoToTalk)
    def _on_go(self, message: GoToTalk) -> None:
        message.stop()
        self.action_talk(message.tab)

    def set_active(self, participant_id: str) -> None:
        voices = [p.id for p in self.session.voices()]
        if participant_id in voices:
            self.active = participant_id
            self._show_all()

    def cycle_active(self, step: int = 1, *, announce: bool = True) -> None:
        """Record the next (or previous) person's views; `announce` says who in a toast."""
        voices = [p.id for p in self.session.voices()]
        if not voices:
            self.notify("Add people in team talk first.", severity="warning")
            return
        index = voices.index(self.active) if self.active in voices else -1
        self.set_active(voices[(index + step) % len(voices)])
        if announce:
            person = self.session.participant(self.active)
            self.notify(f"Recording for {person.display}", timeout=2, markup=False)

    # Concerns, the plan and a preparation (issue #17; dialogs in concerns.py) ---

    def action_concerns(self) -> None:
        """Ctrl+R: raise a concern (or, when there are some, respond to one)."""
        from sdm_tui.ui.screens.concerns import concerns_flow

        self.flush()
        concerns_flow(self)

    def action_raise_concern(self) -> None:
        from sdm_tui.ui.screens.concerns import raise_concern_flow

        self.flush()
        raise_concern_flow(self)

    def action_respond(self) -> None:
        from sdm_tui.ui.screens.concerns import respond_flow

        respond_flow(self)

    def action_plan(self) -> None:
        from sdm_tui.ui.screens.concerns import plan_flow

        self.flush()
        plan_flow(self)

    def on_plan_asked(self, message: PlanAsked) -> None:
        """Decision talk's "My plan if things get harder" button."""
        message.stop()
        self.action_plan()

    # Actions -------------------------------------------------------------

    def current_talk(self) -> str:
        active = self.query_one(TabbedContent).active
        return active.removeprefix("tab-")

    def flush(self) -> None:
        """Apply what is typed in every talk but not yet applied (and so save it)."""
        for pane in self.panes.values():
            for change in pane.pending():
                self.apply(change)
        self.wait_saved()  # a write still going lands (and says if it failed) first

    def action_talk(self, key: str) -> None:
        if self.session.completed is None:
            self.flush()
        self._bring_up_to_date(key)
        tabs = self.query_one(TabbedContent)
        if tabs.active != f"tab-{key}":
            tabs.active = f"tab-{key}"  # TabActivated calls activated()
        else:
            self.panes[key].activated()
        self.panes[key].focus_first()

    @on(TabbedContent.TabActivated)
    def _tab_opened(self, event: TabbedContent.TabActivated) -> None:
        key = (event.pane.id or "").removeprefix("tab-")
        if key in self.panes:
            self._bring_up_to_date(key)
            self.panes[key].activated()
            self._remember_talk(key)

    def action_back(self) -> None:
        """Escape: the previous talk; from team talk, home (the draft stays saved)."""
        keys = [k for k, _ in self.talks]
        index = keys.index(self.current_talk())
        if index == 0:
            if self.session.completed is None:
                self.flush()
            self.dismiss(None)
        else:
            self.action_talk(keys[index - 1])

    @on(FinishAsked)
    def _finish_asked(self, message: FinishAsked) -> None:
        message.stop()
        self.action_save()

    @on(DoneAsked)
    def _done_asked(self, message: DoneAsked) -> None:
        message.stop()
        self.dismiss(None)

    @on(TakeHomeAsked)
    def _takehome_asked(self, message: TakeHomeAsked) -> None:
        message.stop()
        self.action_takehome(message.kind)

    @on(AmendAsked)
    def _amend_asked(self, message: AmendAsked) -> None:
        """A new draft that copies this finished record and names it; the record
        stays as it was saved. It opens in place of this one."""
        message.stop()
        from sdm_tui.core.session import new_record_id
        from sdm_tui.core.transitions import amend
        from sdm_tui.ui.screens.home import HomeScreen

        if self.session.completed is None:
            return
        amended = amend(self.session, new_id=new_record_id())
        home = next((s for s in self.app.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            return
        self.dismiss(None)
        home.open(self.grid, amended)

    @property
    def summary(self) -> SummaryPane:
        from sdm_tui.ui.panes.summary import SummaryPane

        pane = self.panes["summary"]
        assert isinstance(pane, SummaryPane)
        return pane

    @on(SaveElsewhere)
    def _save_elsewhere(self, message: SaveElsewhere) -> None:
        message.stop()
        self._finish_now(RecordStore(message.folder))

    @on(PersonStep)
    def _person_step(self, message: PersonStep) -> None:
        message.stop()
        self.cycle_active(message.step, announce=False)  # the person bar says who

    def action_briefs(self) -> None:
        """F7: choose a player, then show only that player's brief (F7 or Escape hides it)."""
        if not self.training:
            return
        if self.scenario is None:
            scenario_id = self.session.training.scenario if self.session.training else ""
            self.notify(
                f"The scenario '{scenario_id}' is not available, so its briefs cannot be shown.",
                severity="warning",
                markup=False,
            )
            return
        from sdm_tui.ui.screens.brief import BriefChooser, BriefScreen

        scenario = self.scenario

        def chosen(choice: str | None) -> None:
            if choice:
                self.app.push_screen(BriefScreen(scenario, choice))

        self.app.push_screen(BriefChooser(scenario), chosen)
