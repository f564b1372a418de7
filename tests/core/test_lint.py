"""The grid linter: reading grade, IPDAS criteria, plain-language rules, lint_paths."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest

from sdm_tui.core import lint as lint_module
from sdm_tui.core.grid import Answer, Level, Topic, grid_paths, load_grid
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
    for module in ("lint.py", "readability.py"):
        source = (Path(lint_module.__file__).parent / module).read_text()
        assert "import textual" not in source and "from textual" not in source
