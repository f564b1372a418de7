"""Records and drafts keep the grid version they were made with (issue 12, item 5).

The fixtures in tests/data/format1 were written by sdm-tui before grid format 2, with
version 1.0.0 of the choice grid; version 2.0.0 retired its "no-change" option.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sdm_tui.core import record
from sdm_tui.core.catalog import ARCHIVE, grid_for_draft, load_catalog, shipped_grids_dir
from sdm_tui.core.grid import load_grid
from sdm_tui.core.summary import summary_markdown

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_RECORD = DATA / "format1" / "v1-grid-1.0.0.toml"
OLD_DRAFT = DATA / "format1" / "v1-draft-grid-1.0.0.toml"
SHIPPED = shipped_grids_dir()
OLD_CHOICE = SHIPPED / ARCHIVE / "antipsychotic-choice-1.0.0.toml"


def _grids(tmp_path: Path, *, archive: bool, new_version: str | None) -> Path:
    """A grids folder: the 1.0.0 choice grid as current, or a made-up later version of it
    (`new_version`, with "no-change" renamed), with 1.0.0 in archive/ if asked."""
    folder = tmp_path / "grids"
    (folder / ARCHIVE).mkdir(parents=True)
    text = OLD_CHOICE.read_text("utf-8")
    if archive:
        shutil.copy(OLD_CHOICE, folder / ARCHIVE / OLD_CHOICE.name)
    if new_version is None:
        (folder / "antipsychotic-choice.toml").write_text(text, "utf-8")
    else:
        changed = text.replace('version = "1.0.0"', f'version = "{new_version}"', 1)
        (folder / "antipsychotic-choice.toml").write_text(changed, "utf-8")
    return folder


def test_the_old_record_still_loads_and_verifies() -> None:
    session = record.load(OLD_RECORD)
    assert session.grid.version == "1.0.0"
    assert session.grid.options["no-change"] == "No change for now"
    assert session.team_talk.options == ("aripiprazole", "olanzapine", "no-change")


def test_the_archived_grid_is_exactly_the_one_old_records_name() -> None:
    grid, _ = load_grid(OLD_CHOICE)
    assert grid.version == "1.0.0"
    assert grid.content_hash == record.load(OLD_RECORD).grid.content_hash


def test_the_shipped_catalog_finds_the_exact_old_version_and_says_it_changed() -> None:
    catalog = load_catalog(SHIPPED)
    ref = record.load(OLD_RECORD).grid
    current = catalog.get(ref.id)
    assert current is not None and current.version != "1.0.0"
    exact = catalog.exact(ref)
    assert exact is not None and exact.version == "1.0.0" and exact is not current
    note = catalog.version_note(ref)
    assert f"it used version 1.0.0, the current version is {current.version}" in note
    assert "archive" not in " ".join(catalog.grids)  # archived versions are never offered


def test_no_note_when_the_grid_has_not_changed(tmp_path: Path) -> None:
    catalog = load_catalog(_grids(tmp_path, archive=False, new_version=None))
    ref = record.load(OLD_RECORD).grid
    assert catalog.exact(ref) is catalog.get(ref.id)
    assert catalog.version_note(ref) == ""


def test_a_missing_grid_is_named(tmp_path: Path) -> None:
    catalog = load_catalog(_grids(tmp_path, archive=False, new_version=None))
    ref = record.load(OLD_RECORD).grid.model_copy(update={"id": "gone-grid"})
    assert "(gone-grid, version 1.0.0) is not installed" in catalog.version_note(ref)


def test_the_summary_of_an_old_record_lists_the_old_grids_sources() -> None:
    session = record.load(OLD_RECORD)
    exact = load_catalog(SHIPPED).exact(session.grid)
    text = summary_markdown(session, exact)
    assert "Where the facts come from:" in text
    # The old grid's citations (2.0.0 rewrote them all), never source ids.
    today = {s.citation for s in load_catalog(SHIPPED).get(session.grid.id).sources}
    listed = [line[2:] for line in text.splitlines() if line.startswith("- ") and "(" in line]
    old = {s.citation for s in exact.sources}
    assert any(c in old and c not in today for c in listed)
    assert "maudsley14:" not in text and "pillinger2020:" not in text
    assert "No change for now" in text  # the label the record showed, not today's


def test_a_draft_using_a_retired_option_goes_on_with_its_own_version() -> None:
    draft = record.load(OLD_DRAFT)
    grid, session, note = grid_for_draft(load_catalog(SHIPPED), draft)
    assert grid is not None and grid.version == "1.0.0"
    assert session.grid == draft.grid
    assert "goes on with version 1.0.0" in note and "no-change" in note


def test_a_draft_moves_to_the_new_version_when_it_has_everything_used(tmp_path: Path) -> None:
    catalog = load_catalog(_grids(tmp_path, archive=True, new_version="1.1.0"))
    draft = record.load(OLD_DRAFT)
    grid, session, note = grid_for_draft(catalog, draft)
    assert grid is not None and grid.version == "1.1.0"
    assert session.grid.version == "1.1.0" and session.grid.content_hash == grid.content_hash
    assert session.team_talk == draft.team_talk and session.participants == draft.participants
    assert "1.0.0 -> 1.1.0" in note and "the record will name it" in note


def test_a_draft_that_cannot_be_resumed_says_what_to_do(tmp_path: Path) -> None:
    folder = _grids(tmp_path, archive=False, new_version="2.0.0")
    path = folder / "antipsychotic-choice.toml"
    text = path.read_text("utf-8")
    for key in ("id", "option"):
        text = text.replace(f'{key} = "no-change"', f'{key} = "stay-current"')
    path.write_text(text, "utf-8")
    grid, _, note = grid_for_draft(load_catalog(folder), record.load(OLD_DRAFT))
    assert grid is None
    assert "no longer has no-change" in note and "archive/" in note


@pytest.mark.parametrize("name", ["v1-grid-1.0.0.toml", "v1-draft-grid-1.0.0.toml"])
def test_fixtures_are_format_1_records(name: str) -> None:
    assert "schema_version = 1\n" in (DATA / "format1" / name).read_text("utf-8")


def test_the_command_line_uses_the_exact_version_an_old_record_was_made_with() -> None:
    from sdm_tui.cli.records import grid_used

    grid = grid_used(record.load(OLD_RECORD), None)
    assert grid is not None and grid.version == "1.0.0"
    assert grid.content_hash == record.load(OLD_RECORD).grid.content_hash
