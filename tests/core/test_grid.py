"""Loading and checking option grids.

Each bad grid is the example grid with one obvious edit, and each must give
exactly one line `FILE:LINE: what (fix)` pointing at the right line.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
import tomli

from sdm_tui.core.grid import GridOption, Level, OptionGrid, OptionKind, load_grid, version_key
from sdm_tui.core.tomlfile import FileProblems, Problem

TODAY = date(2026, 11, 2)
LINE_FORMAT = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<what>.+) \((?P<fix>[^()]+)\)$")


def write(tmp_path: Path, text: str, name: str = "grid.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    """Replace `old` (which must be in the text exactly once) with `new`."""
    assert text.count(old) == 1, f"the example grid no longer holds {old!r} once"
    return text.replace(old, new)


def line_of(text: str, fragment: str, nth: int = 1) -> int:
    """The 1-based line number of the nth line that contains `fragment`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[nth - 1]


def only_problem(path: Path, **kwargs) -> Problem:
    """Load the grid, expect it refused with exactly one problem, and return it."""
    with pytest.raises(FileProblems) as caught:
        load_grid(path, today=TODAY, **kwargs)
    problems = caught.value.problems
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    problem = problems[0]
    assert problem.severity == "error"
    assert problem.file == str(path)
    text = str(problem)
    assert "\n" not in text
    match = LINE_FORMAT.match(text)
    assert match, text
    assert match["file"] == str(path)
    assert int(match["line"]) == problem.line
    assert match["fix"].strip()
    assert str(caught.value) == text
    return problem


# The example grid ------------------------------------------------------------


def test_example_grid_loads(example_grid_path: Path) -> None:
    grid, problems = load_grid(example_grid_path, today=TODAY)
    assert problems == []
    assert isinstance(grid, OptionGrid)
    assert grid.id == "example-grid"
    assert grid.version == "1.0.0"
    assert [o.id for o in grid.options] == ["tablet-a", "tablet-b", "no-change"]
    assert [q.id for q in grid.questions] == ["works", "weight"]
    assert grid.option("no-change").kind == OptionKind.NO_CHANGE
    assert grid.has_stop_or_no_change()
    answer = grid.answer("weight", "tablet-b")
    assert answer.level == Level.HIGH
    assert answer.sources == ["pillinger2020", "maudsley14"]
    assert grid.source("maudsley14").citation.startswith("Taylor DM")
    assert grid.question("weight").label == "Weight"
    with pytest.raises(KeyError):
        grid.option("tablet-z")
    with pytest.raises(KeyError):
        grid.answer("weight", "tablet-z")


def test_grid_is_frozen(example_grid: OptionGrid) -> None:
    with pytest.raises(ValueError):
        example_grid.id = "something-else"  # type: ignore[misc]


def test_content_hash_is_stable(
    example_grid_path: Path, example_grid_text: str, tmp_path: Path
) -> None:
    first, _ = load_grid(example_grid_path, today=TODAY)
    second, _ = load_grid(example_grid_path, today=TODAY)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", first.content_hash)
    assert first.content_hash == second.content_hash
    assert first.content_hash == first.content_hash  # cached value is the same
    # Comments, blank lines and the BOM are not content.
    reformatted = "\ufeff# a comment\n\n" + example_grid_text.replace("\n\n", "\n\n\n")
    third, _ = load_grid(write(tmp_path, reformatted), today=TODAY)
    assert third.content_hash == first.content_hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('text = "Small weight gain is common."', 'text = "Small weight gain is usual."'),
        ('version = "1.0.0"', 'version = "1.0.1"'),
        ('level = "low"', 'level = "medium"'),
        ('sources = ["pillinger2020", "maudsley14"]', 'sources = ["maudsley14", "pillinger2020"]'),
    ],
)
def test_content_hash_changes_with_content(
    example_grid: OptionGrid, example_grid_text: str, tmp_path: Path, old: str, new: str
) -> None:
    changed, _ = load_grid(write(tmp_path, edit(example_grid_text, old, new)), today=TODAY)
    assert changed.content_hash != example_grid.content_hash


# Bad grids: each gives one clear line ----------------------------------------


def test_missing_answer(example_grid_text: str, tmp_path: Path) -> None:
    block = (
        '[[answers]]\nquestion = "weight"\noption = "no-change"\n'
        'text = "No new effect on weight."\nlevel = "none"\nsources = ["nice-cg178"]\n\n'
    )
    text = edit(example_grid_text, block, "")
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "no answer for weight x no-change"
    assert problem.line == line_of(text, 'id = "weight"') - 1  # the [[questions]] header
    assert 'question = "weight", option = "no-change"' in problem.fix


