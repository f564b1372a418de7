"""The app's symbols against a Linux console font, and their ASCII marks.

The console (TERM=linux) draws only what its font holds: Debian's default font,
Lat15-Fixed16, is listed in tests/data/console_fonts. Every symbol the app draws has
an ASCII mark of the same width (core/glyphs.py), drawn there or with --ascii.
"""

from __future__ import annotations

import gzip
import struct
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len

from sdm_tui.core.glyphs import (
    APP_MARKS,
    ASCII_FORMS,
    app_symbols,
    console_needs_ascii,
    key_to_ascii,
    to_ascii,
)

ROOT = Path(__file__).resolve().parents[2]
FONT_LIST = ROOT / "tests" / "data" / "console_fonts" / "Lat15-Fixed16.txt"
FONT_FILE = Path("/usr/share/consolefonts/Lat15-Fixed16.psf.gz")
# The app's symbols that Lat15-Fixed16 cannot draw (so ASCII marks on the console).
MISSING_FROM_CONSOLE = {"○", "◔", "◑", "◆", "✓", "↺", "◎", "✕", "⚠", "◷", "✎"}


def console_repertoire() -> set[str]:
    chars = set()
    for line in FONT_LIST.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        first, _, last = line.partition("-")
        for code in range(int(first, 16), int(last or first, 16) + 1):
            chars.add(chr(code))
    return chars


def psf_repertoire(path: Path) -> set[str]:
    """The characters of a PSF1 or PSF2 console font, from its unicode table."""
    data = gzip.decompress(path.read_bytes())
    chars = set()
    if data[:2] == b"\x36\x04":  # PSF1: 16-bit code points, 0xFFFF ends a glyph's list
        mode, size = data[2], data[3]
        assert mode & 2, "a font with a unicode table"
        table = data[4 + (512 if mode & 1 else 256) * size :]
        for (code,) in struct.iter_unpack("<H", table[: len(table) // 2 * 2]):
            if code not in (0xFFFF, 0xFFFE):
                chars.add(chr(code))
        return chars
    magic, _, header, flags, count, size, _, _ = struct.unpack_from("<8I", data)
    assert magic == 0x864AB572 and flags & 1, "a PSF2 font with a unicode table"
    table, at = data[header + count * size :], 0
    for _ in range(count):  # UTF-8 sequences, 0xFF ends a glyph's list
        while table[at] != 0xFF:
            if table[at] == 0xFE:
                at += 1
                continue
            length = 1 if table[at] < 0x80 else 2 if table[at] < 0xE0 else 3
            chars.add(table[at : at + length].decode("utf-8"))
            at += length
        at += 1
    return chars


def symbols_in_source() -> dict[str, list[str]]:
    """Every non-ASCII symbol (not a letter or digit) in the app's code, where it is.
    The browser pages (serve/) are not drawn on a terminal."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "sdm_tui").rglob("*.py")):
        if "serve" in path.parts or path.name == "glyphs.py":
            continue
        for char in set(path.read_text("utf-8")):
            kind = unicodedata.category(char)
            if ord(char) > 127 and not kind.startswith(("L", "M", "N", "Z", "C")):
                found.setdefault(char, []).append(str(path.relative_to(ROOT)))
    return found


def test_which_app_symbols_the_console_font_lacks() -> None:
    font = console_repertoire()
    assert len(font) > 400 and "é" in font and "─" in font  # Latin-1 and box drawing
    missing = {symbol for symbol in app_symbols() if symbol not in font}
    assert missing == MISSING_FROM_CONSOLE


def test_every_symbol_in_the_code_has_an_ascii_mark() -> None:
    found = symbols_in_source()
    assert "▶" in found and "▲" in found  # the scan sees the app's marks
    without = {char: files for char, files in found.items() if char not in ASCII_FORMS}
    assert without == {}


def test_ascii_marks_are_ascii_and_keep_the_width() -> None:
    for symbol, mark in ASCII_FORMS.items():
        assert mark.isascii() and mark.isprintable(), symbol
        assert cell_len(mark) == cell_len(symbol) == 1, symbol
    assert to_ascii("▲ towards · ◔ low · ▶ Ann ✓") == "+ towards . . low . > Ann *"
    assert key_to_ascii("⏎") == "enter" and key_to_ascii("^↑") == "^up"


def test_letters_digits_and_plain_text_are_left_alone() -> None:
    assert to_ascii("Zoë, 3 × a day, naïve") == "Zoë, 3 x a day, naïve"
    assert to_ascii("plain") == "plain"


def test_each_meaning_has_its_own_ascii_mark_among_levels_and_leanings() -> None:
    levels = [mark for meaning, _, mark in APP_MARKS if meaning.startswith("level")]
    leanings = [mark for meaning, _, mark in APP_MARKS if meaning.startswith("leaning")]
    assert len(set(levels)) == len(levels) == 4
    assert len(set(leanings)) == len(leanings) == 3


def test_the_linux_console_asks_for_ascii() -> None:
    assert console_needs_ascii({"TERM": "linux"})
    assert not console_needs_ascii({"TERM": "xterm-256color"})
    assert not console_needs_ascii({})


@pytest.mark.skipif(not FONT_FILE.is_file(), reason="console-setup's fonts are not installed")
def test_the_stored_list_is_the_font_s_own() -> None:
    assert psf_repertoire(FONT_FILE) == console_repertoire()
