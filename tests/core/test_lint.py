"""The grid linter: reading grade, IPDAS criteria, plain-language rules, lint_paths."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from sdm_tui.core import lint as lint_module
from sdm_tui.core.grid import Answer, Level, Topic, grid_paths, load_grid
from sdm_tui.core.gridrules import (
    as_problems,
    check_rules,
    has_figure,
    is_shipped,
    is_yes_no,
    load_evidence,
)
from sdm_tui.core.lint import (
    REPORT_WIDTH,
    format_report,
    grid_ignore_words,
    is_negative,
    is_positive,
    lint_grid,
    lint_paths,
)
from sdm_tui.core.readability import reading_grade, sentence_count, syllables, words_of

DATA = Path(__file__).resolve().parents[1] / "data"
LINT = DATA / "lint"
TODAY = date(2026, 11, 22)

IPDAS = (
    "condition",
    "decision",
    "options",
    "positive",
    "negative",
    "living-with",
    "equal-detail",
    "citations",
    "published",
    "update-policy",
    "uncertainty",
    "funding",
)


# ---- reading grade ----


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("the", 1),
        ("make", 1),  # silent final e
        ("have", 1),
        ("three", 1),
        ("weight", 1),
        ("blood", 1),
        ("stopped", 1),  # silent -ed
        ("used", 1),
        ("table", 2),  # consonant + le
        ("little", 2),
        ("settled", 2),
        ("people", 2),
        ("needed", 2),  # -ed after d is said
        ("changes", 2),  # -es after g is said
        ("doses", 2),
        ("tablets", 2),
        ("weekly", 2),  # suffix -ly on its own
        ("movement", 2),  # the e of move stays silent
        ("likely", 2),
        ("going", 2),
        ("quiet", 2),  # i-e split
        ("medicine", 3),
        ("usual", 3),  # u-a split
        ("injection", 3),  # -tion is one syllable
        ("carefully", 3),
        ("psychosis", 3),
        ("uncertain", 3),
        ("anxiety", 4),
        ("information", 4),
        ("12", 1),
    ],
)
def test_syllable_counter_on_words_checked_by_hand(word: str, count: int) -> None:
    assert syllables(word) == count


def test_words_and_sentences() -> None:
    assert words_of("Take it once a day, with food.") == [
        "Take",
        "it",
        "once",
        "a",
        "day",
        "with",
        "food",
    ]
    assert words_of("Every 4-6 weeks") == ["Every", "4", "6", "weeks"]
    assert sentence_count("One. Two! Three? Four") == 4
    assert sentence_count("It costs 2.5 units.") == 1  # a decimal point does not end a sentence
    assert sentence_count("   ") == 0


def test_reading_grade_follows_the_formula() -> None:
    # 6 words, 6 syllables, 1 sentence: 0.39 * 6 + 11.8 * 1 - 15.59
    assert reading_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    assert reading_grade("") == 0.0


def test_simple_text_reads_low_and_polysyllabic_text_reads_high() -> None:
    simple = "Take one tablet a day. Tell your team if you feel sick."
    hard = (
        "Pharmacological interventions necessitate comprehensive individualised "
        "consideration of cardiometabolic vulnerabilities and extrapyramidal complications."
    )
    assert reading_grade(simple) < 3
    assert reading_grade(hard) > 16
    assert reading_grade(simple) < reading_grade(hard)


def test_ignored_words_count_as_one_syllable() -> None:
    text = "Aripiprazole is given once a month."
    plain = reading_grade(text)
    ignored = reading_grade(text, {"aripiprazole"})
    # aripiprazole has 5 syllables by the counter; ignoring it removes 4 of them
    assert syllables("aripiprazole") == 5
    assert plain - ignored == pytest.approx(11.8 * 4 / 6)
    assert reading_grade(text, {"ARIPIPRAZOLE"}) == pytest.approx(ignored)


# ---- how cells are read ----


def _answer(text: str, level: Level | None) -> Answer:
    return Answer(question="q", option="o", text=text, level=level, sources=["spc"])


def test_positive_and_negative_rules() -> None:
    helps = _answer("It helps many people.", Level.MEDIUM)
    assert is_positive(helps, Topic.EFFECTIVENESS)
    assert not is_negative(helps, Topic.EFFECTIVENESS)
    may_not = _answer("It helps some. It may not help you.", Level.MEDIUM)
    assert is_negative(may_not, Topic.EFFECTIVENESS)
    unsure = _answer("It might help.", Level.UNCERTAIN)
    assert is_positive(unsure, Topic.EFFECTIVENESS) and is_negative(unsure, Topic.EFFECTIVENESS)
    low_weight = _answer("Small weight gain.", Level.LOW)
    assert is_positive(low_weight, Topic.METABOLIC)
    assert not is_negative(low_weight, Topic.METABOLIC)
    high_weight = _answer("Large weight gain.", Level.HIGH)
    assert is_negative(high_weight, Topic.METABOLIC)
    assert not is_positive(high_weight, Topic.METABOLIC)
    no_level = _answer("Weight gain is common.", None)
    assert is_negative(no_level, Topic.METABOLIC)
    practical = _answer("Once a day.", None)
    assert not is_positive(practical, Topic.PRACTICAL)
    assert not is_negative(practical, Topic.PRACTICAL)


# ---- lint_grid ----


def _report(name: str):
    grid, _ = load_grid(LINT / name, today=TODAY)
    return lint_grid(grid, TODAY)


def test_good_grid_meets_every_check() -> None:
    report = _report("good.toml")
    assert report.ok, format_report(report)
    assert [c.key for c in report.qualifying] == list(IPDAS[:6])
    assert [c.key for c in report.certifying] == list(IPDAS[6:])
    assert all(c.met for c in report.qualifying + report.certifying)
    assert report.criterion("condition").where == ("condition",)
    assert report.criterion("published").where == ("published", "review_by")
    positive = report.criterion("positive").where
    assert positive[0] == "tablet-a: answers for topics effectiveness, metabolic, practical"
    assert report.options_without_downside == ()
    assert not report.missing_no_change_or_stop
    assert not report.review_passed
    assert report.conflicts_stated
    assert len(report.cells) == 9
    assert len(report.worst_cells) == 5
    grades = [c.grade for c in report.worst_cells]
    assert grades == sorted(grades, reverse=True)
    assert report.mean_grade == pytest.approx(sum(c.grade for c in report.cells) / 9)
    assert report.long_cells == ()


def test_example_grid_basic_criteria() -> None:
    grid, _ = load_grid(DATA / "example-grid.toml", today=TODAY)
    report = lint_grid(grid, TODAY)
    for key in ("condition", "decision", "options", "positive", "citations", "funding"):
        assert report.criterion(key).met, key
    assert report.mean_grade <= 8


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("no-downside.toml", "negative"),
        ("no-uncertainty.toml", "uncertainty"),
        ("long-cell.toml", "cell-length"),
        ("past-review.toml", "review-date"),
        ("unequal-detail.toml", "equal-detail"),
        ("no-stop.toml", "no-change-or-stop"),
    ],
)
def test_bad_grid_fails_its_check(name: str, key: str) -> None:
    report = _report(name)
    failed = [c.key for c in report.failed]
    assert failed == [key], format_report(report)
    assert not report.ok
    out = io.StringIO()
    assert lint_paths([LINT / name], out) == 1
    text = out.getvalue()
    assert f"[NOT MET] {report.criterion(key).name}" in text


def test_bad_grid_details() -> None:
    assert _report("no-downside.toml").options_without_downside == ("tablet-a",)
    long = _report("long-cell.toml")
    assert [(c.cell, c.words > 30) for c in long.long_cells] == [("weight x tablet-a", True)]
    assert _report("past-review.toml").review_passed
    assert _report("no-stop.toml").missing_no_change_or_stop
    detail = _report("unequal-detail.toml").criterion("equal-detail").detail
    assert "ratio" in detail


def test_review_date_depends_on_today() -> None:
    grid, _ = load_grid(LINT / "good.toml", today=TODAY)
    assert lint_grid(grid, date(2099, 1, 2)).review_passed
    assert not lint_grid(grid, date(2099, 1, 1)).review_passed


def test_medicine_names_are_ignored_but_common_words_are_not() -> None:
    path = (
        Path(lint_module.__file__).resolve().parents[2]
        / "option_grids"
        / "tablet-or-injection.toml"
    )
    if not path.exists():
        pytest.skip("tablet-or-injection grid not present")
    grid, _ = load_grid(path, today=TODAY)
    words = grid_ignore_words(grid)
    assert {"aripiprazole", "paliperidone", "zuclopenthixol"} <= words
    assert "monthly" not in words and "tablets" not in words and "every" not in words


# ---- format_report and lint_paths ----


def test_format_report_is_plain_and_fits_the_terminal() -> None:
    for name in ("good.toml", "no-downside.toml"):
        text = format_report(_report(name))
        assert "\x1b" not in text
        assert all(len(line) <= REPORT_WIDTH for line in text.splitlines())
        assert "IPDAS qualifying criteria" in text and "IPDAS certifying criteria" in text
    assert "Result: all checks met" in format_report(_report("good.toml"))
    failing = format_report(_report("no-downside.toml"))
    assert "no downside stated for: tablet-a" in failing
    assert "Result: not met: Negative features of each option" in failing


def test_lint_paths_good_grid_returns_0() -> None:
    out = io.StringIO()
    assert lint_paths([LINT / "good.toml"], out) == 0
    assert "Grid lint-good" in out.getvalue()


def test_lint_paths_bad_file_prints_problems_without_raising(tmp_path: Path) -> None:
    out = io.StringIO()
    missing = tmp_path / "missing.toml"
    assert lint_paths([LINT / "not-toml.toml", missing, LINT / "good.toml"], out) == 1
    text = out.getvalue()
    assert f"{LINT / 'not-toml.toml'}:3: not valid TOML" in text
    assert f"{missing}:0: no such grid" in text
    assert "Traceback" not in text
    assert "Grid lint-good" in text  # later files are still linted


def test_lint_paths_reports_load_errors_from_the_model(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (
        (LINT / "good.toml")
        .read_text()
        .replace('sources = ["pillinger2020"]', 'sources = ["nope"]', 1)
    )
    bad.write_text(text)
    out = io.StringIO()
    assert lint_paths([bad], out) == 1
    assert "cites missing source 'nope'" in out.getvalue()


def test_lint_paths_on_a_folder(tmp_path: Path) -> None:
    shutil.copy(LINT / "good.toml", tmp_path / "a.toml")
    out = io.StringIO()
    assert lint_paths([tmp_path], out) == 0
    shutil.copy(LINT / "no-stop.toml", tmp_path / "b.toml")
    assert lint_paths([tmp_path], io.StringIO()) == 1
    assert lint_paths([tmp_path / "empty"], io.StringIO()) == 1  # no such grid


def test_lint_paths_on_all_shipped_grids_returns_0() -> None:
    assert grid_paths(), "no shipped grids found"
    out = io.StringIO()
    status = lint_paths([], out)
    assert status == 0, out.getvalue()
    for path in grid_paths():
        assert f"== {path}" in out.getvalue()


def test_shipped_grids_are_plain_enough() -> None:
    for path in grid_paths():
        grid, _ = load_grid(path, today=TODAY)
        report = lint_grid(grid, TODAY)
        assert report.mean_grade <= 8, path
        assert report.long_cells == (), path


def test_lint_does_not_import_textual() -> None:
    for module in ("lint.py", "readability.py", "gridrules.py", "unsafe_text.py"):
        source = (Path(lint_module.__file__).parent / module).read_text()
        assert "import textual" not in source and "from textual" not in source


# ---- content rules (grid format 2; sdm_tui.core.gridrules) ----

CONTENT_RULES = ("level-meaning", "uncertain", "evidence", "figures", "change-log")
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<what>.+) \((?P<fix>[^()]+)\)$")


def test_good_grid_meets_every_content_rule() -> None:
    report = _report("good.toml")
    assert report.rule_problems == ()
    assert [c.key for c in report.other[-5:]] == list(CONTENT_RULES)
    assert all(report.criterion(key).met for key in CONTENT_RULES)


@pytest.mark.parametrize(
    ("name", "key", "fragments"),
    [
        ("level-practical.toml", "level-meaning", ["daily x tablet-a", "add level_meaning"]),
        (
            "level-yes-no.toml",
            "level-meaning",
            ['yes/no question ("Can I put', "weight x no-change"],
        ),
        ("uncertain-one-source.toml", "uncertain", ["works x tablet-b", 'say "no figure"']),
        (
            "unknown-source.toml",
            "evidence",
            ["retired source id 'bjpsych2017'", "weight x tablet-b"],
        ),
        ("figure-one-option.toml", "figures", ["weight x tablet-a", "one for tablet-b"]),
        ("no-change-log.toml", "change-log", ["format 1 grid has no change log", "[[changes]]"]),
    ],
)
def test_each_content_rule_fails_on_its_bad_file(name: str, key: str, fragments: list[str]) -> None:
    report = _report(name)
    assert [c.key for c in report.failed] == [key], format_report(report)
    assert {p.rule for p in report.rule_problems} == {key}
    out = io.StringIO()
    assert lint_paths([LINT / name], out) == 1
    lines = [line for line in out.getvalue().splitlines() if line.startswith(str(LINT))]
    assert lines, out.getvalue()
    text = (LINT / name).read_text()
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["file"] == str(LINT / name)
        assert 0 < int(match["line"]) <= len(text.splitlines())
    joined = "\n".join(lines)
    for fragment in fragments:
        assert fragment in joined
    assert f"[NOT MET] {report.criterion(key).name}" in out.getvalue()


def test_problem_lines_point_at_the_cell(tmp_path: Path) -> None:
    out = io.StringIO()
    lint_paths([LINT / "uncertain-one-source.toml"], out)
    text = (LINT / "uncertain-one-source.toml").read_text().splitlines()
    line = int(out.getvalue().split(".toml:", 1)[1].split(":", 1)[0])
    assert text[line - 1] == 'sources = ["huhn2019"]'
    assert text[line - 2] == 'level = "uncertain"'


def _good_grid(tmp_path: Path, old: str = "", new: str = "", name: str = "g.toml") -> Path:
    text = (LINT / "good.toml").read_text()
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def _rules(path: Path, shipped: bool | None = None) -> list[str]:
    grid, _ = load_grid(path, today=TODAY)
    return [f"{p.rule}: {p.message}" for p in check_rules(grid, path, shipped=shipped)]


def test_uncertain_with_one_source_is_fine_when_it_says_no_figure(tmp_path: Path) -> None:
    bad = (LINT / "uncertain-one-source.toml").read_text()
    for words in ("There is no figure for this.", "How much is not known."):
        path = tmp_path / "g.toml"
        path.write_text(bad.replace("Whether it helps you is uncertain.", words))
        assert _rules(path) == []


def test_figures_answered_by_no_figure_and_forms_found(tmp_path: Path) -> None:
    bad = (LINT / "figure-one-option.toml").read_text()
    text = bad.replace("Small weight gain is common", "No figure. Small weight gain is common")
    text = text.replace("No new effect on your weight", "No figure for this one. No new effect")
    (tmp_path / "g.toml").write_text(text)
    assert _rules(tmp_path / "g.toml") == []
    for figure in ("about 3 in 100", "1 out of 10", "20%", "5 kg", "2.5 kg", "12 per cent"):
        assert has_figure(f"Gain is {figure} in a year."), figure
    for words in ("every 2 weeks", "400 mg", "in 2019", "4-6 weeks", "2 tablets a day"):
        assert not has_figure(words), words


@pytest.mark.parametrize(
    ("text", "yes_no"),
    [
        ("Can I ask for this?", True),
        ("Do I have to wait after a dose?", True),
        ("Is it given by a nurse?", True),
        ("Should I avoid alcohol?", True),
        ("Could it change my heart rhythm?", False),
        ("Will I put on weight?", False),
        ("How often do I take it?", False),
        ("Canned food?", False),
    ],
)
def test_yes_no_questions(text: str, yes_no: bool) -> None:
    assert is_yes_no(text) is yes_no


def test_level_on_yes_no_question_is_fine_with_level_meaning(tmp_path: Path) -> None:
    path = _good_grid(
        tmp_path,
        'text = "Will I put on weight?"',
        'text = "Can I put on weight?"\nlevel_meaning = "How likely: low = few people"',
    )
    assert _rules(path) == []


def test_a_clinic_grid_without_an_evidence_list_keeps_its_own_citations(tmp_path: Path) -> None:
    path = _good_grid(tmp_path, 'evidence = "antipsychotics"\n', "")
    path.write_text(path.read_text().replace("Huhn M, Nikolakopoulou A", "Huhn M, et al"))
    assert _rules(path) == []  # not shipped: no list needed
    assert _rules(path, shipped=True) == [
        "evidence: a shipped grid must name the evidence list its sources come from"
    ]


def test_shipped_grids_are_told_to_name_their_evidence_list() -> None:
    assert is_shipped(grid_paths()[0])
    assert not is_shipped(LINT / "good.toml")
    assert not is_shipped(None)


def test_unknown_evidence_list_and_a_clinic_list_next_to_the_grid(tmp_path: Path) -> None:
    path = _good_grid(tmp_path, 'evidence = "antipsychotics"', 'evidence = "local"')
    assert _rules(path) == ["evidence: no evidence list 'local'"]
    (tmp_path / "evidence").mkdir()
    shipped_list = grid_paths()[0].parent / "evidence" / "antipsychotics-sources.toml"
    local = shipped_list.read_text().replace('name = "antipsychotics"', 'name = "local"')
    (tmp_path / "evidence" / "local-sources.toml").write_text(local)
    assert _rules(path) == []
    (tmp_path / "evidence" / "local-sources.toml").write_text(
        local.replace('id = "huhn2019"', 'id = "huhn2019b"')
    )
    found = _rules(path)
    assert (
        "evidence: works x tablet-a: source id 'huhn2019' is not in the local evidence list"
        in (found[0])
    )
    assert found[-1].startswith("evidence: [[sources]] source id 'huhn2019' is not in")


def test_citation_must_hold_the_sheet_text(tmp_path: Path) -> None:
    path = _good_grid(tmp_path, "Huhn M, Nikolakopoulou A", "Huhn M, et al")
    assert _rules(path) == [
        "evidence: [[sources]] 'huhn2019': citation differs from the antipsychotics evidence "
        "list (antipsychotics.md of 2026-12-03)"
    ]


def test_the_evidence_list_mirrors_the_sheet() -> None:
    path = grid_paths()[0].parent / "evidence" / "antipsychotics-sources.toml"
    evidence = load_evidence(path)
    assert evidence.name == "antipsychotics"
    assert evidence.sheet_version == "2026-12-03"
    assert "mirrors" in path.read_text().splitlines()[1]
    ids = [s.id for s in evidence.sources]
    assert len(ids) == len(set(ids)) == 49  # 47 sheet rows + 2 named secondary sources
    assert {"huhn2019", "nice-cg178", "mhra-2023", "serretti2011"} <= set(ids)
    assert not set(evidence.retired) & set(ids)
    assert evidence.citation("leucht2012").startswith("Leucht S, Tardy M, Komossa K")


def test_every_content_rule_message_is_one_problem_line(tmp_path: Path) -> None:
    cases = [
        (_good_grid(tmp_path, 'evidence = "antipsychotics"\n', "", "a.toml"), True),
        (_good_grid(tmp_path, 'evidence = "antipsychotics"', 'evidence = "nope"', "b.toml"), None),
        (_good_grid(tmp_path, "Huhn M, Nikolakopoulou A", "Huhn M", "c.toml"), None),
        *((LINT / name, None) for name in ("unknown-source.toml", "figure-one-option.toml")),
    ]
    for path, shipped in cases:
        grid, _ = load_grid(path, today=TODAY)
        found = check_rules(grid, path, shipped=shipped)
        assert found, path
        for problem in as_problems(found, str(path), path.read_text()):
            assert PROBLEM_LINE.match(str(problem)), str(problem)
            assert problem.line > 0


def test_no_none_level_on_a_day_to_day_row(tmp_path: Path) -> None:
    path = _good_grid(tmp_path, 'topic = "metabolic"', 'topic = "subjective"')
    assert _rules(path) == [
        'level-meaning: weight x no-change: level "none" on a day-to-day (subjective) row'
    ]
