"""WCAG contrast of the high-contrast theme's colour pairs, computed from the Theme.

Every pair of text and what it is drawn on, and every focus (cursor) pair, must reach
4.5:1 (WCAG 2.1 AA for normal text). Colours with transparency ("auto 87%", "#RRGGBBAA")
are blended over what they are drawn on, as Textual does.
"""

from __future__ import annotations

import pytest
from textual.color import Color

from sdm_tui.ui.themes import CALM, CONTRAST

AA = 4.5
BASES = ("background", "surface", "panel")
TEXTS = (
    "foreground",
    "text",
    "text-muted",
    "text-disabled",
    "primary",
    "text-primary",
    "text-secondary",
    "text-accent",
    "text-warning",
    "text-error",
    "text-success",
)
# (text, drawn on, drawn over): focus and other pairs that are not on a base colour
PAIRS = (
    ("block-cursor-foreground", "block-cursor-background", "surface"),
    ("block-cursor-blurred-foreground", "block-cursor-blurred-background", "surface"),
    ("input-cursor-foreground", "input-cursor-background", "surface"),
    ("input-selection-foreground", "input-selection-background", "surface"),
    ("footer-key-foreground", "footer-background", "background"),
    ("footer-description-foreground", "footer-background", "background"),
    ("footer-foreground", "footer-background", "background"),
    ("button-foreground", "surface", "background"),
    ("button-color-foreground", "primary", "background"),
    ("text", "error", "surface"),  # the save line when saving failed
    ("text", "primary-background", "background"),
)


def luminance(colour: Color) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(one: Color, two: Color) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def resolve(variables: dict[str, str], name: str, over: Color) -> Color:
    """The colour `name` as drawn over `over` (auto and transparency blended)."""
    value = variables[name]
    if value.startswith("auto"):
        parts = value.split()
        alpha = float(parts[1].rstrip("%")) / 100 if len(parts) > 1 else 1.0
        return over + over.get_contrast_text(alpha)
    return over + Color.parse(value)


def pairs(theme_variables: dict[str, str]) -> list[tuple[str, float]]:
    """(description, contrast) of every pair checked."""
    found = []
    black = Color(0, 0, 0)
    for base in BASES:
        ground = resolve(theme_variables, base, resolve(theme_variables, "background", black))
        for text in TEXTS:
            shade = resolve(theme_variables, text, ground)
            found.append((f"{text} on {base}", contrast(shade, ground)))
    for text, on, over in PAIRS:
        beneath = resolve(theme_variables, over, resolve(theme_variables, "background", black))
        ground = resolve(theme_variables, on, beneath)
        shade = resolve(theme_variables, text, ground)
        found.append((f"{text} on {on}", contrast(shade, ground)))
    return found


def test_the_wcag_formula_gives_the_known_values() -> None:
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(255, 255, 0), Color(0, 0, 0)) == pytest.approx(19.56, abs=0.01)
    assert contrast(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def test_every_text_and_focus_pair_of_the_high_contrast_theme_reaches_4_5() -> None:
    variables = CONTRAST.to_color_system().generate()
    checked = pairs(variables)
    assert len(checked) == len(BASES) * len(TEXTS) + len(PAIRS)
    low = [(name, round(ratio, 2)) for name, ratio in checked if ratio < AA]
    assert low == []


def test_the_focus_pair_of_the_high_contrast_theme_is_black_on_yellow() -> None:
    variables = CONTRAST.to_color_system().generate()
    ratio = dict(pairs(variables))["block-cursor-foreground on block-cursor-background"]
    assert ratio > 15


def test_the_calm_theme_keeps_its_body_text_readable() -> None:
    """Not held to every pair (it is the calm one), but its text and cursor are AA."""
    checked = dict(pairs(CALM.to_color_system().generate()))
    for name in ("foreground on background", "text on surface", "text-muted on background"):
        assert checked[name] >= AA, name


async def test_the_focused_grid_cell_in_option_talk_reaches_4_5_in_high_contrast(
    example_app,  # type: ignore[no-untyped-def]
) -> None:
    """Measured on the drawn cell, not the theme: option talk's own CSS is in play."""
    from flow import open_consultation

    from sdm_tui.core.session import Role, grid_ref, new_session
    from sdm_tui.core.transitions import add_participant, choose_options
    from sdm_tui.ui.panes.options import OptionTalkPane

    app = example_app
    app.theme = CONTRAST.name
    grid = app.catalog.get("example-grid")
    session = new_session(grid_ref=grid_ref(grid), app_version="test")
    session = add_participant(session, Role.SERVICE_USER, "Zoë Example")
    session = choose_options(session, ["tablet-a", "tablet-b"])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_consultation(app, pilot, session, "f3")
        table = app.screen.query_one(OptionTalkPane).table
        assert table.has_focus
        for name in ("cursor", "cell", "fixed", "header"):
            style = table._style(name)
            fore, back = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            ratio = contrast(Color(*fore), Color(*back))
            assert ratio >= AA, (name, round(ratio, 2))
