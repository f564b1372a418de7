"""Every use of a private Textual API, in one place.

Textual is pinned exactly (pyproject: textual==8.2.8). Each name below reaches into
Textual's private modules or attributes because there is no public way to do the same.
tests/ui/test_textual_compat.py checks each one still exists in the pinned version; when
Textual is upgraded, that test says which to look at again. Nothing else in sdm_tui (or
its tests) imports `textual.widgets._...` or touches a `_private` Textual attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual.content import Content

if TYPE_CHECKING:
    # Widget classes and type variables Textual does not export publicly (imported when
    # first used, see `__getattr__`: the app imports this module before its first frame).
    from textual.app import App
    from textual.notifications import Notification
    from textual.screen import Screen
    from textual.widgets import Footer, RadioSet
    from textual.widgets._data_table import CellType
    from textual.widgets._select import SelectCurrent, SelectOverlay, SelectType
    from textual.widgets._selection_list import SelectionType
    from textual.widgets._toggle_button import ToggleButton

# The Textual version every name here was checked against.
CHECKED_WITH = "8.2.8"


def layout_pending(screen: Screen[object]) -> bool:
    """True while the screen still has layout, repaint or widget updates to do.

    Textual runs call_after_refresh callbacks right after a refresh that left another
    pending (Textual 8.2.8, Screen._on_timer_update).
    """
    return bool(screen._layout_required or screen._repaint_required or screen._dirty_widgets)


def clear_radio_set(radio_set: RadioSet) -> None:
    """Forget the pressed button (its value is already set False): no public way."""
    radio_set._pressed_button = None


# Where each private name comes from; imported on first use (PEP 562).
_PRIVATE = {
    "CellType": "textual.widgets._data_table",
    "SelectCurrent": "textual.widgets._select",
    "SelectOverlay": "textual.widgets._select",
    "SelectType": "textual.widgets._select",
    "SelectionType": "textual.widgets._selection_list",
    "ToggleButton": "textual.widgets._toggle_button",
}


def __getattr__(name: str) -> object:
    module = _PRIVATE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def toggle_button_face(button: ToggleButton) -> Content:
    """The ToggleButton's own drawing of its button (the property a subclass overrides)."""
    from textual.widgets._toggle_button import ToggleButton

    face: Content = ToggleButton._button.fget(button)  # type: ignore[attr-defined]
    return face


def footer_keys_ready(footer: Footer) -> bool:
    """Has the Footer had its first bindings update (before it, it composes no keys)?"""
    return bool(footer._bindings_ready)


def notifications(app: App[object]) -> list[Notification]:
    """The notifications on show (tests read them)."""
    return list(app._notifications)


class Apology(Exception):
    """An unexpected error as the app shows it on exit: only `text`, never a traceback.

    App._handle_exception shows an exception that has `__rich__` with `panic(error)`
    instead of a traceback (Textual 8.2.8); the original error is its `__cause__`.
    """

    def __init__(self, text: RenderableType, cause: BaseException) -> None:
        super().__init__(str(text))
        self.text = text
        self.__cause__ = cause

    def __rich__(self) -> RenderableType:
        return self.text


__all__ = [
    "CHECKED_WITH",
    "Apology",
    "CellType",
    "SelectCurrent",
    "SelectOverlay",
    "SelectType",
    "SelectionType",
    "ToggleButton",
    "clear_radio_set",
    "layout_pending",
    "notifications",
    "toggle_button_face",
]
