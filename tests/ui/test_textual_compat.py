"""The private Textual APIs in sdm_tui/ui/textual_compat.py, checked against the pin.

If Textual is upgraded this fails first: look at each name in textual_compat.py again
(does it still exist, does it still mean the same), then change CHECKED_WITH.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer, RadioButton, RadioSet

from sdm_tui.ui import textual_compat
from sdm_tui.ui.textual_compat import (
    CHECKED_WITH,
    Apology,
    clear_radio_set,
    layout_pending,
    notifications,
)

SDM_TUI = Path(textual_compat.__file__).resolve().parent.parent


def test_the_pinned_textual_is_the_one_checked() -> None:
    assert version("textual") == CHECKED_WITH
    pyproject = (SDM_TUI.parent / "pyproject.toml").read_text("utf-8")
    assert f'"textual=={CHECKED_WITH}"' in pyproject


def test_the_private_attributes_used_still_exist() -> None:
    source = inspect.getsource(Screen)
    for name in ("_layout_required", "_repaint_required", "_dirty_widgets"):
        assert f"self.{name}" in source, name
    assert "self._pressed_button" in inspect.getsource(RadioSet)
    assert "self._notifications" in inspect.getsource(App)
    assert "self._bindings_ready" in inspect.getsource(Footer)
    handler = inspect.getsource(App._handle_exception)
    assert '"__rich__"' in handler and "self.panic(error)" in handler


def test_no_other_module_reaches_into_textual_privates() -> None:
    offenders = []
    for path in SDM_TUI.rglob("*.py"):
        if path.name == "textual_compat.py":
            continue
        text = path.read_text("utf-8")
        needles = ("textual.widgets._", "_pressed_button", "_layout_required", "._button.")
        for needle in (*needles, "_bindings_ready"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


async def test_the_helpers_work_on_a_running_app() -> None:
    class Little(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            with RadioSet():
                yield RadioButton("one", value=True)
                yield RadioButton("two")

    app = Little()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not layout_pending(app.screen)
        radio_set = app.query_one(RadioSet)
        pressed = radio_set.pressed_button
        assert pressed is not None
        pressed.value = False
        clear_radio_set(radio_set)
        assert radio_set.pressed_button is None
        app.notify("hello")
        await pilot.pause()
        assert [n.message for n in notifications(app)] == ["hello"]


def test_the_apology_shows_its_text_and_keeps_the_error() -> None:
    error = RuntimeError("boom")
    apology = Apology(Text("Sorry"), error)
    assert apology.__rich__() == Text("Sorry")
    assert str(apology) == "Sorry"
    assert apology.__cause__ is error
