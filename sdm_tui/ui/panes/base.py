"""The base of every talk pane: shown a session, asks for changes by message."""

from __future__ import annotations

from textual.containers import Vertical

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Session
from sdm_tui.ui.messages import ActivePerson, GoToTalk, SessionChange, Transition


class Pane(Vertical):
    """A talk. `show` is called with every new session; it must not rebuild needlessly."""

    def __init__(self, grid: OptionGrid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.session: Session | None = None
        self.active: str = ""

    def show(self, session: Session, active: str) -> None:
        """Update the widgets from `session`; `active` is the person being recorded."""
        self.session = session
        self.active = active

    def change(self, transition: Transition, *, quiet: bool = False) -> None:
        self.post_message(SessionChange(transition, quiet=quiet))

    def activate(self, participant_id: str) -> None:
        self.post_message(ActivePerson(participant_id))

    def go(self, tab: str) -> None:
        self.post_message(GoToTalk(tab))

    def pending(self) -> list[Transition]:
        """Changes typed but not yet applied (fields applied on Enter or on leaving them).

        The screen applies these before saving, so Ctrl+S never misses what is on screen.
        """
        return []

    def activated(self) -> None:
        """Called when this talk's tab is opened (keys or mouse)."""

    def focus_first(self) -> None:
        """Put the keyboard focus on this talk's first control."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return
