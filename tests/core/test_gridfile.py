"""Grid headings (core/gridfile.py): what Home shows before the grid models are built.

A heading is given only where the keys before the file's first table read and check as
the full load reads and checks them and would pass the model; any doubt leaves the file
to the full check (`unsure`), which the app then runs before Home lists the grids.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sdm_tui.core.catalog import grid_paths, load_catalog
from sdm_tui.core.gridfile import heading_text, headings_of, read_headings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
EXAMPLE = (DATA / "example-grid.toml").read_text("utf-8")


def folder_with(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "grids"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, "utf-8")
    return folder


def test_the_shipped_grids_have_the_headings_of_their_models() -> None:
    headings = read_headings(grid_paths())
    catalog = load_catalog()
    assert not headings.unsure and not headings.problems
    assert headings.grids == headings_of(catalog).grids
    assert [h.title for h in headings.grids.values()] == [g.title for g in catalog.grids.values()]


@pytest.mark.parametrize(
    "text",
    [
        'id = "x"\nnot toml [[[\n',  # bad TOML in the heading
        "x = " + "[" * 1000 + "]" * 1000 + "\n",  # nested too deep
        EXAMPLE.replace("schema_version = 1", "schema_version = 9"),  # a newer format
        EXAMPLE.replace("Example: choosing", "Example:\x1b]52;c;aGk=\x07 choosing"),  # escapes
        EXAMPLE.replace("Example: choosing", "Example: \u202echoosing"),  # bidi
        "",  # empty
    ],
)
def test_a_heading_that_does_not_pass_leaves_the_file_to_the_full_check(
    tmp_path: Path, text: str
) -> None:
    folder = folder_with(tmp_path, broken=text, good=EXAMPLE.replace("example-grid", "good"))
    headings = read_headings(grid_paths(folder))
    assert headings.unsure  # the app then runs the full check before Home lists grids
    assert list(headings.grids) == ["good"] and not headings.problems
    catalog = load_catalog(folder)
    assert list(catalog.grids) == ["good"] and catalog.problems


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE.replace("It helps most people", "It \u202ehelps most people"),  # bidi
        EXAMPLE.replace('sources = ["huhn2019"]', 'sources = ["no-such-source"]', 1),
        EXAMPLE + "\n[[answers]\nnot toml\n",  # bad TOML after the heading
    ],
)
def test_a_file_broken_after_its_heading_is_listed_until_the_full_check(
    tmp_path: Path, text: str
) -> None:
    """What the app lists at first and takes off Home once the full check is done."""
    folder = folder_with(tmp_path, broken=text)
    headings = read_headings(grid_paths(folder))
    assert list(headings.grids) == ["example-grid"] and not headings.unsure
    catalog = load_catalog(folder)
    assert not catalog.grids and catalog.problems
    assert not headings_of(catalog).grids and headings_of(catalog).problems


def test_two_files_with_one_id_are_left_to_the_full_check(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, a=EXAMPLE, b=EXAMPLE)
    headings = read_headings(grid_paths(folder))
    assert headings.unsure
    catalog = load_catalog(folder)
    assert list(catalog.grids) == ["example-grid"]
    assert "a second grid with id 'example-grid'" in str(catalog.problems[0])


def test_a_table_like_line_in_a_heading_string_is_left_to_the_full_check(
    tmp_path: Path,
) -> None:
    text = EXAMPLE.replace(
        'disclaimer = "Supports,', 'disclaimer = """\n[not a table]\nSupports,', 1
    ).replace('local formulary."', 'local formulary."""', 1)
    folder = folder_with(tmp_path, odd=text)
    assert heading_text(text).endswith('disclaimer = """\n')
    assert read_headings(grid_paths(folder)).unsure
    assert list(load_catalog(folder).grids) == ["example-grid"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('title = "Example: choosing between two tablets"', 'titel = "x"'),
        ('title = "Example: choosing between two tablets"', 'title = "   "'),
        ('title = "Example: choosing between two tablets"', "title = 3"),
        ('id = "example-grid"', 'id = "Example Grid"'),
        ('version = "1.0.0"', 'version = "1.0"'),
        ("schema_version = 1", "schema_version = 0"),
    ],
)
def test_a_heading_the_model_would_refuse_is_unsure_and_the_load_says_why(
    tmp_path: Path, old: str, new: str
) -> None:
    folder = folder_with(tmp_path, odd=EXAMPLE.replace(old, new, 1))
    headings = read_headings(grid_paths(folder))
    assert headings.unsure and not headings.grids and not headings.problems
    catalog = load_catalog(folder)
    assert not catalog.grids and catalog.problems  # the full check says why


def test_a_heading_unsure_where_the_model_is_lax_leaves_it_to_the_full_check(
    tmp_path: Path,
) -> None:
    """pydantic (lax) takes `true` for format 1; the headings do not guess: unsure, so
    the app runs the full check before Home lists the grids."""
    folder = folder_with(
        tmp_path, odd=EXAMPLE.replace("schema_version = 1", "schema_version = true")
    )
    assert read_headings(grid_paths(folder)).unsure
    assert list(load_catalog(folder).grids) == ["example-grid"]


def test_a_heading_is_stripped_as_the_model_strips_it(tmp_path: Path) -> None:
    text = EXAMPLE.replace('title = "Example:', 'title = "  Example:', 1)
    folder = folder_with(tmp_path, spaced=text)
    heading = read_headings(grid_paths(folder)).grids["example-grid"]
    assert heading.title == load_catalog(folder).grids["example-grid"].title
    assert heading.title.startswith("Example:")


def test_headings_and_an_empty_drafts_folder_need_no_pydantic(tmp_path: Path) -> None:
    """What Home needs to be ready, with no draft: no grid or record model is imported."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sdm_tui.core.catalog import grid_paths\n"
        "from sdm_tui.core.gridfile import read_headings\n"
        "from sdm_tui.core.recovery import recover\n"
        "from sdm_tui.core.store import RecordStore\n"
        f"store = RecordStore(Path({str(tmp_path / 'records')!r}))\n"
        "store.ensure()\n"
        "assert read_headings(grid_paths()).grids\n"
        "recover(store, None)\n"
        "assert store.drafts() == []\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'\n"
        "    or m in ('sdm_tui.core.grid', 'sdm_tui.core.session', 'sdm_tui.core.record'))\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
