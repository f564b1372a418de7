"""What panes say to the screen that owns the session."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from sdm_tui.core.session import Session

Transition = Callable[[Session], Session]


class SessionChange(Message):
    """Please apply this pure transition to the session (and autosave)."""

    def __init__(self, change: Transition, *, quiet: bool = False, typed: bool = False) -> None:
        self.change = change
        self.quiet = quiet  # True: don't notify on success (typing in a field)
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


class AmendAsked(Message):
    """Make an amendment of the finished record (the summary's button after finishing)."""
