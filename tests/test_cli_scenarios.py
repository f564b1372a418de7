"""The command line: `sdm-tui scenarios list` and `sdm-tui scenarios validate`.

Run in-process through `main([...])` with capsys; the subprocess test in
test_cli.py proves these commands never import Textual. The scenarios in
tests/data/scenarios/ are about invented people.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import DATA, REPO

from sdm_tui.__main__ import main
from sdm_tui.core.scenario import scenario_paths

FIXTURES = DATA / "scenarios"
GOOD = FIXTURES / "good.toml"
BAD = sorted(FIXTURES.glob("bad-*.toml"))
SHIPPED = scenario_paths()
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<what>.+) \((?P<fix>[^()]+)\)$")

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the command line in-process; return (exit code, stdout, stderr)."""

    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return invoke


def good_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(GOOD, folder / "test-scenario.toml")
    return folder


# scenarios list ---------------------------------------------------------------------


def test_list_the_shipped_scenarios(run: Run) -> None:
    code, out, err = run("scenarios", "list")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3 * len(SHIPPED)
    first_words = [line.split()[0] for line in lines[::3]]
    assert first_words == [p.stem for p in SHIPPED]
    entry = out.split("weight-first-episode", 1)[1]
    assert entry.splitlines()[0].strip() == "2.0.0    A first episode, and worries about weight"
    assert "grid: antipsychotic-choice (5 options)" in entry
    assert "roles: service user, clinician, observer" in entry
    # Only what everyone may read: no private brief reaches the screen.
    assert "hold back" not in out.casefold()


