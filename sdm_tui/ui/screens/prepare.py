"""Get ready for an appointment: the service user writes, in their own words, before.

A calm screen: plain prompts as "I" sentences, one box each with room to write,
saved as they go under their reference (never a name). They can make a one-page
sheet to print and bring, or discard what they wrote. Nothing here is a record;
a consultation for the same reference offers it when it starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Header, Input, Label, RadioButton, RadioSet, Static, TextArea

from sdm_tui.core.fsutil import StoreError, atomic_write
from sdm_tui.core.session import (
    INVOLVEMENT_TEXT,
    PREPARATION_PROMPTS,
    WRITTEN_WITH_TEXT,
    Involvement,
    Preparation,
    SessionError,
    WrittenWith,
    check_reference,
)
from sdm_tui.ui.screens.confirm import YesNo
from sdm_tui.ui.widgets.footer import Footer
from sdm_tui.ui.widgets.marks import Radio

if TYPE_CHECKING:
    from sdm_tui.ui.app import SdmApp

SAVE_PAUSE = 0.6  # seconds after the last key before what is typed is saved
INTRO = (
    "Write in your own words, at your own pace. You can leave any box empty. "
    "What you write is saved as you go, under your reference, and shown at your "
    "appointment only when you say yes. Tab moves to the next box."
)
HELP_REFERENCE = "My reference (the one on my letters, such as SU-0042; never my name)"
PROMPT_HINTS = {
    "want": "For example: I want to talk about feeling tired all day.",
    "matters": "For example: I want to keep my job. I want to sleep well.",
    "stay_well": "For example: I walk every morning. I see my sister on Sundays.",
    "questions": "For example: Can I take a lower dose?",
    "worries": "For example: I worry about putting on weight.",
}


class ConfirmDiscard(YesNo):
    """Discard the preparation: the way back is where the focus starts."""

    action_label = "Discard it"
    back_label = "Keep it (Esc)"
    action_variant = "error"
    focus_back = True

    def body(self) -> ComposeResult:
        yield Static("Discard what you wrote?", classes="heading", markup=False)
        yield Static(
            "It is removed from this computer, with its printable sheet. This cannot be undone.",
            markup=False,
        )


class PrepareScreen(Screen[None]):
    """Write a preparation; Escape or Done saves and goes back."""

    if TYPE_CHECKING:
        app: SdmApp  # typed: this screen runs only in SdmApp

    BINDINGS = [
        Binding("escape", "done", "Done"),
        Binding("ctrl+s", "save_now", "Save", priority=True),
    ]

    def __init__(self, reference: str = "") -> None:
        super().__init__()
        self.reference = ""  # the checked reference it is saved under ("" until typed)
        self.preparation = Preparation()
        self._start_reference = reference
        self._timer: Timer | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="prepare"):
            yield Static("Get ready for an appointment", classes="heading", markup=False)
            yield Static(INTRO, classes="hint", markup=False)
            yield Label(HELP_REFERENCE, markup=False)
            yield Input(
                self._start_reference, placeholder="SU-0042", max_length=40, id="prep-reference"
            )
            yield Static("", id="prep-state", markup=False)
            yield Label("I am writing this", markup=False)
            with RadioSet(id="prep-with"):
                for value, words in WRITTEN_WITH_TEXT.items():
                    yield Radio(words, value=value == WrittenWith.ALONE, name=value.value)
            for key, prompt in PREPARATION_PROMPTS.items():
                yield Label(prompt, classes="prep-prompt", markup=False)
                yield TextArea(
                    "",
                    id=f"prep-{key}",
                    classes="prep-box",
                    soft_wrap=True,
                    tab_behavior="focus",
                    placeholder=PROMPT_HINTS[key],
                )
            yield Label("How involved I want to be in the decision", markup=False)
            with RadioSet(id="prep-involvement"):
                for level, words in INVOLVEMENT_TEXT.items():
                    yield Radio(words, name=level.value)
            with Horizontal(classes="buttons", id="prep-actions"):
                yield Button("Done (Esc)", id="prep-done", variant="primary")
                yield Button("Make a sheet to print", id="prep-sheet")
                yield Button("Discard what I wrote", id="prep-discard", variant="error")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Get ready for an appointment"
        if self._start_reference:
            self._use_reference(self._start_reference)
            self.query_one("#prep-want", TextArea).focus()
        else:
            self.query_one("#prep-reference", Input).focus()
            self._say("Type your reference first, then Enter, so what you write can be saved.")

    # Reference -------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        state = self.query_one("#prep-state", Static)
        state.update(text)
        state.set_class(error, "error")

    @on(Input.Submitted, "#prep-reference")
    def _reference_typed(self, event: Input.Submitted) -> None:
        if self._use_reference(event.value):
            self.query_one("#prep-want", TextArea).focus()

    @on(Input.Blurred, "#prep-reference")
    def _reference_left(self, event: Input.Blurred) -> None:
        if event.value.strip() and event.value.strip() != self.reference:
            self._use_reference(event.value)

    def _use_reference(self, typed: str) -> bool:
        """Check the reference; load what was written under it, or keep what is typed."""
        try:
            reference = check_reference(typed)
        except SessionError as exc:
            self._say(str(exc), error=True)
            return False
        if reference == self.reference:
            return True
        try:
            found = self.app.store.load_preparation(reference)
        except StoreError as exc:
            self._say(str(exc), error=True)
            return False
        self.reference = reference
        if found is not None:
            self.preparation = found
            self._fill(found)
            self._say(f"✓ Opened what you wrote before, under {reference}. It saves as you go.")
        else:
            self._say(f"✓ Saved as you go, under {reference}.")
            self._save()
        return True

    def _fill(self, preparation: Preparation) -> None:
        self._loading = True
        for key in PREPARATION_PROMPTS:
            self.query_one(f"#prep-{key}", TextArea).load_text(getattr(preparation, key))
        for button in self.query_one("#prep-with", RadioSet).query(RadioButton):
            button.value = button.name == preparation.written_with.value
        for button in self.query_one("#prep-involvement", RadioSet).query(RadioButton):
            chosen = preparation.involvement
            button.value = chosen is not None and button.name == chosen.value
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._loading = False

    # Saving as they go -------------------------------------------------------

    def _typed(self) -> Preparation:
        """What is on the screen, as a preparation (cleaned like any typed text)."""
        from sdm_tui.core.preparation import update_preparation

        texts: dict[str, Any] = {
            k: self.query_one(f"#prep-{k}", TextArea).text for k in PREPARATION_PROMPTS
        }
        pressed = self.query_one("#prep-with", RadioSet).pressed_button
        written_with = WrittenWith(pressed.name) if pressed and pressed.name else None
        pressed = self.query_one("#prep-involvement", RadioSet).pressed_button
        involvement = Involvement(pressed.name) if pressed and pressed.name else None
        return update_preparation(
            self.preparation, involvement=involvement, written_with=written_with, **texts
        )

    def _changed(self) -> None:
        if self._loading:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_PAUSE, self._save)

    @on(TextArea.Changed, ".prep-box")
    def _text_changed(self) -> None:
        self._changed()

    @on(RadioSet.Changed)
    def _choice_changed(self) -> None:
        self._changed()

    def _save(self) -> bool:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.reference:
            typed = self.query_one("#prep-reference", Input).value
            if not typed.strip() or not self._use_reference(typed):
                self._say("Not saved yet: type your reference at the top, then Enter.", error=True)
                return False
        self.preparation = self._typed()
        try:
            self.app.store.save_preparation(self.reference, self.preparation)
        except (StoreError, SessionError) as exc:
            self._say(f"⚠ Not saved: {exc}", error=True)
            return False
        when = self.preparation.written
        stamp = f" at {when.astimezone():%H:%M:%S}" if when else ""
        self._say(f"✓ Saved{stamp}, under {self.reference}.")
        return True

    def action_save_now(self) -> None:
        self._save()

    def action_done(self) -> None:
        if self._has_words() and not self._save():
            return  # says why; nothing is lost while the screen stays
        self.dismiss(None)

    def _has_words(self) -> bool:
        return any(self.query_one(f"#prep-{k}", TextArea).text.strip() for k in PREPARATION_PROMPTS)

    @on(Button.Pressed, "#prep-done")
    def _done(self) -> None:
        self.action_done()

    # Sheet and discard -------------------------------------------------------

    def action_sheet(self) -> None:
        """Write the one-page sheet beside the preparation and say where."""
        from sdm_tui.core.prepsheet import sheet_html

        if not self._save():
            return
        path = self.app.store.preparation_path(self.reference).with_suffix(".html")
        try:
            atomic_write(path, sheet_html(self.reference, self.preparation).encode("utf-8"))
        except StoreError as exc:
            self._say(f"⚠ The sheet was not written: {exc}", error=True)
            return
        self.sheet_path = path
        self._say(f"✓ Printable sheet: {path} (open it in a browser and print it).")
        self.notify(str(path), title="Printable sheet written", markup=False, timeout=10)

    @on(Button.Pressed, "#prep-sheet")
    def _sheet(self) -> None:
        self.action_sheet()

    @on(Button.Pressed, "#prep-discard")
    def _discard(self) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            removed = False
            if self.reference:
                try:
                    removed = self.app.store.discard_preparation(self.reference)
                except StoreError as exc:
                    self._say(f"⚠ Not discarded: {exc}", error=True)
                    return
            self.preparation = Preparation()
            self._fill(self.preparation)
            self._say("✓ Discarded." if removed else "✓ Cleared: nothing was saved.")

        self.app.push_screen(ConfirmDiscard(), answered)
