"""What the shipped scenarios say, checked against the 2.0.0 grids and the clinical review.

The clinical review of 2026-12 (findings SC1-SC10) found briefs that disagreed with
the evidence: "no figures" for relapse, a high heart-rhythm risk for clozapine, old
injection intervals. These tests pin the corrected facts in the briefs, and where the
grid holds the same fact, check that the grid says it too. Everyone is invented.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.grid import OptionGrid
from sdm_tui.core.scenario import RoleBrief, Scenario, load_scenarios, scenario_paths
from sdm_tui.core.session import Role
from sdm_tui.core.training import start_role_play

REPO = Path(__file__).resolve().parents[2]
FINDING = re.compile(r"\bSC\d+\b")
# Words the review searched for: none may appear in what the clinician, observer or
# peer support worker reads, or in what everyone reads. A character may use one.
LABELS = ("insight", "compliance", "compliant", "schizophrenic", "suffers", "refuses")


@pytest.fixture(scope="module")
def grids() -> dict[str, OptionGrid]:
    catalog = load_catalog()
    assert catalog.grids, catalog.problems
    return catalog.grids


@pytest.fixture(scope="module")
def shipped(grids: dict[str, OptionGrid]) -> dict[str, Scenario]:
    found = load_scenarios(scenario_paths(), grids)
    assert found.problems == []
    return found.scenarios


def brief(scenario: Scenario, role: Role) -> RoleBrief:
    return next(r for r in scenario.roles if r.role == role)


def clinician(scenario: Scenario) -> str:
    return brief(scenario, Role.CLINICIAN).brief


def observer(scenario: Scenario) -> str:
    return next(r.brief for r in scenario.roles if r.label == "Observer")


def goal_text(scenario: Scenario) -> str:
    return " ".join(g.text for g in scenario.goals)


def row_text(grid: OptionGrid, question: str) -> str:
    return " ".join(grid.answer(question, o.id).text for o in grid.options)


# Every file -------------------------------------------------------------------------


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_each_file_says_what_changed_in_2_0_0_and_why(path: Path) -> None:
    lines = path.read_text("utf-8").splitlines()
    comment = "\n".join(line for line in lines[: lines.index("schema_version = 1")])
    assert all(line.startswith("#") for line in comment.splitlines())
    assert "2.0.0 (2026-12-03)" in comment
    assert FINDING.search(comment), "name the review finding ids"


def test_no_scenario_uses_a_retired_option(shipped: dict[str, Scenario]) -> None:
    for scenario in shipped.values():
        assert "no-change" not in scenario.options
        if scenario.grid == "tablet-or-injection":
            assert not {"aripiprazole", "paliperidone", "risperidone"} & set(scenario.options)


def test_no_labels_in_what_the_clinician_and_everyone_read(
    shipped: dict[str, Scenario],
) -> None:
    for scenario in shipped.values():
        public = [scenario.title, scenario.setting, goal_text(scenario)]
        staff = [
            r.brief
            for r in scenario.roles
            if r.role in (Role.CLINICIAN, Role.OBSERVER, Role.PEER_SUPPORT)
        ]
        text = " ".join(public + staff).casefold()
        for word in LABELS:
            assert word not in text, f"{scenario.id}: {word}"


# SC1, SC8, SC10: clozapine -----------------------------------------------------------


def test_clozapine_brief_agrees_with_the_grid(
    shipped: dict[str, Scenario], grids: dict[str, OptionGrid]
) -> None:
    scenario = shipped["clozapine-after-two"]
    grid = grids["antipsychotic-choice"]
    text = clinician(scenario)
    assert "blood tests" in text
    assert "18 weeks" in text and "18 weeks" in grid.answer("checks", "clozapine").text
    # SC1: the heart is not a high risk (the grid agrees); the warning signs are given.
    assert "heart rhythm" not in text
    assert "usually small" in text
    assert grid.answer("heart", "clozapine").level != "high"
    for sign in ("sore throat", "same day", "heart muscle", "constipation", "smoking", "vaping"):
        assert sign in text.casefold(), sign
    assert "about 4 in 10" in text
    assert "2 days" in text  # missed doses: call the team
    # SC10: the finger-prick test, for Lee who faints with needles.
    assert "finger-prick" in text


def test_clozapine_scenario_asks_about_safety(shipped: dict[str, Scenario]) -> None:
    """SC8: Lee speaks of cruel voices at night; the trainee must still ask gently."""
    scenario = shipped["clozapine-after-two"]
    safety = next(g for g in scenario.goals if g.id == "safety")
    assert "safety" in safety.text and "worsens" in safety.text
    assert "ask gently about safety" in observer(scenario)
    assert "feel safe" in brief(scenario, Role.SERVICE_USER).brief


# SC2 and SC9c: relapse figures as "x in 100", with their limits ------------------------------


@pytest.mark.parametrize("scenario_id", ["stop-sexual-side-effects", "own-explanation"])
def test_stop_briefs_give_the_relapse_figures(
    shipped: dict[str, Scenario], grids: dict[str, OptionGrid], scenario_id: str
) -> None:
    scenario = shipped[scenario_id]
    text = clinician(scenario)
    figures = {"27 in 100", "64 in 100", "25 in 100", "13 in 100"}
    assert figures <= set(re.findall(r"\d+ in 100", text))
    assert "30 weeks" in text  # a sudden stop (Viguera 1997)
    assert "at least 2 years" in text  # NICE: checks after stopping
    assert "Limit" in text
    assert "no figures" not in text
    # The grid gives the same figures in its relapse and hospital rows.
    stop_grid = grids["antipsychotic-continue-adjust-stop"]
    row = row_text(stop_grid, "relapse") + row_text(stop_grid, "hospital")
    assert figures <= set(re.findall(r"\d+ in 100", row))
    watch = observer(scenario)
    assert '"x in 100"' in watch and "limits" in watch
    assert "made-up numbers" not in watch
    assert any("x in 100" in g.text for g in scenario.goals)


def test_stop_scenario_names_what_a_clinician_might_raise(shipped: dict[str, Scenario]) -> None:
    text = clinician(shipped["stop-sexual-side-effects"])
    for option in ("prolactin blood test", "lower dose", "aripiprazole"):
        assert option in text
    assert "40 to 60" in text and "16 to 27" in text  # sex problems (Serretti 2011)


# SC3, SC4, SC5: injections ------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario_id", ["carer-speaks-over", "injection-preference", "community-treatment-order"]
)
def test_injection_briefs_are_up_to_date(shipped: dict[str, Scenario], scenario_id: str) -> None:
    scenario = shipped[scenario_id]
    text = clinician(scenario)
    assert "tablets first" in text
    assert "wears off" in text  # side effects last until the injection wears off
    assert "every 2 months" in text or "every 3 or 6 months" in text
    if "NICE" in text:
        assert "consider offering" in text and "NICE says to offer" not in text


def test_robin_can_have_a_monthly_injection(shipped: dict[str, Scenario]) -> None:
    scenario = shipped["carer-speaks-over"]
    assert {"risperidone-monthly", "paliperidone-monthly"} <= set(scenario.options)
    assert "monthly" in brief(scenario, Role.SERVICE_USER).brief


def test_alex_hears_what_comes_first(
    shipped: dict[str, Scenario], grids: dict[str, OptionGrid]
) -> None:
    scenario = shipped["injection-preference"]
    grid = grids["tablet-or-injection"]
    assert "aripiprazole-2-monthly" in scenario.options
    text = clinician(scenario)
    for step in ("2 more weeks", "two injections on the first day", "upper arm", "3 hours"):
        assert step in text, step
    # The grid names what comes first for the same injections.
    assert "3 hours" in grid.answer("waiting", "olanzapine").text
    for option in ("olanzapine", "risperidone-monthly", "paliperidone-monthly"):
        assert "tablet" in grid.answer("first", option).text, option


# SC6, SC7 ------------------------------------------------------------------------------------


def test_weight_brief_has_first_episode_gain_and_healthy_eating(
    shipped: dict[str, Scenario],
) -> None:
    scenario = shipped["weight-first-episode"]
    text = clinician(scenario)
    assert "first time often gain more" in text
    assert "healthy eating and physical activity" in text
    assert "stay-current" in scenario.options


def test_pat_can_lower_the_dose_and_is_checked_for_movements(shipped: dict[str, Scenario]) -> None:
    scenario = shipped["you-decide-doctor"]
    assert {"lower-dose", "stay-current"} <= set(scenario.options)
    text = clinician(scenario)
    assert "tardive dyskinesia" in text
    assert "new movements" in text
    assert "sources differ" in text  # restlessness on haloperidol


# SC9: the new scenarios ----------------------------------------------------------------------


def test_the_interpreter_gives_no_views(
    shipped: dict[str, Scenario], grids: dict[str, OptionGrid]
) -> None:
    scenario = shipped["interpreter-and-faith"]
    interpreter = scenario.brief_for("Interpreter")
    assert interpreter is not None and interpreter.role == Role.OBSERVER
    session = start_role_play(scenario, grids[scenario.grid], app_version="0.0.0-test")
    assert [p.label for p in session.voices()] == ["Rafi", "Dr Hale"]
    assert "no-antipsychotic" in scenario.options
    assert "pharmacist" in clinician(scenario)  # fasting: not guessed


def test_community_treatment_order_choice_is_limited_but_real(
    shipped: dict[str, Scenario],
) -> None:
    scenario = shipped["community-treatment-order"]
    assert "community treatment order" in scenario.setting
    assert "tablets" in scenario.options
    assert len([o for o in scenario.options if o != "tablets"]) >= 3
    text = clinician(scenario)
    for right in ("advocate", "tribunal"):
        assert right in text and right in goal_text(scenario)


def test_own_explanation_keeps_the_label_in_a_character_voice(
    shipped: dict[str, Scenario],
) -> None:
    scenario = shipped["own-explanation"]
    assert "insight" in brief(scenario, Role.CARER).brief  # Mum's words, once
    assert "not all or nothing" in clinician(scenario)
    assert any("own explanation" in g.text for g in scenario.goals)
