"""Loading and checking training role-play scenarios.

Every shipped scenario must load against the shipped grids. Each bad fixture in
tests/data/scenarios/ is the good one with one edit, and marks the line its
problem must name with `# expect: <part of the message>`; each must give
exactly one line `FILE:LINE: what (fix)`. Everyone in them is invented.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import sdm_tui.core.catalog as catalog_module
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import (
    Scenario,
    load_scenario,
    load_scenarios,
    reflow,
    scenario_paths,
    shipped_scenarios_dir,
)
from sdm_tui.core.session import Role
from sdm_tui.core.tomlfile import FileProblems, Problem

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "scenarios"
GOOD = FIXTURES / "good.toml"
BAD = sorted(FIXTURES.glob("bad-*.toml"))
LINE_FORMAT = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<what>.+) \((?P<fix>[^()]+)\)$")
EXPECT = re.compile(r"# expect: (?P<what>.+)$")


@pytest.fixture(scope="module")
def grids() -> dict[str, OptionGrid]:
    catalog = load_catalog()
    assert catalog.grids, catalog.problems
    return catalog.grids


def expected(path: Path) -> tuple[int, str]:
    """The line marked `# expect: ...` in a bad fixture, and what its message holds."""
    marks = [
        (number, match["what"].strip())
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if (match := EXPECT.search(line))
    ]
    assert len(marks) == 1, f"{path.name} needs exactly one '# expect:' line"
    return marks[0]


def only_problem(path: Path, grids: dict[str, OptionGrid] | None) -> Problem:
    with pytest.raises(FileProblems) as caught:
        load_scenario(path, grids)
    problems = caught.value.problems
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    problem = problems[0]
    text = str(problem)
    assert "\n" not in text
    match = LINE_FORMAT.match(text)
    assert match, text
    assert match["file"] == str(path)
    assert int(match["line"]) == problem.line
    assert match["fix"].strip()
    return problem


# The shipped scenarios -------------------------------------------------------------


def test_at_least_nine_scenarios_are_shipped() -> None:
    assert shipped_scenarios_dir() == REPO / "scenarios"
    assert len(scenario_paths()) >= 9


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_shipped_scenario_loads_against_the_grids(path: Path, grids: dict[str, OptionGrid]) -> None:
    scenario = load_scenario(path, grids)
    assert scenario.id == path.stem  # the file is named after its id
    assert "role-play about invented people" in scenario.setting
    roles = [r.role for r in scenario.roles]
    assert roles.count(Role.SERVICE_USER) == 1
    assert Role.CLINICIAN in roles
    assert 3 <= len(scenario.goals) <= 6
    assert 2 <= len(scenario.options) <= 6
    assert set(scenario.options) <= {o.id for o in grids[scenario.grid].options}
    assert scenario.service_user_ref.startswith("TRAIN-")
    for role in scenario.roles:
        assert len(role.brief) > 300, f"{role.label}'s brief is too thin to play"
    # The scorer is labelled Observer and links to the five items scored. Another
    # observer-role player (an interpreter) is told that their views are not recorded.
    observers = [r for r in scenario.roles if r.role == Role.OBSERVER]
    assert [r.label for r in observers].count("Observer") == 1
    for role in observers:
        if role.label == "Observer":
            for item in range(1, 6):
                assert f"item {item}" in role.brief
        else:
            assert "views are not recorded" in role.brief


def test_shipped_scenarios_cover_the_issue(grids: dict[str, OptionGrid]) -> None:
    found = load_scenarios(scenario_paths(), grids)
    assert found.problems == []
    by_id = found.scenarios
    assert len(by_id) == len(scenario_paths())
    assert by_id["stop-sexual-side-effects"].grid == "antipsychotic-continue-adjust-stop"
    assert by_id["injection-preference"].grid == "tablet-or-injection"
    # Review SC9: an interpreter, a community treatment order, a person's own explanation.
    assert "Interpreter" in [r.label for r in by_id["interpreter-and-faith"].roles]
    assert by_id["community-treatment-order"].grid == "tablet-or-injection"
    assert by_id["own-explanation"].grid == "antipsychotic-continue-adjust-stop"
    # Issue #17: two scenarios use a preparation or a raised concern (2.1.0).
    assert all(s.version in ("2.0.0", "2.1.0") for s in by_id.values())
    assert "clozapine" in by_id["clozapine-after-two"].options
    assert "you decide" in by_id["you-decide-doctor"].title.casefold()
    with_carer = [s for s in by_id.values() if Role.CARER in [r.role for r in s.roles]]
    assert {s.id for s in with_carer} >= {
        "stop-sexual-side-effects",
        "carer-speaks-over",
        "own-explanation",
    }
    references = [s.service_user_ref for s in by_id.values()]
    assert len(set(references)) == len(references)


# The good fixture, and how text is read ------------------------------------------------


def test_good_fixture_loads(grids: dict[str, OptionGrid]) -> None:
    scenario = load_scenario(GOOD, grids)
    assert isinstance(scenario, Scenario)
    assert scenario.id == "test-scenario"
    assert [r.label for r in scenario.roles] == ["Tester", "Helper", "Dr Test", "Observer"]
    assert scenario.brief_for("Dr Test") is not None
    assert scenario.brief_for("Nobody") is None
    assert scenario.roles[0].display == "Tester (service user)"
    assert scenario.roles_text() == "service user, carer or supporter, clinician, observer"
    # Line breaks inside a paragraph are spaces; blank lines and list items stay.
    assert scenario.setting == (
        "Invented people for a test. Tester is 30 and wants to talk about medicine."
    )
    assert scenario.roles[0].brief == (
        "You are Tester, an invented person. You wrap long lines in your editor.\n\n"
        "- You want to ask about weight.\n"
        "- You hold back that you skip doses, unless asked kindly."
    )


def test_without_grids_only_the_file_itself_is_checked() -> None:
    path = FIXTURES / "bad-unknown-grid.toml"
    assert load_scenario(path).grid == "antidepressant-choice"


@pytest.mark.parametrize(
    ("text", "flowed"),
    [
        ("one\ntwo", "one two"),
        ("  one  \n\n\n  two  ", "one\n\ntwo"),
        ("intro\n- a\n  more a\n* b\n1. c\n2) d", "intro\n- a more a\n* b\n1. c\n2) d"),
        ("-not a list\nnext", "-not a list next"),
        ("", ""),
    ],
)
def test_reflow(text: str, flowed: str) -> None:
    assert reflow(text) == flowed


def test_control_and_bidi_characters_are_refused(tmp_path: Path) -> None:
    # Scenario text is never trusted: an escape sequence or bidi override is refused
    # when the file is loaded, and the message shows the characters escaped.
    text = GOOD.read_text("utf-8")
    text = text.replace('title = "A test role-play"', 'title = "A \\u001b[31mtest\\u202e play"')
    text = text.replace('label = "Helper"', 'label = "Hel\\u0007per"')
    path = tmp_path / "odd.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(FileProblems) as caught:
        load_scenario(path)
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == 2
    assert "title: text holds \\x1b" in shown[0]
    assert "roles.1.label: text holds \\x07" in shown[1]
    assert not any(c in "".join(shown) for c in "\x1b\x07\u202e")


def test_a_label_of_only_spaces_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(GOOD.read_text("utf-8").replace('label = "Helper"', 'label = "  "'), "utf-8")
    problem = only_problem(path, None)
    assert "roles.1.label" in problem.message
    assert "Sam" in problem.fix


# Each kind of broken file: one line, the right line, a fix -----------------------------


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_broken_scenario_gives_one_line(path: Path, grids: dict[str, OptionGrid]) -> None:
    line, what = expected(path)
    problem = only_problem(path, grids)
    assert problem.line == line, str(problem)
    assert what in problem.message, str(problem)


def test_every_kind_of_broken_file_has_a_fixture() -> None:
    kinds = {p.stem.removeprefix("bad-") for p in BAD}
    assert kinds >= {
        "not-toml",
        "unknown-key",
        "missing-brief",
        "missing-title",
        "unknown-grid",
        "unknown-option",
        "duplicate-label",
        "duplicate-goal",
        "no-service-user",
        "no-clinician",
        "too-many-roles",
        "newer-schema",
        "bidi-override",
    }


@pytest.mark.parametrize(
    ("old", "new", "what", "fix"),
    [
        ('grid = "antipsychotic-choice"', 'grid = "Antipsychotic Choice"', "grid", "grids list"),
        ('id = "test-scenario"', 'id = "Test Scenario"', "id", "lower-case"),
        ("carer_consent = true", 'carer_consent = "yes"', "carer_consent", "true or false"),
        ('service_user_ref = "TRAIN-9001"', 'service_user_ref = "T 1"', "service_user", "TRAIN"),
        ('options = ["stay-current", "aripiprazole"]', "options = 3", "options", "option ids"),
    ],
)
def test_bad_values_get_a_useful_fix(
    tmp_path: Path, old: str, new: str, what: str, fix: str
) -> None:
    text = GOOD.read_text("utf-8")
    assert text.count(old) == 1
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new), "utf-8")
    problem = only_problem(path, None)
    assert what in problem.message
    assert fix in problem.fix
    assert problem.line == text.splitlines().index(old) + 1


def test_no_roles_at_all(tmp_path: Path) -> None:
    text = GOOD.read_text("utf-8")
    path = tmp_path / "no-roles.toml"
    path.write_text(text[: text.index("[[roles]]")] + text[text.index("[[goals]]") :], "utf-8")
    problem = only_problem(path, None)
    assert problem.message == "missing 'roles'"
    assert "[[roles]]" in problem.fix
    assert problem.line == 1


def test_several_problems_are_all_named_in_line_order(
    tmp_path: Path, grids: dict[str, OptionGrid]
) -> None:
    text = GOOD.read_text("utf-8")
    text = text.replace('grid = "antipsychotic-choice"', 'grid = "no-such-grid"')
    text = text.replace('id = "elicit"', 'id = "invite"')
    text = text.replace('role = "clinician"', 'role = "observer"')
    path = tmp_path / "many.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(FileProblems) as caught:
        load_scenario(path, grids)
    problems = caught.value.problems
    assert len(problems) == 3
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert len(str(caught.value).splitlines()) == 3


def test_missing_file_and_folder(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "nope.toml", None)
    assert "no such scenario" in problem.message
    problem = only_problem(tmp_path, None)
    assert "folder" in problem.message


# Loading a folder -----------------------------------------------------------------------


def test_load_scenarios_keeps_the_good_and_names_the_bad(
    grids: dict[str, OptionGrid],
) -> None:
    found = load_scenarios(scenario_paths(FIXTURES), grids)
    assert list(found.scenarios) == ["test-scenario"]
    assert found.get("test-scenario") is not None
    assert found.get("nope") is None
    assert found.paths == {"test-scenario": GOOD}
    assert {p.file for p in found.problems} == {str(p) for p in BAD}


def test_a_second_scenario_with_the_same_id(tmp_path: Path, grids: dict[str, OptionGrid]) -> None:
    first = tmp_path / "a.toml"
    second = tmp_path / "b.toml"
    shutil.copy(GOOD, first)
    second.write_text("\n\n" + GOOD.read_text("utf-8"), "utf-8")
    found = load_scenarios([first, second], grids)
    assert list(found.scenarios) == ["test-scenario"]
    assert found.paths["test-scenario"] == first
    [problem] = found.problems
    assert problem.file == str(second)
    assert problem.line == 5  # the id line, two lines further down
    assert str(first) in problem.message
    assert LINE_FORMAT.match(str(problem))


def test_scenario_paths_skips_folders_and_other_files(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "b.toml")
    (tmp_path / "a.toml").mkdir()
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    assert scenario_paths(tmp_path) == [tmp_path / "b.toml"]
    assert scenario_paths(tmp_path / "missing") == []


def test_shipped_folder_inside_an_installed_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a wheel the scenarios sit at sdm_tui/scenarios (pyproject force-include)."""
    package = tmp_path / "site-packages" / "sdm_tui"
    (package / "core").mkdir(parents=True)
    (package / "scenarios").mkdir()
    shutil.copy(GOOD, package / "scenarios" / "test-scenario.toml")
    # The lookup of shipped folders lives in core/catalog.py (shared with the grids).
    monkeypatch.setattr(catalog_module, "__file__", str(package / "core" / "catalog.py"))
    assert shipped_scenarios_dir() == package / "scenarios"
    assert scenario_paths() == [package / "scenarios" / "test-scenario.toml"]


def test_pyproject_packages_the_scenarios() -> None:
    text = (REPO / "pyproject.toml").read_text("utf-8")
    section = text.split("[tool.hatch.build.targets.wheel.force-include]", 1)[1]
    assert '"scenarios" = "sdm_tui/scenarios"' in section.split("\n[", 1)[0]
