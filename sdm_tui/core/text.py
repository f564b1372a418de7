"""User text, cleaned in one place.

Everything people type (notes, reasons, views, labels) passes through `clean`
on input, on load and before export. It removes what could change what a
terminal or another reader shows (control characters, escape sequences, bidi
overrides and marks, invisible format characters such as zero-width spaces,
lone surrogates) and keeps everything else exactly as typed. `clean_line`
(labels, references, short answers) also drops zero-width joiners and
non-joiners, except a joiner inside an emoji sequence, so "Me" and "M\u200be"
or "M\u200de" cannot be two different labels that look the same.

Markdown escaping lives here too, so the summary never turns typed text into
headings, links, images, HTML, code or table cells, and a bare web address or
e-mail address is not made a link by a viewer that links them (its dots,
colons and @ are escaped: `https\\://nhs\\.uk` shows as typed).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Bidirectional embedding, override and isolate characters ("Trojan Source").
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible format characters (Unicode category Cf) with no place in typed text:
# soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space,
# left-to-right and right-to-left marks, word joiner and invisible operators,
# deprecated format characters, byte order mark / zero-width no-break space,
# interlinear annotation, shorthand and musical format controls, and the tag
# characters (which can hide whole sentences). Kept: the Arabic and other
# prepended number marks (they show), and U+200C/U+200D, which Persian, Indic
# scripts and emoji sequences need in notes (clean_line drops them, see below).
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_JOINERS = "\u200c\u200d"
_EMOJI_JOIN_AFTER = "\ufe0f"  # emoji presentation selector: a joiner may follow it
# ANSI escape sequences (CSI, OSC, single-character) are removed whole so no
# stray "[31m" is left behind once the ESC byte has gone.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])")


# Any character `clean` would change: controls (Cc is exactly U+0000-U+001F and
# U+007F-U+009F), surrogates, bidi controls, and CR; for one line also LF and the
# Unicode line and paragraph separators. Tab always stays, LF stays in multi-line text.
_CHANGES_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}{_INVISIBLE}]")
_CHANGES_LINE = re.compile(
    f"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{_BIDI}{_INVISIBLE}{_JOINERS}]"
)


def _keep(ch: str, multiline: bool) -> bool:
    if ch in _BIDI:
        return False
    if ch == "\n":
        return multiline
    if ch == "\t":
        return True
    cat = unicodedata.category(ch)
    # Cc: C0/C1 controls; Cs: lone surrogates (not encodable as UTF-8).
    return cat not in ("Cc", "Cs")


def clean(text: str, *, multiline: bool = True, max_length: int | None = None) -> str:
    """Return `text` with control, escape and bidi-override characters removed.

    Newlines become "\\n" (CRLF and CR folded) and are kept only when
    `multiline`; otherwise they become spaces. Lone surrogates become U+FFFD.
    """
    if not text:
        return ""
    changes = _CHANGES_MULTILINE if multiline else _CHANGES_LINE
    if changes.search(text) is None:
        # Nearly all text is already clean: one regex scan instead of a loop over
        # every character. Loading a synthetic record went from 2.07 to 1.61 ms,
        # and with it `records verify` and building the review index.
        return text if max_length is None else text[:max_length]
    return _clean_slowly(text, multiline=multiline, max_length=max_length)


def clean_values(value: Any) -> Any:
    """`value` as read from a file, with clean() applied to every string in it (in dicts
    and lists, at any depth); keys and other values are kept."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: clean_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_values(v) for v in value]
    return value


# A TOML escape that can make a character clean() changes: \b \f \r, and \e \xHH
# \uXXXX \UXXXXXXXX (any character). \t, \n, \" and \\ cannot.
_TOML_ESCAPE = re.compile(r"\\[bfreuUx]")
_ASCII_CHANGES = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # _CHANGES_MULTILINE on ASCII


def may_need_cleaning(toml_text: str) -> bool:
    """False when no string read from this TOML text can hold a character clean()
    would change: none is in the text and no escape in it could make one. Nearly
    every file sdm-tui wrote; one regex scan, so loading skips cleaning each value."""
    if _TOML_ESCAPE.search(toml_text) is not None:
        return True
    # The same test, a simpler pattern for the usual all-ASCII text (4 times faster).
    changes = _ASCII_CHANGES if toml_text.isascii() else _CHANGES_MULTILINE
    return changes.search(toml_text) is not None


def _clean_slowly(text: str, *, multiline: bool, max_length: int | None) -> str:
    text = _ANSI.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE_RE.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ")
        text = _drop_joiners(text)
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cs":
            out.append("\ufffd")
        elif _keep(ch, multiline):
            out.append(ch)
    result = "".join(out)
    if max_length is not None:
        result = result[:max_length]
    return result


def _is_emoji(ch: str) -> bool:
    return ch == _EMOJI_JOIN_AFTER or unicodedata.category(ch) in ("So", "Sk")


def _drop_joiners(text: str) -> str:
    """Zero-width (non-)joiners go, but for a joiner between two parts of an emoji."""
    if "\u200c" not in text and "\u200d" not in text:
        return text
    out = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == "\u200c":
            continue
        if ch == "\u200d" and not (
            0 < i < last and _is_emoji(text[i - 1]) and unicodedata.category(text[i + 1]) == "So"
        ):
            continue
        out.append(ch)
    return "".join(out)


def clean_line(text: str, max_length: int | None = None) -> str:
    """A single line: labels, references, short answers. Trims outer spaces."""
    return clean(text, multiline=False, max_length=max_length).strip()


# Characters that can make Markdown syntax anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# A word a Markdown viewer may turn into a link (a scheme, www., an e-mail address,
# or a name.tld as linkify's fuzzy links do): its . : @ are escaped (an even run of
# backslashes before one is an escaped backslash, so the character is still bare).
_LINKISH = re.compile(r"\S*(?:://|www\.|@|[A-Za-z0-9-]\.[A-Za-z]{2,})\S*")
_LINK_PUNCTUATION = re.compile(r"(?<!\\)((?:\\\\)*)([.:@])")
# What makes a block (heading, quote, list, rule, setext underline, code fence)
# only at the start of a line: escape its first character.
_MD_LINE_START = re.compile(r"^(\s*)([#+=:-]|\d+(?=[.)]))")


def md_escape(text: str) -> str:
    """Escape typed text for Markdown so it shows literally and never as markup.

    Inline syntax characters are backslash-escaped (CommonMark treats any
    escaped ASCII punctuation as a literal); `<`, `>` and `&` become entities
    so no raw HTML can appear; a line that would start a block (heading,
    quote, list, rule) has its first character escaped. Ordinary punctuation
    such as full stops and brackets is left alone so the file reads well as
    plain text. Newlines become hard line breaks inside the same paragraph.
    """
    text = clean(text)
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        line = _MD_INLINE.sub(r"\\\1", line)
        line = re.sub(r"[<>&]", lambda m: _MD_ENTITIES[m.group(0)], line)
        line = _LINKISH.sub(lambda m: _LINK_PUNCTUATION.sub(r"\1\\\2", m.group(0)), line)
        line = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)
        if line.startswith("\\") and line[1:2].isdigit():
            # "\1." is not an escape in CommonMark; escape the dot instead.
            digits = re.match(r"\\(\d+)([.)])", line)
            if digits:
                line = digits.group(1) + "\\" + digits.group(2) + line[digits.end() :]
        lines.append(line)
    kept = [line for line in lines if line]
    return "  \n".join(kept)


def md_cell(text: str) -> str:
    """Escape typed text for one Markdown table cell (one line, pipes escaped)."""
    escaped = md_escape(clean_line(text))
    return escaped or " "
