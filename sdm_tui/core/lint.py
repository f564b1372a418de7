"""Lint an option grid against the IPDAS criteria and plain-language rules.

Pure Python (no Textual). `lint_grid` returns a `LintReport`; `format_report`
prints it for a terminal; `lint_paths` is what `sdm-tui grids lint` runs.

How a cell (one answer) is read, from its question's topic and its level:

- Positive feature (a good point of the option):
  an effectiveness answer, unless its level is "none";
  a side-effect or risk answer (topics metabolic, movement, heart, hormonal,
  subjective, risk) with level "none" or "low";
  a practical answer with level "none" or "low".
- Negative feature (a downside of the option):
  an effectiveness answer with level "none" or "uncertain", or whose text says
  it may not help (e.g. "may not", "does not", "worse", "come back", "risk");
  a side-effect or risk answer with level "medium", "high" or "uncertain", or
  with no level at all (a side-effect row describes a downside unless it says
  the amount is none or low);
  a practical answer with level "medium", "high" or "uncertain".
  One cell can be both (an effectiveness answer that is uncertain may help and
  may not).
- Living with the option: any practical or subjective (day-to-day) answer.

Equal detail (IPDAS certifying): the mean word count of the positive cells and
of the negative cells must be within a ratio of 1.5 of each other.

Uncertainty shown: at least one answer has level "uncertain" or the word
"uncertain" (or "uncertainty") in its text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, TextIO

from sdm_tui.core.catalog import grid_paths
from sdm_tui.core.grid import (
    Answer,
    Level,
    OptionGrid,
    OptionKind,
    Topic,
    load_grid,
)
from sdm_tui.core.gridrules import RuleProblem, as_problems, check_rules
from sdm_tui.core.readability import reading_grade, syllables, words_of
from sdm_tui.core.tomlfile import FileProblems

MAX_GRADE = 8.0
MAX_CELL_WORDS = 30
DETAIL_RATIO = 1.5
WORST_CELLS = 5
REPORT_WIDTH = 96

HARM_TOPICS = frozenset(
    {Topic.METABOLIC, Topic.MOVEMENT, Topic.HEART, Topic.HORMONAL, Topic.SUBJECTIVE, Topic.RISK}
)
LIVING_TOPICS = frozenset({Topic.PRACTICAL, Topic.SUBJECTIVE})
_NEGATIVE_CUE = re.compile(
    r"\b(may not|might not|does not|do not|not help|no benefit|worse|comes? back|risk\w*)\b",
    re.IGNORECASE,
)
_PLACEHOLDERS = frozenset({"", "tbd", "tba", "todo", "n/a", "na", "?", "...", "xxx", "none yet"})
# Ordinary words that may sit in a medicine option's name; these are scored as usual.
_COMMON_NAME_WORDS = frozenset(
    {"medicine", "medicines", "another", "different", "every", "injection", "injections",
     "tablet", "tablets", "monthly", "yearly", "family", "usual", "regular", "daily"}
)  # fmt: skip

Group = Literal["qualifying", "certifying", "other"]


@dataclass(frozen=True)
class Criterion:
    """One check: met or not, which fields meet it, and why not when not."""

    key: str
    name: str
    group: Group
    met: bool
    where: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class CellGrade:
    question: str
    option: str
    grade: float
    words: int

    @property
    def cell(self) -> str:
        return f"{self.question} x {self.option}"


@dataclass(frozen=True)
class LintReport:
    grid_id: str
    title: str
    qualifying: tuple[Criterion, ...]
    certifying: tuple[Criterion, ...]
    other: tuple[Criterion, ...]
    cells: tuple[CellGrade, ...]
    mean_grade: float
    worst_cells: tuple[CellGrade, ...]
    long_cells: tuple[CellGrade, ...]
    options_without_downside: tuple[str, ...]
    options_without_upside: tuple[str, ...]
    missing_no_change_or_stop: bool
    review_passed: bool
    conflicts_stated: bool
    ignored_words: frozenset[str] = field(default_factory=frozenset)
    rule_problems: tuple[RuleProblem, ...] = ()

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.qualifying + self.certifying + self.other

    @property
    def failed(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.met)

    @property
    def ok(self) -> bool:
        return not self.failed

    def criterion(self, key: str) -> Criterion:
        for item in self.criteria:
            if item.key == key:
                return item
        raise KeyError(key)


def _stated(text: str, min_words: int = 1) -> bool:
    body = text.strip().lower().rstrip(".")
    return body not in _PLACEHOLDERS and len(words_of(body)) >= min_words


def is_positive(answer: Answer, topic: Topic) -> bool:
    """Whether this answer states a good point of its option (see the module docstring)."""
    level = answer.level
    if topic is Topic.EFFECTIVENESS:
        return level is not Level.NONE
    return level in (Level.NONE, Level.LOW)


def is_negative(answer: Answer, topic: Topic) -> bool:
    """Whether this answer states a downside of its option (see the module docstring)."""
    level = answer.level
    if topic is Topic.EFFECTIVENESS:
        return level in (Level.NONE, Level.UNCERTAIN) or bool(_NEGATIVE_CUE.search(answer.text))
    if topic in HARM_TOPICS and level is None:
        return True
    return level in (Level.MEDIUM, Level.HIGH, Level.UNCERTAIN)


def shows_uncertainty(answer: Answer) -> bool:
    return answer.level is Level.UNCERTAIN or "uncertain" in answer.text.lower()


def grid_ignore_words(grid: OptionGrid) -> frozenset[str]:
    """Medicine names for `reading_grade`: words of 3+ syllables in medicine options' names.

    Ordinary words that may appear in such a name ("another", "injection") are
    still scored as usual.
    """
    names: set[str] = set()
    for option in grid.options:
        if option.kind is not OptionKind.MEDICINE:
            continue
        for word in words_of(option.name):
            low = word.lower()
            if low not in _COMMON_NAME_WORDS and not low.isdigit() and syllables(low) >= 3:
                names.add(low)
    return frozenset(names)


def _per_option(grid: OptionGrid, test: Callable[[Answer, Topic], bool]) -> dict[str, list[str]]:
    """option id -> the topics of its answers for which test(answer, topic) holds."""
    found: dict[str, list[str]] = {o.id: [] for o in grid.options}
    topics = {q.id: q.topic for q in grid.questions}
    for answer in grid.answers:
        topic = topics.get(answer.question)
        if topic is None or answer.option not in found:
            continue
        if test(answer, topic) and topic.value not in found[answer.option]:
            found[answer.option].append(topic.value)
    return found


def _feature(key: str, name: str, by_option: dict[str, list[str]], what: str) -> Criterion:
    missing = [option for option, topics in by_option.items() if not topics]
    where = tuple(
        f"{option}: answers for topic{'s' if len(topics) > 1 else ''} {', '.join(topics)}"
        for option, topics in by_option.items()
        if topics
    )
    detail = f"no {what} stated for: {', '.join(missing)}" if missing else ""
    return Criterion(key, name, "qualifying", not missing, where, detail)


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def _equal_detail(grid: OptionGrid) -> Criterion:
    topics = {q.id: q.topic for q in grid.questions}
    good: list[int] = []
    bad: list[int] = []
    for answer in grid.answers:
        topic = topics.get(answer.question)
        if topic is None:
            continue
        count = len(words_of(answer.text))
        if is_positive(answer, topic):
            good.append(count)
        if is_negative(answer, topic):
            bad.append(count)
    name = "Equal detail for good and bad points"
    if not good or not bad:
        return Criterion("equal-detail", name, "certifying", False,
                         detail="needs both positive and negative answers to compare")  # fmt: skip
    mean_good, mean_bad = _mean(good), _mean(bad)
    ratio = max(mean_good, mean_bad) / max(min(mean_good, mean_bad), 1.0)
    summary = (
        f"mean words: good {mean_good:.1f} ({len(good)} cells), "
        f"bad {mean_bad:.1f} ({len(bad)} cells), ratio {ratio:.2f}"
    )
    met = ratio <= DETAIL_RATIO
    detail = "" if met else f"{summary}; keep the ratio at {DETAIL_RATIO} or under"
    return Criterion("equal-detail", name, "certifying", met, ("answers", summary), detail)


def _citations(grid: OptionGrid) -> Criterion:
    cited = {s for a in grid.answers for s in a.sources}
    known = {s.id: s.citation for s in grid.sources}
    uncited = [a for a in grid.answers if not a.sources]
    missing = sorted(cited - known.keys())
    thin = [sid for sid, text in known.items() if len(words_of(text)) < 4]
    problems = []
    if uncited:
        problems.append(f"{len(uncited)} answers cite no source")
    if missing:
        problems.append(f"cited but not listed: {', '.join(missing)}")
    if thin:
        problems.append(f"citation too short to find the source: {', '.join(thin)}")
    where = ("answers.sources", f"sources ({len(known)}, {len(cited & known.keys())} cited)")
    return Criterion("citations", "Citations of the evidence", "certifying", not problems,
                     where, "; ".join(problems))  # fmt: skip


def _qualifying(grid: OptionGrid) -> tuple[Criterion, ...]:
    names = ", ".join(o.name for o in grid.options)
    return (
        Criterion("condition", "Condition described", "qualifying",
                  _stated(grid.condition, 3), ("condition",), "describe it in a sentence"),
        Criterion("decision", "Decision stated", "qualifying",
                  _stated(grid.decision, 3), ("decision",), "state it in a sentence"),
        Criterion("options", "Options listed", "qualifying", len(grid.options) >= 2,
                  (f"options ({len(grid.options)}): {names}",), "list at least two options"),
        _feature("positive", "Positive features of each option",
                 _per_option(grid, is_positive), "good point"),
        _feature("negative", "Negative features of each option",
                 _per_option(grid, is_negative), "downside"),
        _feature("living-with", "What living with each option is like",
                 _per_option(grid, lambda a, t: t in LIVING_TOPICS),
                 "practical or day-to-day answer"),
    )  # fmt: skip


def _certifying(grid: OptionGrid, today: date) -> tuple[Criterion, ...]:
    uncertain = [f"{a.question} x {a.option}" for a in grid.answers if shows_uncertainty(a)]
    more = f" and {len(uncertain) - 3} more" if len(uncertain) > 3 else ""
    shown = (f"answers: {', '.join(uncertain[:3])}{more}",) if uncertain else ()
    dated = grid.published <= today and grid.review_by > grid.published
    return (
        _equal_detail(grid),
        _citations(grid),
        Criterion("published", "Publication date", "certifying", dated,
                  ("published", "review_by"),
                  "" if dated else "published must be today or earlier, before review_by"),
        Criterion("update-policy", "Update policy", "certifying",
                  _stated(grid.update_policy, 3), ("update_policy", "review_by"),
                  "say who checks the grid and when"),
        Criterion("uncertainty", "Uncertainty shown", "certifying", bool(uncertain),
                  shown,
                  "" if uncertain else 'no answer says "uncertain" or has level uncertain'),
        Criterion("funding", "Funding disclosed", "certifying", _stated(grid.funding),
                  ("funding",), "say who paid for it, or that no one did"),
    )  # fmt: skip


_RULE_NAMES = {
    "level-meaning": "Levels on practical and yes/no rows say what they mean",
    "uncertain": 'Each "uncertain" cites two sources or says there is no figure',
    "evidence": "Sources come from the grid's evidence list",
    "figures": "A figure in a row is given for every option, or none",
    "change-log": "Change log up to this version",
}


def _rule_criteria(found: list[RuleProblem]) -> tuple[Criterion, ...]:
    """One criterion per content rule (see sdm_tui.core.gridrules)."""
    items = []
    for key, name in _RULE_NAMES.items():
        broken = [p for p in found if p.rule == key]
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        detail = f"{broken[0].message}{more}; {broken[0].fix}" if broken else ""
        items.append(Criterion(key, name, "other", not broken, (), detail))
    return tuple(items)


def lint_grid(
    grid: OptionGrid,
    today: date | None = None,
    *,
    path: Path | None = None,
    shipped: bool | None = None,
) -> LintReport:
    """Check one grid: IPDAS criteria, reading grades, cell length and the content rules.

    `path` is where the grid was read from (its evidence list is looked up next to
    it); `shipped` (default: whether `path` is in the shipped grids folder) makes
    naming an evidence list required."""
    today = today or date.today()
    found = check_rules(grid, path, shipped=shipped)
    ignore = grid_ignore_words(grid)
    cells = tuple(
        CellGrade(a.question, a.option, reading_grade(a.text, ignore), len(words_of(a.text)))
        for a in grid.answers
    )
    mean = _mean(c.grade for c in cells)
    worst = tuple(sorted(cells, key=lambda c: c.grade, reverse=True)[:WORST_CELLS])
    long_cells = tuple(c for c in cells if c.words > MAX_CELL_WORDS)
    qualifying = _qualifying(grid)
    no_downside = tuple(o for o, t in _per_option(grid, is_negative).items() if not t)
    no_upside = tuple(o for o, t in _per_option(grid, is_positive).items() if not t)
    no_stop = not grid.has_stop_or_no_change()
    review_passed = grid.review_by < today
    conflicts = _stated(grid.conflicts_of_interest)
    other = (
        Criterion("plain-language", f"Plain language (mean grade {MAX_GRADE:g} or under)",
                  "other", mean <= MAX_GRADE, (f"answers: mean grade {mean:.1f}",),
                  f"mean grade {mean:.1f}; use shorter words and sentences"),
        Criterion("cell-length", f"Cells of {MAX_CELL_WORDS} words or fewer", "other",
                  not long_cells, ("answers.text",),
                  "too long: " + ", ".join(f"{c.cell} ({c.words} words)" for c in long_cells)),
        Criterion("no-change-or-stop", "A no-change or stop option", "other", not no_stop,
                  tuple(f"options: {o.id} ({o.kind.value})" for o in grid.options
                        if o.kind in (OptionKind.NO_CHANGE, OptionKind.STOP)),
                  'add an option with kind = "no-change" or kind = "stop"'),
        Criterion("review-date", "Review date not passed", "other", not review_passed,
                  ("review_by",), f"review_by {grid.review_by} has passed; review the grid"),
        Criterion("conflicts", "Conflicts of interest stated", "other", conflicts,
                  ("conflicts_of_interest",), "state any conflicts, or that there are none"),
        *_rule_criteria(found),
    )  # fmt: skip
    return LintReport(
        grid_id=grid.id,
        title=grid.title,
        qualifying=qualifying,
        certifying=_certifying(grid, today),
        other=other,
        cells=cells,
        mean_grade=mean,
        worst_cells=worst,
        long_cells=long_cells,
        options_without_downside=no_downside,
        options_without_upside=no_upside,
        missing_no_change_or_stop=no_stop,
        review_passed=review_passed,
        conflicts_stated=conflicts,
        ignored_words=ignore,
        rule_problems=tuple(found),
    )


_TITLES = {
    "qualifying": "IPDAS qualifying criteria",
    "certifying": "IPDAS certifying criteria",
    "other": "Other checks",
}


def _wrap(prefix: str, text: str, width: int = REPORT_WIDTH) -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=prefix, subsequent_indent=" " * len(prefix)
    ) or [prefix.rstrip()]


def format_report(report: LintReport) -> str:
    """The report as plain text for a terminal, wrapped to 96 columns."""
    lines = _wrap("", f"Grid {report.grid_id}: {report.title}")
    for group, items in (("qualifying", report.qualifying), ("certifying", report.certifying),
                         ("other", report.other)):  # fmt: skip
        lines.append(f"  {_TITLES[group]}")
        for item in items:
            mark = "[ok]     " if item.met else "[NOT MET]"
            lines.extend(_wrap(f"    {mark} ", item.name))
            if not item.met:
                lines.extend(_wrap("              why: ", item.detail) if item.detail else [])
            elif sum(len(w) + 2 for w in item.where) <= 70:
                lines.extend(_wrap("              met by: ", "; ".join(item.where)))
            else:
                for text in item.where:
                    lines.extend(_wrap("              met by: ", text))
    lines.extend(_wrap("  ", (
        f"Reading grade (Flesch-Kincaid): mean {report.mean_grade:.1f} over "
        f"{len(report.cells)} cells (aim {MAX_GRADE:g} or under per cell)")))  # fmt: skip
    if report.ignored_words:
        names = ", ".join(sorted(report.ignored_words))
        lines.extend(_wrap("    medicine names scored as 1 syllable: ", names))
    lines.append("    hardest cells:")
    for cell in report.worst_cells:
        flag = f"  over grade {MAX_GRADE:g}" if cell.grade > MAX_GRADE else ""
        lines.append(f"      {cell.grade:5.1f}  {cell.cell} ({cell.words} words){flag}")
    failed = ", ".join(c.name for c in report.failed)
    lines.extend(_wrap("  Result: ", f"not met: {failed}" if failed else "all checks met"))
    return "\n".join(lines)


def _expand(paths: list[Path]) -> list[Path]:
    if not paths:
        return grid_paths()
    found: list[Path] = []
    for path in paths:
        found.extend(grid_paths(path) if path.is_dir() else [path])
    return found


def lint_paths(paths: list[Path], out: TextIO, today: date | None = None) -> int:
    """Lint each grid file (or each *.toml in a folder; none = the shipped grids).

    Prints load problems as FILE:LINE lines and each grid's report. Returns 1 if
    any file failed to load or any check is not met, else 0. Never raises for a
    bad file.
    """
    files = _expand(paths)
    if not files:
        print("no grid files found", file=out)
        return 1
    status = 0
    for index, path in enumerate(files):
        if index:
            print(file=out)
        print(f"== {path}", file=out)
        try:
            grid, warnings = load_grid(path, today=today)
        except FileProblems as exc:
            for problem in exc.problems:
                print(str(problem), file=out)
            print("  Result: could not load this grid", file=out)
            status = 1
            continue
        except Exception as exc:  # a bad file must never end in a traceback
            print(f"{path}:0: could not read this grid: {type(exc).__name__}: {exc}", file=out)
            status = 1
            continue
        for problem in warnings:
            print(str(problem), file=out)
        report = lint_grid(grid, today, path=path)
        if report.rule_problems:
            text = path.read_text(encoding="utf-8-sig")
            for problem in as_problems(list(report.rule_problems), str(path), text):
                print(str(problem), file=out)
        print(format_report(report), file=out)
        if not report.ok:
            status = 1
    return status