def test_unknown_key(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, 'name = "Tablet B"\n', 'name = "Tablet B"\ncolour = "red"\n')
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "unknown key 'colour'"
    assert problem.line == line_of(text, "colour")
    assert problem.fix == "remove it or check its spelling"


def test_duplicate_option_id(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(
        example_grid_text,
        '[[questions]]\nid = "works"',
        '[[options]]\nid = "tablet-a"\nname = "Tablet A again"\n\n[[questions]]\nid = "works"',
    )
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "duplicate option id 'tablet-a'"
    assert problem.line == line_of(text, 'id = "tablet-a"', nth=2)
    assert "unique" in problem.fix


def test_impossible_date_is_a_toml_error(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "published = 2026-11-01", "published = 2026-13-45")
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("not valid TOML")
    assert problem.line == line_of(text, "published")
    assert "YYYY-MM-DD" in problem.fix


def test_date_written_as_words(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "published = 2026-11-01", 'published = "yesterday"')
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("published:")
    assert "date" in problem.message
    assert problem.line == line_of(text, "published")
    assert problem.fix == "write dates as YYYY-MM-DD, unquoted"


def test_citation_of_missing_source(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(
        example_grid_text,
        'sources = ["pillinger2020", "maudsley14"]',
        'sources = ["pillinger2020", "nosuch2021"]',
    )
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "cites missing source 'nosuch2021'"
    assert problem.line == line_of(text, "nosuch2021")
    assert "[[sources]]" in problem.fix


def test_not_toml(tmp_path: Path) -> None:
    text = "# a shopping list\nmilk\neggs\n"
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("not valid TOML")
    assert problem.line == 2
    assert "(at line" not in problem.message  # the line is said once, up front


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.toml"
    path.write_bytes(content)
    problem = only_problem(path)
    assert problem.message == "the grid is empty"
    assert problem.line == 1


def test_huge_file_is_refused_without_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "huge.toml"
    path.write_bytes(b'x = "' + b"a" * 10_000_000 + b'"\n')

    def no_parsing(*args, **kwargs):
        raise AssertionError("a huge file must be refused before it is read or parsed")

    monkeypatch.setattr(tomli, "loads", no_parsing)
    monkeypatch.setattr(Path, "read_bytes", no_parsing)
    start = time.perf_counter()
    problem = only_problem(path)
    assert time.perf_counter() - start < 0.5
    assert "10.0 MB" in problem.message
    assert problem.line == 0


def test_not_utf8(example_grid_text: str, tmp_path: Path) -> None:
    # "Tablet B" with a Latin-1 e-acute byte, as an old editor might save it.
    raw = edit(example_grid_text, 'name = "Tablet B"', 'name = "Tabl@t B"').encode("utf-8")
    raw = raw.replace(b"Tabl@t", b"Tabl\xe9t")
    path = tmp_path / "latin1.toml"
    path.write_bytes(raw)
    problem = only_problem(path)
    assert "not UTF-8" in problem.message
    assert problem.line == line_of(example_grid_text, 'name = "Tablet B"')
    assert "UTF-8" in problem.fix


def test_no_such_file(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "missing.toml")
    assert problem.message == "no such grid"


def test_folder_is_not_a_grid(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    problem = only_problem(folder)
    assert "folder" in problem.message


def test_review_date_passed_is_a_warning(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "review_by = 2099-11-01", "review_by = 2026-11-01")
    text = edit(text, "published = 2026-11-01", "published = 2025-11-01")
    path = write(tmp_path, text)
    grid, problems = load_grid(path, today=TODAY)
    assert grid.review_by == date(2026, 11, 1)
    assert len(problems) == 1
    (warning,) = problems
    assert warning.severity == "warning"
    assert warning.line == line_of(text, "review_by")
    assert str(warning) == (
        f"{path}:{warning.line}: warning: review date 2026-11-01 has passed "
        "(review the evidence and set a new review_by)"
    )


def test_review_date_passed_is_an_error_when_strict(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "review_by = 2099-11-01", "review_by = 2026-11-01")
    text = edit(text, "published = 2026-11-01", "published = 2025-11-01")
    problem = only_problem(write(tmp_path, text), strict=True)
    assert problem.message == "review date 2026-11-01 has passed"
    assert problem.line == line_of(text, "review_by")


def test_review_by_before_published(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "review_by = 2099-11-01", "review_by = 2026-10-01")
    with pytest.raises(FileProblems) as caught:
        load_grid(write(tmp_path, text), today=date(2026, 9, 1))
    (problem,) = caught.value.problems
    assert problem.message == "review_by is not after published"
    assert problem.line == line_of(text, "review_by")


def test_fewer_than_two_options(example_grid_text: str, tmp_path: Path) -> None:
    kept = [
        block
        for block in example_grid_text.split("\n\n")
        if not any(f'"{gone}"' in block for gone in ("tablet-b", "no-change"))
    ]
    text = "\n\n".join(kept)
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("options:")
    assert "at least 2" in problem.message
    assert problem.line == line_of(text, "[[options]]")
    assert problem.fix == "give at least 2"


def test_newer_grid_schema_version(example_grid_text: str, tmp_path: Path) -> None:
    # A newer grid may have keys this version does not know: only the version is named.
    text = edit(example_grid_text, "schema_version = 1", "schema_version = 3\nnew_thing = 1")
    problem = only_problem(write(tmp_path, text))
    assert "newer" in problem.message
    assert problem.line == line_of(text, "schema_version")
    assert problem.fix == "update sdm-tui"


def test_bad_option_kind(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, 'kind = "no-change"', 'kind = "surgery"')
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("options.2.kind:")
    assert problem.line == line_of(text, "surgery")
    assert problem.fix == "use one of the values listed"


def test_grid_option_rejects_unknown_field() -> None:
    with pytest.raises(ValueError):
        GridOption.model_validate({"id": "x", "name": "X", "colour": "red"})


# Format 2: the change log and level_meaning -------------------------------------

ARCHIVE = Path(__file__).parents[2] / "option_grids" / "archive"
# The content hashes of the three grids as shipped at version 1.0.0 (git 4af4848), before
# format 2 existed. Records made with them store these; they must never change.
HASHES_1_0_0 = {
    "antipsychotic-choice": (
        "sha256:f88df9b72b8c446d20d8b881908b2c3b384427faa4253ac931762b9a0f5359cf"
    ),
    "antipsychotic-continue-adjust-stop": (
        "sha256:021e5210728b00fc8589d9e811165d58a0f436ad8da0abb9ed273589519daedc"
    ),
    "tablet-or-injection": (
        "sha256:7775bba31d2c0d6a82dd05e2bc0fb9744adc40b951c1b68f3c47161ac9029ef1"
    ),
}
CHANGE = """
[[changes]]
version = "1.1.0"
date = 2026-12-03
what = "Weight row: clearer words."
why = "Review finding G2."
"""


def format2(text: str, changes: str = CHANGE, version: str = "1.1.0") -> str:
    text = edit(text, "schema_version = 1", 'schema_version = 2\nevidence = "antipsychotics"')
    text = edit(text, 'version = "1.0.0"', f'version = "{version}"')
    return text + changes


@pytest.mark.parametrize("grid_id", sorted(HASHES_1_0_0))
def test_archived_1_0_0_grids_keep_their_hash(grid_id: str) -> None:
    grid, _ = load_grid(ARCHIVE / f"{grid_id}-1.0.0.toml", today=TODAY)
    assert (grid.id, grid.version, grid.schema_version) == (grid_id, "1.0.0", 1)
    assert grid.changes == []
    assert grid.content_hash == HASHES_1_0_0[grid_id]


def test_format_2_grid_loads(example_grid_text: str, tmp_path: Path) -> None:
    text = format2(example_grid_text)
    text = edit(text, 'topic = "metabolic"', 'topic = "metabolic"\nlevel_meaning = "How much"')
    grid, problems = load_grid(write(tmp_path, text), today=TODAY)
    assert problems == []
    assert grid.schema_version == 2
    assert [(c.version, c.date, c.why) for c in grid.changes] == [
        ("1.1.0", date(2026, 12, 3), "Review finding G2.")
    ]
    assert grid.question("weight").level_meaning == "How much"
    assert grid.evidence == "antipsychotics"
    assert grid.question("works").level_meaning == ""
    # The new fields are part of the content a format 2 grid's hash covers.
    other, _ = load_grid(
        write(tmp_path, edit(text, 'why = "Review finding G2."', 'why = "G1."'), "b.toml"),
        today=TODAY,
    )
    assert other.content_hash != grid.content_hash


def test_format_2_needs_a_change_log(example_grid_text: str, tmp_path: Path) -> None:
    text = format2(example_grid_text, changes="")
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "a format 2 grid needs a change log"
    assert problem.line == line_of(text, "schema_version")
    assert 'version = "1.1.0"' in problem.fix


def test_newest_change_must_be_the_grid_version(example_grid_text: str, tmp_path: Path) -> None:
    text = format2(example_grid_text, version="1.2.0")
    problem = only_problem(write(tmp_path, text))
    assert "newest change is version 1.1.0, the grid is version 1.2.0" in problem.message
    assert problem.line == line_of(text, 'version = "1.1.0"')


def test_changes_newest_first(example_grid_text: str, tmp_path: Path) -> None:
    older = CHANGE.replace("1.1.0", "1.0.0").replace("2026-12-03", "2026-11-01")
    text = format2(example_grid_text, changes=older + CHANGE)
    text = edit(text, 'version = "1.1.0"\npublished', 'version = "1.0.0"\npublished')
    problem = only_problem(write(tmp_path, text))
    assert "newer than the one before it" in problem.message
    assert problem.line == line_of(text, "[[changes]]", nth=2)
    assert problem.fix == "list changes newest first"


def test_empty_change_text_is_refused(example_grid_text: str, tmp_path: Path) -> None:
    text = format2(example_grid_text, changes=CHANGE.replace('"Review finding G2."', '""'))
    problem = only_problem(write(tmp_path, text))
    assert problem.message.startswith("changes.0.why:")


def test_format_1_has_no_change_log(example_grid_text: str, tmp_path: Path) -> None:
    text = example_grid_text + CHANGE
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "a format 1 grid has no [[changes]]"
    assert problem.fix == "set schema_version = 2"
    assert problem.line == line_of(text, "[[changes]]")


def test_format_1_has_no_evidence_key(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(example_grid_text, "schema_version = 1", 'schema_version = 1\nevidence = "x"')
    problem = only_problem(write(tmp_path, text))
    assert problem.message == "evidence needs grid format 2"
    assert problem.line == line_of(text, "evidence =")


def test_format_1_has_no_level_meaning(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(
        example_grid_text, 'topic = "metabolic"', 'topic = "metabolic"\nlevel_meaning = "x"'
    )
    problem = only_problem(write(tmp_path, text))
    assert "level_meaning needs grid format 2" in problem.message
    assert problem.fix == "set schema_version = 2"
    assert problem.line == line_of(text, "level_meaning")


def test_version_key_compares_as_numbers() -> None:
    assert version_key("2.10.0") > version_key("2.9.1")


# Unsafe text: refused at load, shown escaped --------------------------------------

UNSAFE = Path(__file__).parents[1] / "data" / "unsafe"


def test_osc52_in_an_option_name_is_refused() -> None:
    path = UNSAFE / "grid-osc52.toml"
    problem = only_problem(path)
    text = str(problem)
    assert problem.line == line_of(path.read_text("utf-8"), "]52;c;")
    assert "options.0.name: text holds \\x1b" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "control, escape, bidi or zero-width" in problem.fix


def test_the_app_catalog_leaves_out_a_grid_with_unsafe_text(tmp_path: Path) -> None:
    from sdm_tui.core.catalog import load_catalog

    shutil.copy(UNSAFE / "grid-osc52.toml", tmp_path / "grid.toml")
    catalog = load_catalog(tmp_path)
    assert catalog.grids == {}
    assert len(catalog.problems) == 1
    assert "\\x1b" in str(catalog.problems[0])


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ('title = "Example', 'title = "\\u202EExample', "title: text holds U+202E"),
        ('text = "Small weight', 'text = "Small\\u200Bweight', "answers.3.text: text holds U+200B"),
        ('authors = "sdm', 'authors = "\\u061Csdm', "authors: text holds U+061C"),
        ('funding = "No', 'funding = "\\u009b31mNo', "funding: text holds \\x9b"),
        ('funding = "No', 'funding = "\\u0000No', "funding: text holds \\x00"),
        ('funding = "No', 'funding = "\\rNo', "funding: text holds \\x0d"),
        ('id = "tablet-a"', '"ta\\u2066b" = 1\nid = "tablet-a"', "options.0.ta\\u2066b"),
        ('id = "tablet-a"', '"a\\nb" = 1\nid = "tablet-a"', "key holds \\n"),
    ],
)
def test_unsafe_characters_anywhere_are_refused(
    example_grid_text: str, tmp_path: Path, old: str, new: str, shown: str
) -> None:
    text = edit(example_grid_text, old, new)
    problem = only_problem(write(tmp_path, text))
    assert shown.replace("\\u2066", "U+2066") in str(problem)
    assert str(problem).isprintable()


def test_line_breaks_and_tabs_in_text_are_allowed(example_grid_text: str, tmp_path: Path) -> None:
    text = edit(
        example_grid_text,
        'funding = "No funding."',
        'funding = """No funding.\r\nNone\tat all."""',
    )
    grid, _ = load_grid(write(tmp_path, text), today=TODAY)
    assert "None\tat all." in grid.funding
