"""Observer (training only): five 0-4 scores with a note each, and the learning goals.

The observer scores the clinician in the spirit of the observer OPTION-5
measure (see sdm_tui.core.training). Each choice shows its mark (● and bold
underlined words), never colour alone. Like every talk, the pane asks for
changes with SessionChange, so each score and note is autosaved at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Button, RadioSet, Static, TextArea

from sdm_tui.core.debrief import OBSERVER_SHORT, goal_rows, observer_total_text
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import Scenario
from sdm_tui.core.session import Session
from sdm_tui.core.text import clean
from sdm_tui.core.training import (
    OBSERVER_ITEMS,
    OBSERVER_SCALE,
    mark_goal,
    score_item,
    set_observer_note,
)
from sdm_tui.ui.messages import Transition
from sdm_tui.ui.panes.base import Pane
from sdm_tui.ui.panes.decision import _set_radio
from sdm_tui.ui.widgets.marks import Radio

# Goal marks in button order; the stored value is True (met), False (missed) or none.
GOAL_CHOICES: list[tuple[str, bool | None, str]] = [
    ("met", True, "✓ met"),
    ("missed", False, "✗ missed"),
    ("none", None, "not marked"),
]
NOTE_LIMIT = 4000


def _note(text: str) -> str:
    """What set_observer_note would store for `text`."""
    return clean(text).strip()[:NOTE_LIMIT]


class ObserverPane(Pane):
    """Only the observer fills this in; the players carry on in the other talks."""

    def __init__(self, grid: OptionGrid, scenario: Scenario | None, *, id: str | None = None):
        super().__init__(grid, id=id)
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="observer-scroll"):
            yield Static(
                "Observer: how the clinician shares the decision",
                id="obs-title",
                classes="heading",
                markup=False,
            )
            yield Static(
                "For the observer. Score what you saw from 0 (not seen) to 4 (fully) and "
                "note what you saw. Arrows move, Enter or Space chooses, Tab goes on.",
                classes="hint",
                markup=False,
            )
            for item, wording in OBSERVER_ITEMS.items():
                with Vertical(classes="obs-item"):
                    title = Text.assemble((f"{OBSERVER_SHORT.get(item, item)}. ", "bold"), wording)
                    yield Static(title, classes="obs-wording")
                    yield RadioSet(
                        *[
                            Radio(f"{value} {words}", id=f"obs-{item}-{value}")
                            for value, words in OBSERVER_SCALE.items()
                        ],
                        id=f"obs-{item}",
                        classes="scale",
                    )
                    note = TextArea(
                        id=f"obs-note-{item}",
                        classes="obs-note",
                        soft_wrap=True,
                        tab_behavior="focus",
                        placeholder="What you saw or heard",
                    )
                    note.border_title = "Note"
                    yield note
            yield Static("", id="obs-total", markup=False)
            yield Static("Learning goals: was each one met?", classes="heading", markup=False)
            yield from self._goal_widgets()
            with Horizontal(id="observer-actions"):
                yield Button("Next: debrief ›", id="obs-next", variant="primary")

    def _goal_widgets(self) -> ComposeResult:
        if self.scenario is None:
            yield Static(
                "The scenario file for this role-play is not available, so its learning "
                "goals cannot be marked here. Marks made earlier are kept in the record.",
                classes="hint",
                markup=False,
            )
            return
        for goal in self.scenario.goals:
            with Vertical(classes="goal"):
                yield Static(goal.text, classes="goal-text", markup=False)
                yield RadioSet(
                    *[Radio(words, id=f"goal-{goal.id}-{key}") for key, _, words in GOAL_CHOICES],
                    id=f"goal-{goal.id}",
                    classes="goal-marks",
                )

    def on_mount(self) -> None:
        # Tab goes control to control; the scroll follows the focus.
        self.query_one("#observer-scroll", VerticalScroll).can_focus = False
        if self.session is not None:
            self._draw(self.session)

    def focus_first(self) -> None:
        self.focus_on(self.query_one(f"#obs-{next(iter(OBSERVER_ITEMS))}", RadioSet))

    # Session -> widgets ----------------------------------------------------------

    def show(self, session: Session, active: str) -> None:
        super().show(session, active)
        if self.is_mounted:
            self._draw(session)

    def _draw(self, session: Session) -> None:
        training = session.training
        if training is None:
            return
        finished = session.completed is not None
        try:
            for item in OBSERVER_ITEMS:
                radio_set = self.query_one(f"#obs-{item}", RadioSet)
                _set_radio(radio_set, training.observer_scores.get(item))
                radio_set.disabled = finished
                area = self.query_one(f"#obs-note-{item}", TextArea)
                stored = training.observer_notes.get(item, "")
                self.put_text(area, stored, lambda shown, kept: _note(shown) == kept)
                area.read_only = finished
            for row in goal_rows(session, self.scenario):
                try:
                    radio_set = self.query_one(f"#goal-{row.goal_id}", RadioSet)
                except NoMatches:
                    continue  # a mark for a goal this scenario no longer has: kept, not shown
                status = {"met": 0, "missed": 1}.get(row.status, 2)
                _set_radio(radio_set, status)
                radio_set.disabled = finished
        except NoMatches:
            return
        total = observer_total_text(session)
        if finished:
            total += " The record is saved, so scores can no longer be changed."
        self.query_one("#obs-total", Static).update(total)

    # Widgets -> transitions ---------------------------------------------------------

    @on(RadioSet.Changed)
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        session = self.session
        if session is None or session.training is None:
            return
        set_id = event.radio_set.id or ""
        choice = (event.pressed.id or "").removeprefix(f"{set_id}-")
        if set_id.startswith("obs-"):
            item = set_id.removeprefix("obs-")
            score = int(choice)
            if session.training.observer_scores.get(item) != score:
                self.change(lambda s: score_item(s, item, score))
        elif set_id.startswith("goal-") and self.scenario is not None:
            goal_id = set_id.removeprefix("goal-")
            met = next(value for key, value, _ in GOAL_CHOICES if key == choice)
            if session.training.goals_met.get(goal_id) != met:
                scenario = self.scenario
                self.change(lambda s: mark_goal(s, scenario, goal_id, met))

    @on(TextArea.Changed)
    def _note_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        area_id = event.text_area.id or ""
        if area_id.startswith("obs-note-"):
            item = area_id.removeprefix("obs-note-")
            self.typed(event.text_area, lambda text: _note_change(item, text))

    @on(Button.Pressed, "#obs-next")
    def _next(self, event: Button.Pressed) -> None:
        event.stop()
        self.go("debrief")


def _note_change(item: str, text: str) -> Transition:
    def change(s: Session) -> Session:
        if s.training is None or _note(text) == s.training.observer_notes.get(item, ""):
            return s
        return set_observer_note(s, item, text)

    return change
