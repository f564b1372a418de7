"""The key bar at the bottom: Textual's Footer, composed again only when it would change.

Textual's Footer builds a new key widget for every binding, styles it and lays the
screen out again on every bindings update, which comes with each focus change, even
when the keys shown stay the same. In a consultation most Tab presses keep them the
same, and that rebuild was the largest part of what a key press cost (about 450 of
the 700 layouts in a whole consultation test).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

from sdm_tui.ui.textual_compat import footer_keys_ready


def shown(screen: Screen[object]) -> tuple[object, ...]:
    """Everything of the screen's bindings that the footer shows."""
    app = screen.app
    return tuple(
        (
            binding.key,
            app.get_key_display(binding),
            binding.description,
            binding.action,
            enabled,
            tooltip,
            None if binding.group is None else (binding.group.description, binding.group.compact),
        )
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class Footer(TextualFooter):
    """A Footer that keeps its keys while the bindings it shows are the same."""

    _composed_from: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        ready = footer_keys_ready(self) and self.is_attached
        self._composed_from = (shown(self.screen), self.show_command_palette) if ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self._composed_from is not None
            and self.is_attached
            and screen is self.screen
            and (shown(screen), self.show_command_palette) == self._composed_from
        ):
            return
        super().bindings_changed(screen)
