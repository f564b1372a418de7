"""When something unexpected breaks: save the draft, apologise, log nothing personal."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from sdm_tui.core.fsutil import StoreError, atomic_write, make_dir

APOLOGY = (
    "Sorry: sdm-tui met a problem it did not expect and had to close.\n"
    "{draft}\n"
    "Start sdm-tui again and choose 'Resume' to carry on.\n"
    "A technical note with no personal details is in: {log}"
)


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
    folder = root / "logs"
    path = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    try:
        make_dir(folder)
        atomic_write(path, crash_log_text(error).encode())
    except (StoreError, OSError):
        return None
    return path
