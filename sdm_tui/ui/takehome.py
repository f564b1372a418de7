"""Print handout and Copy note: what the summary talk asks for, and what the screen does.

The summary pane posts `TakeHomeAsked`; the consultation screen (which owns the
session and knows where the record was saved) writes the file beside the record
with `write_takehome` and tells the pane where it went. Nothing is printed or
copied to a clipboard: a shared screen may not reach either, so the person is
told the file's path to open and print, or to paste from.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Session
from sdm_tui.core.store import RecordStore

NAMES = {"html": "Handout to print", "text": "Note to paste"}
NOT_SAVED = "Finish and save first: the handout and the note are written beside the saved record."


class TakeHomeAsked(Message):
    """Write the handout ("html") or the clinical note ("text") beside the record."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__()


def write_takehome(
    kind: str, session: Session, grid: OptionGrid, saved_to: str, store: RecordStore
) -> Path:
    """Write it beside the record at `saved_to`; returns the path. Raises StoreError."""
    from sdm_tui.core.takehome import write_beside

    return write_beside(Path(saved_to), kind, session, grid, contact=store.clinic_contact(""))
