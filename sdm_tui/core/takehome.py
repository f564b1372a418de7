"""The handout and the clinical note as files beside their record (no Textual).

`records export --format html|text` and the app's "Print handout" and "Copy note"
use these. The file names hold only the record's own date and id
(`2026-11-22_k3m9q2x4p7ab.handout.html`, `..._k3m9q2x4p7ab.note.txt`), never
anything typed; files are written atomically and readable only by their owner
(0600). Writing again replaces the file: it is made from the record, which
never changes.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from sdm_tui.core.fsutil import atomic_write
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.handout import handout_html
from sdm_tui.core.notetext import note_text
from sdm_tui.core.session import Session
from sdm_tui.core.takeaway import takeaway

SUFFIXES = {"html": ".handout.html", "text": ".note.txt"}


def render(
    kind: str,
    session: Session,
    grid: OptionGrid | None,
    *,
    contact: str = "",
    zone: tzinfo | None = None,
) -> str:
    """The handout ("html") or the clinical note ("text") of a session."""
    model = takeaway(session, grid, contact=contact, zone=zone)
    if kind == "html":
        return handout_html(model)
    if kind == "text":
        return note_text(model)
    raise ValueError(f"not a take-home format: {kind}")


def beside(record_path: Path, kind: str) -> Path:
    """Where the handout or note of the record at `record_path` goes."""
    stem = record_path.name.removesuffix(".toml")
    return record_path.with_name(stem + SUFFIXES[kind])


def write_beside(
    record_path: Path,
    kind: str,
    session: Session,
    grid: OptionGrid | None,
    *,
    contact: str = "",
    zone: tzinfo | None = None,
) -> Path:
    """Write the handout or note beside the record; returns its path. Raises StoreError."""
    path = beside(record_path, kind)
    text = render(kind, session, grid, contact=contact, zone=zone)
    atomic_write(path, text.encode("utf-8"))
    return path
