"""Cleaning typed text, and escaping it for Markdown."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sdm_tui.core import text as text_module
from sdm_tui.core.text import clean, clean_line, md_cell, md_escape

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# clean() -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("\x1b[2J\x1b[Hcleared", "cleared"),
        ("\x1b]0;evil title\x07after", "after"),
        ("\x1b]2;evil title\x1b\\after", "after"),
        ("\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b", ""),
        ("a\x00b\x07c\x08d\x7fe", "abcde"),
        ("C1: \x80\x85\x9b\x9f.", "C1: ."),
        ("tab\tkept", "tab\tkept"),
    ],
)
def test_clean_removes_controls_and_escapes(typed: str, kept: str) -> None:
    assert clean(typed) == kept


@pytest.mark.parametrize("mark", list(BIDI))
def test_clean_removes_bidi_overrides_and_isolates(mark: str) -> None:
    assert clean(f"price{mark}100") == "price100"


def test_clean_trojan_source_line() -> None:
    typed = "access = \u202e \u2066if admin\u2069 \u2066"
    assert clean(typed) == "access =  if admin "


def test_clean_lone_surrogates_become_replacement_characters() -> None:
    assert clean("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean("\ud83d") == "\ufffd"
    clean("x\udc80y").encode("utf-8")  # always encodable


def test_clean_newlines() -> None:
    assert clean("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"
    assert clean("one\r\ntwo\nthree", multiline=False) == "one two three"
    assert clean_line("  one\ntwo  ") == "one two"
    assert clean("\n\n", multiline=True) == "\n\n"


@pytest.mark.parametrize(
    "typed",
    [
        "Café crème, naïve, Zoë",
        "e\u0301 and a\u0308 (combining marks)",
        "体重が増えますか",
        "한국어",
        "שלום עולם",
        "مرحبا بالعالم",
        "नमस्ते",
        "😀 👩‍⚕️ 🏳️‍🌈 👍🏽",
        "[bold]markup[/bold] [@click=app.quit]x[/] \\[escaped]",
        "# *_`<b>&amp;</b>`_*",
        "می\u200cخواهم",  # Persian needs its zero-width non-joiner (in notes)
        "क्\u200dष",  # and Devanagari its joiner
    ],
)
def test_clean_keeps_what_people_type(typed: str) -> None:
    assert clean(typed) == typed
    if "\u200c" not in typed and "\u200d" not in typed.replace("\u200d\u2695", ""):
        assert clean_line(typed) == typed.strip()


INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u2060",  # word joiner
    "\u2061",  # function application
    "\ufeff",  # zero-width no-break space (byte order mark)
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
    "\ufff9",  # interlinear annotation anchor
    "\U000e0041",  # tag letter A (hidden text)
    "\U000e0001",  # language tag
]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_are_removed(mark: str) -> None:
    assert clean(f"M{mark}e") == "Me"
    assert clean_line(f" M{mark}e ") == "Me"
    assert clean(f"note{mark}\nline{mark}") == "note\nline"


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
def test_labels_and_references_cannot_differ_only_by_a_joiner(joiner: str) -> None:
    assert clean_line(f"M{joiner}e") == "Me"
    assert clean_line(f"SU-{joiner}0042") == "SU-0042"


def test_a_joiner_inside_an_emoji_stays_in_a_label() -> None:
    for emoji in ("👩\u200d⚕️", "🏳️\u200d🌈", "👨\u200d👩\u200d👧"):
        assert clean_line(f"Mum {emoji}") == f"Mum {emoji}"
    assert clean_line("a\u200d😀") == "a😀"  # not between two emoji parts


def test_a_reference_with_an_invisible_character_is_the_same_reference() -> None:
    from sdm_tui.core.session import Session

    fields = Session.model_fields
    assert "service_user_ref" in fields
    from sdm_tui.core import transitions as t
    from sdm_tui.core.session import new_session

    s = new_session(grid_ref=_grid(), app_version="0.0.0-test")
    assert t.set_reference(s, "SU\u200b-00\u200d42").service_user_ref == "SU-0042"
    s = t.add_participant(s, t.Role.CLINICIAN, "Dr\u200b Test\u2060")
    assert s.participants[-1].label == "Dr Test"


def _grid():  # type: ignore[no-untyped-def]
    from cli_helpers import load_example_grid

    from sdm_tui.core.session import grid_ref

    return grid_ref(load_example_grid())


def test_clean_max_length() -> None:
    assert clean("abcdef", max_length=3) == "abc"
    assert clean_line("  abcdef", max_length=4) == "ab"
    assert clean("") == ""


def test_clean_leaves_no_orphan_escape_parameters() -> None:
    # ESC c (full reset) and ESC 7 (save cursor) lose their ESC, so they do nothing.
    for typed in ("\x1bcreset", "\x1b7reset", "\x1b(Breset"):
        out = clean(typed)
        assert "\x1b" not in out
        assert out.endswith("reset")
    assert "[31m" not in clean("\x1b[31mred")
    assert "0;title" not in clean("\x1b]0;title\x07")


INVISIBLE_SET = {
    chr(c)
    for c in [
        *(0xAD, 0x61C, 0x180E, 0x200B, 0x200E, 0x200F, 0xFEFF, 0xE0001),
        *range(0x2060, 0x2065),
        *range(0xE0020, 0xE0080),
    ]
}

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40) | st.lists(
    st.sampled_from(
        [
            *["\x1b", "[", "]", "31m", "0;t", "\x07", "\\", "\r", "\n", "\ud800", *BIDI],
            *["a", "é", "😀", "⚕", "\ufe0f", *INVISIBLE, "\u200c", "\u200d"],
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT, st.booleans())
def test_clean_property(typed: str, multiline: bool) -> None:
    out = clean(typed, multiline=multiline)
    assert clean(out, multiline=multiline) == out  # cleaning twice changes nothing
    assert not any(ch in BIDI for ch in out)
    for i, ch in enumerate(out):
        category = unicodedata.category(ch)
        assert category != "Cs"
        assert category != "Cc" or ch == "\t" or (multiline and ch == "\n")
        assert ch not in INVISIBLE_SET
        if not multiline:
            assert ch != "\u200c"
            if ch == "\u200d":
                assert unicodedata.category(out[i + 1]) == "So"
    assert "\r" not in out
    out.encode("utf-8")


# Markdown ------------------------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "hardbreak", "softbreak"}
HOSTILE = [
    "# h",
    "## Heading two",
    "<b>x</b>",
    "<script>alert(1)</script>",
    "<!-- hidden -->",
    "[a](b)",
    "![a](b)",
    "[a]: http://example.com",
    "<https://example.com>",
    "`c`",
    "```\ncode\n```",
    "~~~\ncode",
    "a|b",
    "Line\n===",
    "Line\n---",
    "---",
    "***",
    "1. x",
    "12) x",
    "- x",
    "+ x",
    "* x",
    "> q",
    "*em* **strong** _em_ __strong__ ~~struck~~",
    "&lt;b&gt; &#60; &amp;",
    "\\*not em\\*",
    "    indented code",
    "| a | b |\n|---|---|\n| c | d |",
    "Line one  \n\n\nLine two",
]


def flat(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from flat(token.children)


def shown_text(tokens: list[Token]) -> str:
    """What a reader sees: text tokens, with line breaks as newlines."""
    return "".join(
        t.content if t.type == "text" else "\n" if t.type in ("hardbreak", "softbreak") else ""
        for t in tokens
    )


def as_typed(text: str) -> str:
    """The typed text as md_escape keeps it: clean lines, outer spaces and blank lines gone."""
    return "\n".join(line.strip() for line in clean(text).split("\n") if line.strip())


@pytest.mark.parametrize("typed", HOSTILE)
def test_md_escape_makes_markup_inert(typed: str) -> None:
    escaped = md_escape(typed)
    tokens = list(flat(MD.parse(escaped)))
    assert {t.type for t in tokens} <= PLAIN_TOKENS, escaped
    assert shown_text(tokens) == as_typed(typed)
    html = MD.render(escaped)
    for tag in (
        "<h",
        "<a ",
        "<img",
        "<code",
        "<pre",
        "<script",
        "<b>",
        "<blockquote",
        "<ol",
        "<ul",
        "<table",
        "<em",
        "<strong",
        "<hr",
        "<s>",
    ):
        assert tag not in html, html


@pytest.mark.parametrize("typed", HOSTILE)
def test_md_cell_stays_in_its_cell(typed: str) -> None:
    cell = md_cell(typed)
    assert "\n" not in cell
    doc = f"| Who | Note |\n| --- | --- |\n| Dr Test | {cell} |\n"
    tokens = list(flat(MD.parse(doc)))
    allowed = {
        "inline",
        "text",
        "table_open",
        "table_close",
        "thead_open",
        "thead_close",
        "tbody_open",
        "tbody_close",
        "tr_open",
        "tr_close",
        "th_open",
        "th_close",
        "td_open",
        "td_close",
    }
    assert {t.type for t in tokens} <= allowed, cell
    assert sum(t.type == "tr_open" for t in tokens) == 2
    assert sum(t.type == "td_open" for t in tokens) == 2
    last_cell = [t for t in tokens if t.type == "inline"][-1]
    assert shown_text(last_cell.children or []) == clean_line(typed)


def test_md_escape_newlines_are_hard_breaks() -> None:
    assert md_escape("one\ntwo") == "one  \ntwo"
    assert md_escape("one\r\n\r\ntwo\n") == "one  \ntwo"


def test_md_escape_cleans_first() -> None:
    assert md_escape("\x1b[31mred\u202e") == "red"


def test_md_escape_leaves_plain_text_readable() -> None:
    assert md_escape("I sleep better. Weight (a little) matters!") == (
        "I sleep better. Weight (a little) matters!"
    )


def test_md_cell_empty_is_a_space() -> None:
    assert md_cell("") == " "
    assert md_cell("\x1b[0m\n") == " "


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"#*_`[]()!<>&|~-+=:.\\ \n1a/", "http://", "&lt;", "1.", "```", "    "]),
        max_size=16,
    ).map("".join)
)
def test_md_escape_property(typed: str) -> None:
    tokens = list(flat(MD.parse(md_escape(typed))))
    assert {t.type for t in tokens} <= PLAIN_TOKENS
    assert shown_text(tokens) == as_typed(typed)


@pytest.mark.parametrize("sequence", ["\x1bc", "\x1b7", "\x1b(B", "\x1b#8"])
def test_short_escape_sequences_are_removed_whole(sequence: str) -> None:
    assert clean(f"a{sequence}b") == "ab"


def test_line_and_paragraph_separators_do_not_break_a_one_line_label() -> None:
    assert clean_line("Mum\u2028Dad\u2029x") == "Mum Dad x"


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        st.one_of(
            st.characters(codec=None),
            st.sampled_from(
                [
                    *"\x00\x07\t\n\r\x1b\x7f\x85\x9f\u2028\u2029\u202e\u2066",
                    *("\ud800", *INVISIBLE, "\u200c", "\u200d", "😀", "\ufe0f"),
                ]
            ),
        ),
        max_size=24,
    ),
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
)
def test_the_quick_path_gives_what_the_slow_path_gives(
    text: str, multiline: bool, max_length: int | None
) -> None:
    """`clean` skips its character loop when nothing needs changing; same result."""
    slow = text_module._clean_slowly(text, multiline=multiline, max_length=max_length)
    assert clean(text, multiline=multiline, max_length=max_length) == slow


# Bare web and e-mail addresses ---------------------------------------------------

GFM = MarkdownIt("gfm-like")  # what Textual's Markdown viewer uses: it links bare addresses


@pytest.mark.parametrize(
    "typed",
    [
        "see https://evil.example/x?a=1&b=2 now",
        "http://nhs.uk",
        "www.nhs.uk/conditions",
        "nhs.uk and example.com",
        "write to someone@example.com",
        "mailto:someone@example.com",
        "ftp://files.example.org",
        "a|https://x.example.com|b",
    ],
)
def test_bare_addresses_are_not_made_links(typed: str) -> None:
    for escaped in (md_escape(typed), md_cell(typed)):
        tokens = list(flat(GFM.parse(escaped)))
        assert "link_open" not in {t.type for t in tokens}, escaped
    tokens = list(flat(GFM.parse(md_escape(typed))))
    assert shown_text(tokens) == typed


def test_an_address_still_reads_as_typed_in_the_file() -> None:
    assert md_escape("see https://nhs.uk") == "see https\\://nhs\\.uk"
    assert md_escape("e.g. 3.5 mg, i.e. less") == "e.g. 3.5 mg, i.e. less"
