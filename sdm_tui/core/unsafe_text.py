"""Finding characters a grid or scenario file must not hold, in any string or key.

Grid and scenario text is shown in a terminal and copied into records, so it is never
trusted: a file whose parsed data holds any of these is refused when it is loaded
(`grids validate`, `scenarios validate`, the app), with one `FILE:LINE` problem each:

- C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F), which includes ESC
  and so every escape sequence (an OSC 52 clipboard write starts with ESC ]);
  a line feed and a tab are allowed inside text values, never in keys;
  a carriage return only as part of CR LF;
- bidi overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) and
  bidi marks (U+200E, U+200F, U+061C);
- zero-width characters (U+200B-U+200D, U+2060, U+FEFF);
- lone surrogates.

The message shows each character escaped (`\\x1b`, `U+202E`), never raw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sdm_tui.core.tomlfile import LineMap, Problem

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
MAX_PER_FILE = 20

_NAMES = {
    "\x1b": "escape (ESC), which starts terminal escape sequences",
    "\x07": "bell (BEL)",
    "\x00": "null",
    "\r": "carriage return",
    "\x9b": "C1 control sequence introducer (CSI)",
    "\x9d": "C1 operating system command (OSC)",
}


def escape_char(char: str) -> str:
    """One character as text that shows it and cannot act on a terminal."""
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"U+{code:04X}"


def describe(char: str) -> str:
    """What kind of unsafe character this is, with the character escaped."""
    shown = escape_char(char)
    if char in _NAMES:
        return f"{shown} ({_NAMES[char]})"
    if char in BIDI:
        return f"{shown} (a bidi control, which can make text show in a false order)"
    if char in ZERO_WIDTH:
        return f"{shown} (a zero-width character, which hides in text)"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"{shown} (a lone surrogate)"
    return f"{shown} (a control character)"


def _unsafe(char: str, *, in_key: bool) -> bool:
    code = ord(char)
    if char in ("\n", "\t"):
        return in_key
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    return char in BIDI or char in ZERO_WIDTH or 0xD800 <= code <= 0xDFFF


def first_unsafe(text: str, *, in_key: bool = False) -> tuple[int, str] | None:
    """(index, character) of the first unsafe character in `text`, or None.

    CR LF in a value counts as a line break, not as a control character."""
    if text.isprintable():
        # The common case, one fast scan: isprintable() is False for every control
        # (Cc), format (Cf: bidi and zero-width) and surrogate (Cs) character.
        return None
    for index, char in enumerate(text):
        if char == "\r" and not in_key and text[index + 1 : index + 2] == "\n":
            continue
        if _unsafe(char, in_key=in_key):
            return index, char
    return None


@dataclass(frozen=True)
class Found:
    """One unsafe character: where in the data (a TOML path), in a key or a value."""

    loc: tuple[Any, ...]
    index: int
    char: str
    in_key: bool


def find_unsafe(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[Found]:
    """Every string and key in parsed TOML data holding an unsafe character (the first
    one of each string)."""
    if isinstance(data, str):
        hit = first_unsafe(data)
        if hit:
            yield Found(loc, hit[0], hit[1], False)
    elif isinstance(data, dict):
        for key, value in data.items():
            hit = first_unsafe(str(key), in_key=True)
            if hit:
                yield Found((*loc, key), hit[0], hit[1], True)
            yield from find_unsafe(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_unsafe(value, (*loc, index))


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(escape_text(str(part)) for part in loc) or "file"


def escape_text(text: str) -> str:
    """`text` with every unsafe character (and line break) escaped."""
    return "".join(
        escape_char(c) if c in ("\n", "\t") or _unsafe(c, in_key=False) else c for c in text
    )


def unsafe_problems(data: Any, file: str, lines: LineMap, what: str = "file") -> list[Problem]:
    """One problem per string holding an unsafe character (at most MAX_PER_FILE)."""
    problems: list[Problem] = []
    for found in find_unsafe(data):
        if len(problems) == MAX_PER_FILE:
            problems.append(
                Problem(file, 0, "more unsafe characters not listed", "fix the ones above first")
            )
            break
        part = "key" if found.in_key else "text"
        problems.append(
            Problem(
                file,
                lines.line_of(found.loc),
                f"{_where(found.loc)}: {part} holds {describe(found.char)} "
                f"at character {found.index + 1}",
                f"delete it; a {what} may not hold control, escape, bidi or zero-width characters",
            )
        )
    return problems
