"""When something unexpected breaks: save the draft, apologise, log nothing personal."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sdm_tui.core.fsutil import StoreError, atomic_write, make_dir

APOLOGY = (
    "Sorry: sdm-tui met a problem it did not expect and had to close.\n"
    "{draft}"
    "A technical note with no personal details is in: {log}"
)
# What the apology says about the consultation, by what really happened.
DRAFT_SAVED = (
    "Your work so far was saved as a draft.\nStart sdm-tui again and choose 'Resume' to carry on.\n"
)
DRAFT_PARTLY = (
    "The last change could not be saved; earlier steps are in the draft.\n"
    "Start sdm-tui again and choose 'Resume' to carry on.\n"
)
DRAFT_NOT_SAVED = (
    "The consultation could not be saved as a draft, and no earlier draft of it exists.\n"
    "Start sdm-tui again; if this happens again, start it with --records DIR.\n"
)
NO_CONSULTATION = "No consultation was open, so nothing was lost. Start sdm-tui again.\n"


def crash_log_text(error: BaseException) -> str:
    """Where it broke (files, lines, functions) and the error type: no messages, no values."""
    frames = traceback.extract_tb(error.__traceback__)
    lines = [
        f"sdm-tui crash at {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        f"error type: {type(error).__module__}.{type(error).__qualname__}",
    ]
    lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join(lines) + "\n"


def write_crash_log(root: Path, error: BaseException) -> Path | None:
    """A new log file each time: two crashes in one second keep both logs."""
    folder = root / "logs"
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    data = crash_log_text(error).encode()
    try:
        make_dir(folder)
        for n in range(1, 100):
            path = folder / (f"crash-{stamp}.log" if n == 1 else f"crash-{stamp}-{n}.log")
            if os.path.lexists(path):
                continue
            try:
                atomic_write(path, data, replace=False)
            except StoreError:
                if os.path.lexists(path):
                    continue  # another crash took this name just now
                raise
            return path
    except (StoreError, OSError):
        return None
    return None
