"""Reading without a table: `grids show --linear` (question by question, in words) and
`records show` into a file or pipe (no blanks padding the lines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import EXAMPLE_GRID, finished_session, load_example_grid

from sdm_tui.__main__ import main
from sdm_tui.core.store import RecordStore
from sdm_tui.core.summary import DEFAULT_CONTACT, summary_markdown

DATA = EXAMPLE_GRID.parent
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_grids_show_linear_reads_question_by_question(run: Run) -> None:
    code, out, err = run("grids", "show", "example-grid", "--grids", DATA, "--linear")
    assert code == 0 and err == ""
    assert (
        "Will I put on weight?\n"
        "  Tablet A, low: Small weight gain is common.\n"
        "  Tablet B, high: Weight gain is common and can be large.\n"
        "  No change, none: No new effect on weight.\n"
    ) in out
    assert "Options: Tablet A, Tablet B, No change." in out
    assert "│" not in out and "◔" not in out  # no table, no symbols


def test_grids_show_linear_fits_the_width_without_trailing_blanks(run: Run) -> None:
    code, out, _ = run(
        "grids", "show", "example-grid", "--grids", DATA, "--linear", "--width", "40"
    )
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert all(line == line.rstrip() for line in lines)
    assert "  Tablet B, high: Weight gain is common" in out


def test_records_show_into_a_pipe_has_no_trailing_blanks(run: Run, tmp_path: Path) -> None:
    grid = load_example_grid()
    session = finished_session(grid, record_id="clin00000001")
    root = tmp_path / "records"
    RecordStore(root).save_finished(
        session, summary_markdown(session, grid, contact=DEFAULT_CONTACT)
    )
    code, out, err = run("records", "show", "clin00000001", "--records", root)
    assert code == 0 and err == ""
    assert "Your decision summary" in out and "Tablet A" in out
    lines = out.splitlines()
    assert len(lines) > 10
    assert [line for line in lines if line != line.rstrip()] == []
