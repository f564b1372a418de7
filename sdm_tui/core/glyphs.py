"""Every symbol the app draws, with the ASCII mark that stands in for it.

The Linux console (TERM=linux) shows only the few hundred characters of its font:
Debian's default, Lat15-Fixed16, has no "◔", "◑", "◆", "✓" or "▐" (tests/data lists
what it has). There, or with `--ascii`, the app draws every symbol in this table as
its ASCII mark instead (the UI applies `to_ascii` to each line it draws, Textual's own
borders, buttons and scroll bars included), so nothing turns into a blank box.

Each mark keeps its symbol's width (one cell for one cell), so a line's layout is the
same in both sets. Letters, digits and what people typed are never changed, apart
from a symbol of this table typed into a note (which the console could not show).
The meaning never rests on the mark alone: levels and leanings are written in words
beside it ("▲ towards", "+ towards").
"""

from __future__ import annotations

from collections.abc import Mapping

# The app's own marks: what they mean, the symbol, its ASCII mark.
APP_MARKS: tuple[tuple[str, str, str], ...] = (
    ("level: none", "○", "o"),
    ("level: low", "◔", "."),
    ("level: medium", "◑", "+"),
    ("level: high; a chosen radio button", "●", "*"),
    ("leaning: towards", "▲", "+"),
    ("leaning: open", "◆", "="),
    ("leaning: away", "▼", "-"),
    ("the cursor (focused item, grid cell, person recorded)", "▶", ">"),
    ("the cursor's other side (focused grid cell)", "◀", "<"),
    ("chosen, done (checkbox, selection list, saved)", "✓", "*"),
    ("resume", "↺", "~"),
    ("role-play", "◎", "o"),
    ("review", "≡", "="),
    ("get ready for an appointment (a preparation)", "✎", "/"),
    ("quit, remove", "✕", "x"),
    ("warning", "⚠", "!"),
    ("changed on disk", "≠", "#"),
    ("review date passed", "◷", "@"),
    ("failed check", "✗", "x"),
    ("list item", "•", "*"),
    ("text cut short", "…", "~"),
    ("not said, separator, a month with no answers", "·", "."),
    ("arrows", "→", ">"),
    ("arrows", "←", "<"),
    ("arrows", "↑", "^"),
    ("arrows", "↓", "v"),
)

# Drawing characters: Textual's borders, buttons, tabs, scroll bars and our charts.
_DRAWING: dict[str, str] = {
    **dict.fromkeys("─━═╌╍┄┅┈┉╴╶╸╺╼╾", "-"),
    **dict.fromkeys("│┃║╎╏┆┇┊┋╵╷╹╻╽╿", "|"),
    **dict.fromkeys("┌┐└┘├┤┬┴┼╭╮╯╰┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬╒╓╕╖╘╙╛╜╞╟╡╢╤╥╧╨╪╫", "+"),
    **dict.fromkeys("┍┎┑┒┕┖┙┚┝┞┟┠┡┢┥┦┧┨┩┪┭┮┯┰┱┲┵┶┷┸┹┺┽┾┿╀╁╂╃╄╅╆╇╈╉╊", "+"),
    "█": "#",
    "▉": "#",
    "▊": "|",
    "▋": "#",
    "▌": "]",
    "▍": "|",
    "▎": "|",
    "▏": "|",
    "▐": "[",
    "▕": "|",
    "▔": "-",
    "▀": "-",
    "▁": "_",
    "▂": "_",
    "▃": "-",
    "▄": "=",
    "▅": "=",
    "▆": "#",
    "▇": "#",
    "░": ":",
    "▒": "%",
    "▓": "#",
    "■": "#",
    "□": "o",
    "▪": "*",
    "▫": ".",
    "◯": "o",
    "⭘": "o",
    "◉": "*",
    "◦": "o",
    "►": ">",
    "◄": "<",
    "▸": ">",
    "◂": "<",
    "▷": ">",
    "◁": "<",
    "△": "^",
    "▽": "v",
    "◇": "=",
    "✔": "x",
    "✘": "x",
    "×": "x",
    "⏎": "<",
    "⌫": "<",
    "⇥": ">",
    "⇤": "<",
    "↕": "|",
    "↔": "-",
    "«": "<",
    "»": ">",
    "‹": "<",
    "›": ">",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
}

ASCII_FORMS: dict[str, str] = {
    **_DRAWING,
    **{symbol: mark for _, symbol, mark in APP_MARKS},
}
_TABLE = str.maketrans(ASCII_FORMS)


def console_needs_ascii(environ: Mapping[str, str]) -> bool:
    """The Linux console (TERM=linux) cannot show most symbols."""
    return environ.get("TERM", "") == "linux"


def to_ascii(text: str) -> str:
    """`text` with every symbol of the table as its ASCII mark (same width)."""
    if text.isascii():
        return text
    return text.translate(_TABLE)


# Keys as the footer names them: a word, not an arrow, in ASCII mode ("⏎" is not "<").
KEY_WORDS = {"⏎": "enter", "↑": "up", "↓": "down", "←": "left", "→": "right", "⌫": "backspace"}


def key_to_ascii(shown: str) -> str:
    """A key as shown in the footer ("⏎", "^↑"), in ASCII ("enter", "^up")."""
    return to_ascii("".join(KEY_WORDS.get(char, char) for char in shown))


def app_symbols() -> list[str]:
    """The symbols the app itself draws (not Textual's drawing characters), once each."""
    return list(dict.fromkeys(symbol for _, symbol, _ in APP_MARKS))
