"""The index readers' fast way (rtoml + orjson, index/fastread.py) gives exactly the
rows the usual way (tomli + json) gives: it takes a record only when the record's own
integrity hash proves what it read, and leaves every other file to the usual way."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.fuzz import mutate
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.index import fastread
from sdm_tui.core.index.reading import read_file
from sdm_tui.core.index.schema import COLUMNS, FileRow
from sdm_tui.core.index.search import _WORD, words
from sdm_tui.core.index.walk import folders
from sdm_tui.core.synth import write_synthetic

pytestmark = pytest.mark.skipif(not fastread.available(), reason="rtoml or orjson missing")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fastread") / "records"
    assert write_synthetic(root, 40, 3, dict(load_catalog().grids)) == 40
    return root


@pytest.fixture
def fast() -> Iterator[None]:
    fastread.use()
    yield
    fastread._ON = False


def rows(root: Path, fast_way: bool) -> list[FileRow]:
    fastread._ON = fast_way and fastread.available()
    try:
        return [
            read_file(str(root), rel, size, mtime)
            for _, files in folders(root)
            for rel, size, mtime in files or []
        ]
    finally:
        fastread._ON = False


def values(found: list[FileRow]) -> list[tuple[dict[str, object], str]]:
    """Each row's values but the file's own size, time and hash, and its words."""
    own = {"size", "mtime_ns", "sha256"}
    return [
        ({c: v for c, v in zip(COLUMNS, row, strict=True) if c not in own}, body)
        for row, body in found
    ]


def test_records_sdm_tui_wrote_are_read_the_fast_way_into_the_same_rows(
    made: Path, fast: None
) -> None:
    files = sorted(made.glob("*/*/*.toml"))
    assert all(fastread.session(path.read_bytes()) is not None for path in files)
    assert rows(made, True) == rows(made, False)


# The same values written another way: still proved by the hash, read the fast way.
SAME_VALUES = {
    "comments": lambda t: t.replace("\n[", "\n# a comment\n\n["),
    "literal strings": lambda t: t.replace('mode = "training"', "mode = 'training'"),
    "spaces": lambda t: t.replace("schema_version = ", "schema_version   =   "),
}

# Other values, or values the two JSON writers may spell apart: the usual way decides.
CHANGED = {
    "older format": lambda t: t.replace("schema_version = 2", "schema_version = 1"),
    "a float": lambda t: t.replace("schema_version = 2", "schema_version = 2.0"),
    "a bool": lambda t: t.replace("schema_version = 2", "schema_version = true"),
    "text as a date": lambda t: t.replace('amends = ""', "amends = 2022-01-03"),
    "a bare time": lambda t: t.replace('amends = ""', "amends = 07:32:00"),
    "a control character": lambda t: t.replace('amends = ""', 'amends = "\\u0007"'),
    "a byte order mark": lambda t: "\ufeff" + t,
    "no integrity line": lambda t: "\n".join(
        line for line in t.split("\n") if not line.startswith("integrity")
    ),
}


def rewritten(made: Path, tmp_path: Path, change: Callable[[str], str]) -> tuple[Path, list[str]]:
    """A copy of the archive with `change` made to every record; the new texts."""
    root = tmp_path / "records"
    shutil.copytree(made, root)
    texts = []
    for path in root.glob("*/*/*.toml"):
        text = path.read_text("utf-8")
        texts.append(change(text))
        assert texts[-1] != text
        path.write_text(texts[-1], "utf-8")
    return root, texts


@pytest.mark.parametrize("name", sorted(SAME_VALUES))
def test_the_same_values_written_another_way_are_read_the_fast_way(
    made: Path, tmp_path: Path, fast: None, name: str
) -> None:
    root, texts = rewritten(made, tmp_path, SAME_VALUES[name])
    assert all(fastread.session(text.encode()) is not None for text in texts)
    assert values(rows(root, True)) == values(rows(made, True)) == values(rows(made, False))


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_other_values_are_left_to_the_usual_way(
    made: Path, tmp_path: Path, fast: None, name: str
) -> None:
    root, texts = rewritten(made, tmp_path, CHANGED[name])
    if name != "a byte order mark":  # the same values: may be read the fast way
        assert all(fastread.session(text.encode()) is None for text in texts)
    assert rows(root, True) == rows(root, False)


def test_damaged_and_hostile_files_give_the_same_rows_both_ways(made: Path, tmp_path: Path) -> None:
    """The mutations of `make fuzz` (flipped bytes, deep nesting, huge numbers, odd
    Unicode, swapped types...): whatever each file is, both ways index it alike."""
    root = tmp_path / "records"
    shutil.copytree(made, root)
    rng = random.Random(19)
    files = sorted(root.glob("*/*/*.toml"))
    for round_ in range(6):
        for path in files:
            original = (made / path.relative_to(root)).read_bytes()
            path.write_bytes(mutate(original, rng)[0])
        assert rows(root, True) == rows(root, False), f"round {round_}"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=300))
def test_ascii_text_splits_into_the_same_words_as_the_pattern(text: str) -> None:
    """search.words' quick split of ASCII text is the letters-and-digits pattern's."""
    assert words(text) == _WORD.findall(text.casefold())


@given(st.text(max_size=200))
def test_any_text_splits_into_words_of_letters_and_digits(text: str) -> None:
    assert all(_WORD.fullmatch(word) for word in words(text))
