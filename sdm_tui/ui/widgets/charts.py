"""Simple terminal charts in plain Unicode blocks, always with the numbers beside them.

People often would rather look than read, but a chart alone hides the numbers
and, drawn in colour, fails in high contrast or for someone who does not see
colour well. So every bar carries its number in words beside it, bars are
drawn in block characters (█ and eighths), and a sparkline marks a month with
no answers as "·" rather than leaving a gap that looks like a zero.

`bar`, `sparkline` and the line builders are pure (text in, text out) and are
tested directly; `BarChart` and `MonthChart` redraw them to fit their width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
SPARKS = "▁▂▃▄▅▆▇█"
NO_VALUE = "·"
MAX_LABEL = 26


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar `width` cells long at most, in eighths of a cell."""
    if width <= 0 or maximum <= 0 or value <= 0:
        return ""
    eighths = round(min(value / maximum, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    text = FULL * full + (EIGHTHS[part] if part else "")
    if not text:
        text = EIGHTHS[1]  # a value above zero is never drawn as nothing
    return text


def sparkline(values: Sequence[float | None], low: float, high: float) -> str:
    """One block per value, from ▁ (low) to █ (high); "·" where there is no value."""
    span = high - low
    marks = []
    for value in values:
        if value is None:
            marks.append(NO_VALUE)
            continue
        share = 0.0 if span <= 0 else (min(max(value, low), high) - low) / span
        marks.append(SPARKS[round(share * (len(SPARKS) - 1))])
    return "".join(marks)


def _fit(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str  # the number in words, e.g. "1,204 (61%)"


def bar_lines(bars: Sequence[Bar], width: int, maximum: float | None = None) -> list[Text]:
    """Label, bar and number on one line each; the longest bar fills the space left."""
    if not bars:
        return []
    top = maximum if maximum is not None else max((b.value for b in bars), default=0)
    label_width = min(max(len(b.label) for b in bars), MAX_LABEL)
    note_width = max(len(b.note) for b in bars)
    space = max(width - label_width - note_width - 2, 4)
    lines = []
    for item in bars:
        line = Text(no_wrap=True)
        line.append(_fit(item.label, label_width).ljust(label_width) + " ")
        drawn = bar(item.value, top, space)
        line.append(drawn, style="bold")
        line.append(" " * (space - len(drawn)) + " ")
        line.append(item.note)
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per month, oldest first
    low: float
    high: float
    latest: Callable[[float], str]  # how to write a value as words, e.g. "3.1 of 4"


def month_lines(months: Sequence[str], series: Sequence[Series], width: int) -> list[Text]:
    """A sparkline per series over the months that fit, with its latest value in words.

    The last line names the first and last month shown, under the sparklines.
    """
    if not months or not series:
        return []
    label_width = min(max(len(s.label) for s in series), MAX_LABEL)
    notes = [_latest_note(s) for s in series]
    note_width = max(len(n) for n in notes)
    room = max(width - label_width - note_width - 2, 4)
    shown = min(len(months), room)
    lines = []
    for item, note in zip(series, notes, strict=True):
        line = Text(no_wrap=True)
        line.append(_fit(item.label, label_width).ljust(label_width) + " ")
        spark = sparkline(list(item.values)[-shown:], item.low, item.high)
        line.append(spark, style="bold")
        line.append(" " * (shown - len(spark)) + " ")
        line.append(note)
        lines.append(line)
    first, last = months[-shown], months[-1]
    axis = f"{first} … {last}" if shown > 1 else first
    if len(axis) > shown:
        axis = f"{first}→" if shown >= len(first) + 1 else ""
    lines.append(Text(" " * (label_width + 1) + axis, style="dim", no_wrap=True))
    return lines


def _latest_note(item: Series) -> str:
    for value in reversed(list(item.values)):
        if value is not None:
            return "latest " + item.latest(value)
    return "no answers yet"


class _Chart(Widget):
    DEFAULT_CSS = """
    BarChart, MonthChart {
        height: auto;
        width: 1fr;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = set()

    def _lines(self, width: int) -> list[Text]:
        raise NotImplementedError

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self._lines(width)), 1)

    def render(self) -> Text:
        lines = self._lines(self.content_size.width or 80)
        return Text("\n", no_wrap=True).join(lines) if lines else Text(self.empty)

    empty = "Nothing to show yet."


class BarChart(_Chart):
    """Horizontal bars with their numbers beside them."""

    def __init__(
        self,
        bars: Sequence[Bar] = (),
        *,
        maximum: float | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.bars = list(bars)
        self.maximum = maximum

    def update(self, bars: Sequence[Bar], *, maximum: float | None = None) -> None:
        self.bars = list(bars)
        self.maximum = maximum
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Text]:
        return bar_lines(self.bars, width, self.maximum)

    @property
    def text(self) -> str:
        """What the chart says, as plain text (for tests and copying)."""
        return "\n".join(line.plain.rstrip() for line in self._lines(self.content_size.width or 80))


class MonthChart(_Chart):
    """A sparkline per series over the months, with the latest value in words."""

    def __init__(
        self,
        months: Sequence[str] = (),
        series: Sequence[Series] = (),
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.months = list(months)
        self.series = list(series)

    def update(self, months: Sequence[str], series: Sequence[Series]) -> None:
        self.months = list(months)
        self.series = list(series)
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Text]:
        return month_lines(self.months, self.series, width)

    @property
    def text(self) -> str:
        return "\n".join(line.plain.rstrip() for line in self._lines(self.content_size.width or 80))
