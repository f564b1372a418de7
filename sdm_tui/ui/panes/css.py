"""The talks' stylesheets, in one place for the app and the consultation screen."""

from __future__ import annotations

from pathlib import Path

# The talks' CSS is the consultation screen's (its CSS_PATH): Home does not need it, so it
# is not parsed before the first frame. Absolute, so subclasses elsewhere find it too.
PANE_CSS = tuple(
    Path(__file__).resolve().parent / f"{name}.tcss"
    for name in ("team", "options", "side", "decision", "summary", "observer", "debrief")
)
