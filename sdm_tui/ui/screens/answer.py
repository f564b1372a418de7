"""One whole answer from the grid: the level in symbol and word, the full text,
every source with its full citation, and the grid's published and review dates."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from sdm_tui.core.grid import LEVEL_SYMBOL, OptionGrid


def answer_text(grid: OptionGrid, question_id: str, option_id: str) -> Text:
    """The whole answer as rich Text (never markup): safe for any grid content."""
    question = grid.question(question_id)
    option = grid.option(option_id)
    answer = grid.answer(question_id, option_id)
    text = Text()
    text.append(option.name, style="bold")
    text.append("\n")
    text.append(question.text, style="italic")
    text.append("\n\n")
    if answer.level is not None:
        text.append(f"{LEVEL_SYMBOL[answer.level]} {answer.level.value}", style="bold")
        text.append("\n")
    text.append(answer.text)
    text.append("\n\nWhere this comes from\n", style="bold")
    for source_id in answer.sources:
        try:
            citation = grid.source(source_id).citation
        except KeyError:
            citation = "(this source is missing from the grid)"
        text.append(f"• [{source_id}] ", style="bold")
        text.append(citation)
        text.append("\n")
    text.append(
        f"\nFrom the grid “{grid.title}”, version {grid.version}. "
        f"Published {grid.published:%d %B %Y}; to be reviewed by {grid.review_by:%d %B %Y}.\n",
        style="dim",
    )
    text.append(grid.disclaimer, style="dim")
    return text


class AnswerScreen(ModalScreen[None]):
    """Read one answer whole. Escape or Close returns to the grid."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, grid: OptionGrid, question_id: str, option_id: str) -> None:
        super().__init__()
        self.grid = grid
        self.question_id = question_id
        self.option_id = option_id
        self.text = answer_text(grid, question_id, option_id)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="answer-dialog"):
            with VerticalScroll(id="answer-body"):
                yield Static(self.text, id="answer-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
