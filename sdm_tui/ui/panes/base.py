"""The base of every talk pane: shown a session, asks for changes by message.

Typed text (one mechanism for every text field of every talk):

- A key in a text field only notes the field as edited (`typed`); its text is applied
  to the session (and so saved in the draft) after TYPING_IDLE seconds without a key,
  and never later than TYPING_MAX seconds after the first key not yet applied, or at
  once when the field is left, the talk is switched, the record finished or the app
  quit (the screen takes `pending()` from every pane then).
- A redraw never writes into a field that is being edited: one that has the focus or
  holds typed text not yet applied (`put_text`). So a session change arriving while
  someone types (another person's rating, the draft saved) cannot move the cursor,
  drop characters or put older text back.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual import on
from textual.containers import Vertical
from textual.events import DescendantBlur
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.session import Session
from sdm_tui.ui.messages import ActivePerson, GoToTalk, SessionChange, Transition

TYPING_IDLE = 0.5  # seconds without a key before typed text is applied and saved
TYPING_MAX = 1.0  # ...and at most this long after the first key not yet applied

TextField = Input | TextArea
# From a field's text to the change that stores it (None: the session has it already).
TextToChange = Callable[[str], Transition | None]


def field_text(widget: TextField) -> str:
    return widget.text if isinstance(widget, TextArea) else widget.value


class Pane(Vertical):
    """A talk. `show` is called with every new session; it must not rebuild needlessly.

    A pane never reaches into its screen: it asks with a message (ui/messages.py) and
    the screen calls it back (`show`, `activated`, `saved_to` once the record is saved).
    """

    def __init__(self, grid: OptionGrid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.session: Session | None = None
        self.active: str = ""
        self.saved_to: str = ""  # the finished record's file, set by the screen
        self._typed: dict[int, tuple[TextField, TextToChange]] = {}
        self._first_key = 0.0
        self._last_key = 0.0
        self._typing_timer: Timer | None = None

    def show(self, session: Session, active: str) -> None:
        """Update the widgets from `session`; `active` is the person being recorded."""
        self.session = session
        self.active = active

    def change(self, transition: Transition, *, typed: bool = False) -> None:
        self.post_message(SessionChange(transition, typed=typed))

    def activate(self, participant_id: str) -> None:
        self.post_message(ActivePerson(participant_id))

    def go(self, tab: str) -> None:
        self.post_message(GoToTalk(tab))

    def pending(self) -> list[Transition]:
        """Changes typed but not yet applied: text still in its pause, and (in some
        talks) fields applied only on Enter or on leaving them.

        The screen applies these before saving, switching talk, finishing or quitting,
        so none of that ever misses what is on screen. Taking them forgets them here.
        """
        return self.typing_changes()

    def activated(self) -> None:
        """Called when this talk's tab is opened (keys or mouse)."""

    def focus_first(self) -> None:
        """Put the keyboard focus on this talk's first control."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def focus_on(self, widget: Widget) -> None:
        """Focus `widget`, else (disabled: a finished record is read-only) the first control
        that takes focus. Focus left on another talk would switch the tabs back to it."""
        if widget.focusable:
            widget.focus()
        else:
            Pane.focus_first(self)

    # Typed text --------------------------------------------------------------

    def typed(self, widget: TextField, to_change: TextToChange) -> None:
        """`widget`'s text was edited: store it (via `to_change`) after a short pause.

        Cheap on purpose: it runs on every key. The text is read when it is applied,
        so it is always the field's latest text, in order.
        """
        now = monotonic()
        if not self._typed:
            self._first_key = now
        self._last_key = now
        self._typed[id(widget)] = (widget, to_change)
        if self._typing_timer is None:
            self._typing_timer = self.set_timer(TYPING_IDLE, self._typing_paused)

    def typing_waits(self) -> bool:
        """Typed text is waiting for its pause to be applied."""
        return bool(self._typed)

    def editing(self, widget: TextField) -> bool:
        """Someone is editing `widget`: it has the focus or holds text not yet applied."""
        return widget.has_focus or id(widget) in self._typed

    def put_text(
        self, widget: TextField, text: str, same: Callable[[str, str], bool] | None = None
    ) -> bool:
        """Show `text` in `widget` unless it is being edited; True if it now shows it.

        `same(shown, text)`: whether what the field shows already stands for `text`
        (e.g. the same once cleaned), so a tidied value does not replace what was typed.
        """
        if self.editing(widget):
            return False
        shown = field_text(widget)
        if shown == text or (same is not None and same(shown, text)):
            return True
        if isinstance(widget, TextArea):
            with widget.prevent(TextArea.Changed):
                widget.text = text
        else:
            with widget.prevent(Input.Changed):
                widget.value = text
        return True

    def typing_changes(self) -> list[Transition]:
        """The typed text not yet applied, as changes; forgotten here once taken."""
        typed, self._typed = self._typed, {}
        if self._typing_timer is not None:
            self._typing_timer.stop()
            self._typing_timer = None
        changes = []
        for widget, to_change in typed.values():
            change = to_change(field_text(widget))
            if change is not None:
                changes.append(change)
        return changes

    def apply_typing(self) -> None:
        """Ask for the typed text to be applied now."""
        for change in self.typing_changes():
            self.change(change, typed=True)

    def _typing_paused(self) -> None:
        self._typing_timer = None
        if not self._typed:
            return
        now = monotonic()
        idle, age = now - self._last_key, now - self._first_key
        if idle < TYPING_IDLE and age < TYPING_MAX:
            wait = max(0.01, min(TYPING_IDLE - idle, TYPING_MAX - age))
            self._typing_timer = self.set_timer(wait, self._typing_paused)
            return
        self.apply_typing()

    @on(DescendantBlur)
    def _left_text_field(self, event: DescendantBlur) -> None:
        if id(event.widget) in self._typed:
            self.apply_typing()