def test_list_a_folder_of_my_own(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("scenarios", "list", "--scenarios", good_folder(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        f"{'test-scenario':<28} 1.0.0    A test role-play",
        f"{'':<28} grid: antipsychotic-choice (2 options)",
        f"{'':<28} roles: service user, carer or supporter, clinician, observer",
    ]


def test_list_names_a_broken_scenario_with_its_problem(run: Run, tmp_path: Path) -> None:
    folder = good_folder(tmp_path)
    shutil.copy(FIXTURES / "bad-unknown-option.toml", folder / "broken.toml")
    code, out, _ = run("--scenarios", folder, "scenarios", "list")
    assert code == 1
    broken = [line for line in out.splitlines() if line.startswith("broken")]
    assert len(broken) == 1
    assert "cannot be used: " in broken[0]
    problem = broken[0].split("cannot be used: ", 1)[1]
    assert PROBLEM_LINE.match(problem)
    assert "'tablets' is not an option" in problem
    assert "test-scenario" in out  # the good one is still listed


def test_list_the_fixtures_folder(run: Run) -> None:
    code, out, _ = run("scenarios", "list", "--scenarios", FIXTURES)
    assert code == 1
    assert sum("cannot be used" in line for line in out.splitlines()) == len(BAD)


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_list_with_no_scenarios(run: Run, tmp_path: Path, make: str) -> None:
    folder = tmp_path / "none"
    if make == "empty":
        folder.mkdir()
    code, out, _ = run("scenarios", "list", "--scenarios", folder)
    assert code == 1
    assert out.startswith(f"{folder}: no scenario files found")


def test_list_against_grids_without_the_one_named(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("scenarios", "list", "--scenarios", good_folder(tmp_path), "--grids", DATA)
    assert code == 1
    assert "cannot be used" in out
    assert "no grid with id 'antipsychotic-choice' (use one of: example-grid)" in out


# scenarios validate -------------------------------------------------------------------


def test_validate_the_shipped_scenarios(run: Run) -> None:
    code, out, err = run("scenarios", "validate")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert [line.split(": ok (")[0] for line in lines] == [str(p) for p in SHIPPED]


def test_validate_a_good_file(run: Run) -> None:
    code, out, _ = run("scenarios", "validate", GOOD)
    assert code == 0
    assert out.splitlines() == [
        f"{GOOD}: ok (test-scenario 1.0.0, grid antipsychotic-choice, 2 options, 4 roles, 2 goals)"
    ]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_validate_a_bad_file(run: Run, path: Path) -> None:
    code, out, err = run("scenarios", "validate", path)
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1, out
    match = PROBLEM_LINE.match(lines[0])
    assert match, lines[0]
    assert match["file"] == str(path)
    marked = next(
        n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if "# expect:" in line
    )
    assert int(match["line"]) == marked


def test_validate_a_folder_of_good_and_bad(run: Run) -> None:
    code, out, _ = run("scenarios", "validate", FIXTURES)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(BAD) + 1
    ok = [line for line in lines if ": ok (" in line]
    assert ok == [line for line in lines if line.startswith(f"{GOOD}: ok (")]
    problems = [line for line in lines if line not in ok]
    assert all(PROBLEM_LINE.match(line) for line in problems)
    assert sorted(PROBLEM_LINE.match(line)["file"] for line in problems) == [str(p) for p in BAD]


def test_validate_several_paths_and_a_missing_one(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    code, out, _ = run("scenarios", "validate", GOOD, missing, GOOD)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2  # the good file named twice is checked once
    assert lines[0].startswith(f"{GOOD}: ok (")
    assert lines[1] == f"{missing}:0: no such scenario (check the path and spelling)"


def test_validate_an_empty_folder(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("scenarios", "validate", tmp_path)
    assert code == 1
    assert out.startswith("no scenario files found")


def test_validate_the_scenarios_option_folder(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("--scenarios", good_folder(tmp_path), "scenarios", "validate")
    assert code == 0
    assert ": ok (test-scenario" in out


def test_validate_a_second_scenario_with_the_same_id(run: Run, tmp_path: Path) -> None:
    folder = good_folder(tmp_path)
    shutil.copy(GOOD, folder / "zz-copy.toml")
    code, out, _ = run("scenarios", "validate", folder)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{folder / 'test-scenario.toml'}: ok (")
    match = PROBLEM_LINE.match(lines[1])
    assert match and match["file"] == str(folder / "zz-copy.toml")
    assert "a second scenario with id 'test-scenario'" in match["what"]


def test_validate_against_other_grids(run: Run) -> None:
    code, out, _ = run("scenarios", "validate", GOOD, "--grids", DATA)
    assert code == 1
    [line] = out.splitlines()
    assert PROBLEM_LINE.match(line)
    assert "no grid with id 'antipsychotic-choice'" in line


def test_validate_with_no_usable_grids(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("scenarios", "validate", GOOD, "--grids", tmp_path / "no-grids")
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path / 'no-grids'}: no usable option grids to check scenarios against "
        "(give --grids DIR, or run 'sdm-tui grids validate')"
    ]


def test_validate_says_when_the_named_grid_may_be_broken(run: Run, tmp_path: Path) -> None:
    grids = tmp_path / "grids"
    grids.mkdir()
    shutil.copy(DATA / "example-grid.toml", grids)
    broken = (REPO / "option_grids" / "antipsychotic-choice.toml").read_text("utf-8")
    (grids / "antipsychotic-choice.toml").write_text(broken + "\nnot toml [[[\n", "utf-8")
    code, out, _ = run("scenarios", "validate", GOOD, "--grids", grids)
    assert code == 1
    lines = out.splitlines()
    assert "no grid with id 'antipsychotic-choice'" in lines[0]
    assert (
        lines[-1]
        == "note: 1 problem(s) in the grid files; run 'sdm-tui grids validate' to see them"
    )


def test_scenarios_needs_an_action(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["scenarios"])
    assert caught.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_the_app_gets_the_scenarios_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sdm_tui.ui.run as run_module

    seen: dict[str, object] = {}

    def fake_run_app(**kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(run_module, "run_app", fake_run_app)
    assert main(["--scenarios", str(tmp_path)]) == 0
    assert seen["scenarios"] == tmp_path
    seen.clear()
    assert main(["--records", str(tmp_path)]) == 0
    assert seen["scenarios"] is None  # the app then uses the shipped scenarios
