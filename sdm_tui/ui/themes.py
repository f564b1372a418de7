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
    # Every text and focus pair at least 4.5:1 (WCAG AA; tests/ui/test_contrast.py):
    # the cursor is black on yellow, not white on dimmed yellow (3.1:1), and greyed-out
    # text (a list's "None" line) is a light grey, not Textual's 38% white (3.3:1).
    variables={
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#FFFF00",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-foreground": "#FFFFFF",
        "block-cursor-blurred-background": "#4C4C00",
        "block-cursor-blurred-text-style": "none",
        "text-disabled": "#A8A8A8",
        "input-selection-background": "#FFFF00",
        "input-selection-foreground": "#000000",
        "footer-key-foreground": "#FFFF00",
    },
)

THEMES = {CALM.name: CALM, CONTRAST.name: CONTRAST}
