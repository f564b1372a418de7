"""The key bar keeps its keys while focus moves between controls with the same keys,
and shows the new ones when they change (widgets/footer.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Input, Static

from sdm_tui.ui.widgets.footer import Footer


class Pad(Static, can_focus=True):
    BINDINGS = [("x", "mark", "Extra key")]

    def action_mark(self) -> None:
        self.add_class("marked")


class Keys(App[None]):
    BINDINGS = [("f9", "bell", "Ring")]

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")
        yield Pad("pad", id="pad")
        yield Footer()


def keys(app: App[None]) -> list[Widget]:
    return list(app.screen.query("FooterKey"))  # by name: Textual does not export it


def labels(app: App[None]) -> list[str]:
    return [str(getattr(key, "description", "")) for key in keys(app)]


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change() -> None:
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "a"
        first = keys(app)
        assert "Ring" in labels(app) and "Extra key" not in labels(app)
        await pilot.press("tab")  # to the second input: the same keys
        await pilot.pause()
        assert app.focused.id == "b"
        assert keys(app) == first and all(key.is_attached for key in first)
        await pilot.press("tab")  # to the pad: one more key
        await pilot.pause()
        assert app.focused.id == "pad"
        assert "Extra key" in labels(app) and "Ring" in labels(app)
        assert not any(key.is_attached for key in first)
        await pilot.press("shift+tab")  # back to an input: the extra key goes
        await pilot.pause()
        assert app.focused.id == "b"
        assert "Extra key" not in labels(app) and "Ring" in labels(app)
