"""Loading skips cleaning each string only when the TOML text cannot hold one to clean."""

from __future__ import annotations

import tomli
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from sdm_tui.core.text import clean, may_need_cleaning

# Every kind of character clean() treats apart, mixed with ordinary ones.
ODD = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x08",
        "\x0c",
        "\r",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\u202e",
        "\u200b",
        "\ufeff",
        "\u2028",
        "\t",
        "\n",
        "é",
        "≠",
        "a",
        " ",
        "\\",
        '"',
        "'",
    ]
)
TEXT = st.lists(st.one_of(ODD, st.text(max_size=3)), max_size=12).map("".join)


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_safe_to_skip(toml_text: str) -> None:
    if may_need_cleaning(toml_text):
        return
    for s in strings(tomli.loads(toml_text)):
        assert clean(s) == s, repr(s)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.lists(TEXT, max_size=3))
def test_what_tomli_w_writes_is_cleaned_whenever_it_could_need_it(
    one: str, many: list[str]
) -> None:
    assert_safe_to_skip(tomli_w.dumps({"a": one, "b": many, "t": {"c": one}}))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_hand_written_strings_are_cleaned_whenever_they_could_need_it(s: str) -> None:
    for quoted in (f"'{s}'", f"'''{s}'''", f'"""{s}"""', f'"{s}"'):
        try:
            text = f"a = {quoted}\n"
            tomli.loads(text)
        except (tomli.TOMLDecodeError, ValueError):
            continue
        assert_safe_to_skip(text)


def test_escapes_that_make_odd_characters_are_seen() -> None:
    for escape in (r"\u202e", r"\U0000001b", r"\b", r"\f", r"\r", r"\e", r"\x1b"):
        assert may_need_cleaning(f'a = "x{escape}y"\n'), escape
    assert not may_need_cleaning('a = "line one\\nline two\\ttab \\"quoted\\" \\\\"\n')
    assert not may_need_cleaning('a = "plain words, é and ≠"\n')
