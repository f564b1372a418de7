"""A calm default theme and a high-contrast one. Colour never carries meaning alone."""

from __future__ import annotations

from textual.theme import Theme

CALM = Theme(
    name="sdm-calm",
    primary="#5B8DB8",
    secondary="#7FA99B",
    accent="#C9A66B",
    warning="#D9A441",
    error="#D9695F",
    success="#6FAE7E",
    foreground="#E6E9EC",
    background="#1E2328",
    surface="#262C33",
    panel="#2F3740",
    dark=True,
)

CONTRAST = Theme(
    name="sdm-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFFFF",
    warning="#FFD700",
    error="#FF6060",
    success="#00FF7F",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
)

THEMES = {CALM.name: CALM, CONTRAST.name: CONTRAST}
