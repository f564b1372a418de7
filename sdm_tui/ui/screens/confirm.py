"""Yes/no dialogs, and the one convention every dialog in sdm-tui follows.

Buttons: the action first (on the left, the primary colour), the way back last (on
the right, labelled "(Esc)"). Keys: Enter presses the button that has the focus, and
the focus starts on the action; Escape always takes the way back and changes nothing;
Left/Right (and Tab) move between the buttons. Dialogs with a text box keep Enter for
the text and save with Ctrl+S, which their action button says.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

BUTTON_KEYS = [
    Binding("left", "app.focus_previous", "Previous", show=False),
    Binding("right", "app.focus_next", "Next", show=False),
]


class YesNo(ModalScreen[bool]):
    """A question with two answers: `action` (True) on the left, `back` (False) right."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Back"), *BUTTON_KEYS]
    action_label = "Yes"
    back_label = "No"
    action_variant = "primary"
    focus_back = False  # start on the way back (only when the action would lose work)

    def body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self.body()
            with Horizontal(classes="buttons"):
                yield Button(self.action_label, id="yes", variant=self.action_variant)  # type: ignore[arg-type]
                yield Button(f"{self.back_label} (Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.focus_back else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


class ConfirmQuit(YesNo):
    """Quitting with a consultation open (it is saved as a draft)."""

    back_label = "Stay"

    def __init__(self, save_error: str = "") -> None:
        super().__init__()
        self.save_error = save_error
        if save_error:
            self.action_label = "Quit anyway"
            self.action_variant = "error"
            self.focus_back = True  # quitting now would lose work
        else:
            self.action_label = "Quit"

    def body(self) -> ComposeResult:
        if self.save_error:
            text = (
                "Your latest changes could NOT be saved:\n"
                + self.save_error
                + "\n\nIf you quit now they will be lost. Stay, and save to another folder "
                "from the Summary talk."
            )
        else:
            text = (
                "This consultation is not finished. It is saved as a draft, so you can "
                "resume it from Home next time. Quit now?"
            )
        yield Static(text, markup=False)


class ConfirmFinish(YesNo):
    """Finishing is a decision: what is still empty, then finish or keep editing."""

    action_label = "Finish and save"
    back_label = "Keep editing"

    def __init__(self, empty: list[str]) -> None:
        super().__init__()
        self.empty = empty

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="finish-dialog"):
            yield Static("Finish and save this consultation?", classes="heading", markup=False)
            if self.empty:
                yield Static("Still empty:", markup=False)
                yield Static(
                    "\n".join(f"• {item}" for item in self.empty), id="finish-empty", markup=False
                )
            else:
                yield Static("Everything is filled in.", id="finish-empty", markup=False)
            yield Static(
                "Finishing saves the record and its summary. After that nothing can be "
                "changed here; a correction is made as an amendment (a new record that "
                "names this one).",
                classes="hint",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button(self.action_label, id="yes", variant="primary")
                yield Button(f"{self.back_label} (Esc)", id="no")
