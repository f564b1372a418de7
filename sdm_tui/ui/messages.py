"""What panes say to the screen that owns the session.

This is the only way a pane asks the consultation screen for something: a pane posts
one of these messages and the screen (screens/consult.py) handles it. The screen talks
back by calling the pane's own methods (show, activated, and the summary's result lines).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from sdm_tui.core.session import Session

Transition = Callable[[Session], Session]


class SessionChange(Message):
    """Please apply this pure transition to the session (and autosave)."""

    def __init__(self, change: Transition, *, typed: bool = False) -> None:
        self.change = change
        # True: text typed in a field, applied after a pause while typing goes on; the
        # draft is written by a background thread so the next keys do not wait for it.
        self.typed = typed
        super().__init__()


class ActivePerson(Message):
    """Switch the person whose views are being recorded."""

    def __init__(self, participant_id: str) -> None:
        self.participant_id = participant_id
        super().__init__()


class GoToTalk(Message):
    def __init__(self, tab: str) -> None:
        self.tab = tab
        super().__init__()


class FinishAsked(Message):
    """Finish and save (the summary's button): the screen asks first, like Ctrl+S."""


class DoneAsked(Message):
    """Done: close the consultation and go back to Home (after finishing or exporting)."""


class AmendAsked(Message):
    """Make an amendment of the finished record (the summary's button after finishing)."""


class SaveElsewhere(Message):
    """Finish and save into another folder (the summary's way out when saving failed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__()


class PersonStep(Message):
    """Record for the next (step 1) or previous (step -1) voice; the person bar says who."""

    def __init__(self, step: int) -> None:
        self.step = step
        super().__init__()
